# Quickstart: one Okta group per access-controlled Sanity document. membership.tf puts people in the groups
# with Okta group rules; links.tf points documents of a shared tier at the tier's existing group.
#
# The provider block holds no connection settings on purpose: they all come from the environment, which is
# what the local stack prints (`make devstack`, then `./bin/devstack`) and what a CI pipeline sets from its
# secrets:
#   SANITY_API_HOST, SANITY_PROJECT_ID, SANITY_DATASET, SANITY_API_TOKEN, OKTA_ORG_URL, OKTA_API_TOKEN

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    sanityokta = {
      source = "sanityokta/sanityokta"
    }
  }
}

# The prefix and the field set which groups and which written-back IDs belong to this configuration, and
# the rule prefix which group rules. Another configuration on the same org and dataset (the terraform test
# in tests/, say) sets its own three, so neither adopts, renames or deletes the other's groups and rules.
variable "group_name_prefix" {
  description = "Ownership prefix: the groups this configuration creates and may touch start with it."
  type        = string
  default     = "content:"
}

variable "document_field" {
  description = "The document field that receives the group ID, of an owned group (main.tf) or a linked one (links.tf)."
  type        = string
  default     = "oktaGroupId"
}

variable "rule_name_prefix" {
  description = "Start of the names of this configuration's Okta group rules, which must be unique in the org."
  type        = string
  default     = "content "
}

provider "sanityokta" {
  group_name_prefix = var.group_name_prefix
}

# Every published, active document of the three gated types. Inactive documents (active == false)
# are left out by default, so archiving a document in the Studio removes its group on the next apply.
locals {
  gated_types = ["partnerPricing", "handbook", "complianceCourse"]
}

# Each document carries slug and title, the data source's default fields and all this configuration uses:
# Terraform reads the whole result again for every group, so a small result keeps plans fast.
data "sanityokta_documents" "gated" {
  filter = "_type in ${jsonencode(local.gated_types)}"
}

resource "sanityokta_document_group" "content" {
  for_each = data.sanityokta_documents.gated.documents

  document_id = each.key
  # A document without a slug (or a title) still gets a group: fall back to its ID.
  name           = "${var.group_name_prefix}${coalesce(each.value.slug, each.key)}"
  description    = "Access to ${coalesce(each.value.title, each.key)}"
  document_field = var.document_field
}

output "document_ids" {
  description = "The gated documents the data source found, sorted."
  value       = data.sanityokta_documents.gated.ids
}

output "groups" {
  description = "Per document: the Okta group's name and ID, and whether the ID is written back into every variant."
  value = {
    for id, group in sanityokta_document_group.content : id => {
      name         = group.name
      group_id     = group.id
      written_back = group.document_synced
    }
  }
}
