data "sanityokta_documents" "gated" {
  filter = "_type in [\"partnerPricing\", \"handbook\", \"complianceCourse\"]"
}

# The groups of every gated document in one resource instance. Each entry gets what a
# sanityokta_document_group would: its own Okta group, with the group's ID written back into the
# document's oktaGroupId field (published document, draft and release versions).
resource "sanityokta_document_groups" "content" {
  documents = {
    for id, doc in data.sanityokta_documents.gated.documents : id => {
      name        = "content:${doc.slug}"
      description = "Access to ${doc.title}"
    }
  }
}

# Keep the groups of documents that leave the collection (deleted, unpublished or archived): only the
# written-back field is cleared.
data "sanityokta_documents" "courses" {
  filter = "_type == \"complianceCourse\" && region == $region"
  params = { region = "emea" }
  fields = ["slug", "title", "department"]
}

resource "sanityokta_document_groups" "courses" {
  document_field = "courseGroupId"
  on_destroy     = "keep"
  documents = {
    for id, doc in data.sanityokta_documents.courses.documents : id => {
      name        = "content:course-${doc.slug}"
      description = "${doc.title} (${coalesce(doc.department, "all departments")})"
    }
  }
}
