# Runs against whatever the provider's environment points at; with the local stack's export lines
# loaded, that is the local stack (see the "Local stack" guide). Needs Terraform 1.6 or later.

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
    condition     = alltrue([for g in values(output.groups) : startswith(g.name, "content:")])
    error_message = "Group names should carry the content: prefix."
  }
}
