data "sanityokta_documents" "gated" {
  filter = "_type in [\"partnerPricing\", \"handbook\", \"complianceCourse\"]"
}

# One Okta group per gated document; the group's ID is written back into each document's
# oktaGroupId field, on the published document, its draft and any release versions.
resource "sanityokta_document_group" "content" {
  for_each = data.sanityokta_documents.gated.documents

  document_id = each.key
  name        = "content:${each.value.slug}"
  description = "Access to ${each.value.title}"
}

# Keep the group when the document goes away (deleted, unpublished or archived): only the
# written-back field is cleared.
resource "sanityokta_document_group" "board_pack" {
  document_id    = "handbook-board"
  name           = "content:board-handbook"
  description    = "Access to the board handbook"
  document_field = "oktaGroupId"
  on_destroy     = "keep"
}
