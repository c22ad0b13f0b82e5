# Runs against whatever the provider's environment points at; with the local stack's export lines
# loaded, that is the local stack (see the "Local stack" guide). Needs Terraform 1.6 or later.
#
# The test has its own group name prefix, document field and rule names, so it can run beside an applied
# quickstart on the same org and dataset: it creates, checks and deletes its own groups (tftest:<slug>),
# rules (tftest <document>) and field, and never adopts or deletes the applied configuration's.
variables {
  group_name_prefix = "tftest:"
  document_field    = "tftestOktaGroupId"
  rule_name_prefix  = "tftest "
}

# The test's teardown destroys every group it made, more than the default deletion limit of 10.
provider "sanityokta" {
  group_name_prefix = "tftest:"
  deletion_limit    = 100
}

run "every_gated_document_gets_its_group" {
  command = apply

  assert {
    condition     = length(output.groups) == length(output.document_ids)
    error_message = "Every gated document should have exactly one group."
  }

  assert {
    condition     = alltrue([for g in values(output.groups) : g.written_back])
    error_message = "Every group's ID should be written back into its document."
  }

  assert {
    condition     = alltrue([for g in values(output.groups) : startswith(g.name, var.group_name_prefix)])
    error_message = "Group names should carry the test's prefix."
  }
}

run "documents_get_rules_and_links" {
  command = apply

  assert {
    condition     = length(output.rules) > 0 && alltrue([for r in values(output.rules) : r.status == "ACTIVE"])
    error_message = "Documents with a department should have an active group rule."
  }

  assert {
    condition     = alltrue([for id, r in output.rules : r.group_id == output.groups[id].group_id && startswith(r.name, var.rule_name_prefix)])
    error_message = "Each rule should fill its own document's group and carry the test's rule prefix."
  }

  assert {
    condition     = alltrue([for r in values(output.rules) : startswith(r.condition, "user.department == ")])
    error_message = "Each rule should match on the department."
  }

  assert {
    condition     = length(output.links) > 0 && alltrue([for l in values(output.links) : l.written_back && contains(["Partners", "Employees"], l.group_name)])
    error_message = "Every notice should be linked to its tier's existing group, with the ID written back."
  }

  assert {
    condition     = length(setintersection(keys(output.links), keys(output.groups))) == 0
    error_message = "A document is either linked or owns a group, never both."
  }
}
