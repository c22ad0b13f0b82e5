# Documents whose audience is a whole access tier do not get a group each: they link to the group the
# Okta admins already keep for the tier, and the provider only writes that group's ID into them. A
# person's token can hold at most 100 groups, so shared audiences belong in shared groups.

# The tier groups, by the documents' accessTier. Terraform does not manage them; with the Okta provider
# these IDs would come from okta_group data sources. The local stack starts with these two.
locals {
  tier_groups = {
    partner  = "00gPartnersTier00001" # Partners
    internal = "00gEmployeesTier0001" # Employees
  }
}

# Notices, selected by a tier that has a group. A document is linked or owns a group, never both, so this
# type is not among main.tf's gated types. A notice with any other tier is left out: it stays unlinked,
# and nobody sees it, rather than falling into a group by accident.
data "sanityokta_documents" "notices" {
  filter = "_type == \"notice\" && accessTier in ${jsonencode(keys(local.tier_groups))}"
  fields = ["access_tier"]
}

resource "sanityokta_document_link" "tier" {
  for_each = data.sanityokta_documents.notices.documents

  document_id    = each.key
  group_id       = local.tier_groups[each.value.access_tier]
  document_field = var.document_field
}

output "links" {
  description = "Per linked document: the existing group it points at, and whether the ID is written back into every variant."
  value = {
    for id, link in sanityokta_document_link.tier : id => {
      group_id     = link.group_id
      group_name   = link.group_name
      written_back = link.document_synced
    }
  }
}
