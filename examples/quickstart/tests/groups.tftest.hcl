# Runs against whatever the provider's environment points at; with the local stack's export lines
# loaded, that is the local stack (see the "Local stack" guide). Needs Terraform 1.6 or later.
#
# The test has its own group name prefix and document field, so it can run beside an applied quickstart
# on the same org and dataset: it creates, checks and deletes its own groups (tftest:<slug>) and its own
# field, and never adopts or deletes the applied configuration's content:<slug> groups.
variables {
  group_name_prefix = "tftest:"
  document_field    = "tftestOktaGroupId"
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
