# The gated documents, except the finance handbook, which has a resource of its own below: one
# document, one resource.
data "sanityokta_documents" "gated" {
  filter = "_type in [\"partnerPricing\", \"handbook\", \"complianceCourse\"] && _id != $kept"
  params = { kept = "handbook-finance" }
}

# One Okta group per gated document; the group's ID is written back into each document's
# oktaGroupId field, on the published document, its draft and any release versions. A document
# without a slug or a title falls back to its ID, so one incomplete document cannot fail the plan.
resource "sanityokta_document_group" "content" {
  for_each = data.sanityokta_documents.gated.documents

  document_id = each.key
  name        = "content:${coalesce(each.value.slug, each.key)}"
  description = "Access to ${coalesce(each.value.title, each.key)}"
}

# One document by ID. Keep the group when the document goes away (deleted, unpublished or
# archived): only the written-back field is cleared.
resource "sanityokta_document_group" "finance_handbook" {
  document_id    = "handbook-finance"
  name           = "content:finance-handbook"
  description    = "Access to the finance handbook"
  document_field = "oktaGroupId"
  on_destroy     = "keep"
}
