data "sanityokta_documents" "handbooks" {
  filter = "_type == \"handbook\" && defined(department)"
  fields = ["slug", "title", "department"]
}

resource "sanityokta_document_group" "handbook" {
  for_each = data.sanityokta_documents.handbooks.documents

  document_id = each.key
  name        = "content:${coalesce(each.value.slug, each.key)}"
  description = "Access to ${coalesce(each.value.title, each.key)}"
}

# The people of each handbook's department, in its region, become members of its group. The values come
# from the document and are quoted by the provider, so no field value can change what the rule means.
resource "sanityokta_group_rule" "handbook" {
  for_each = data.sanityokta_documents.handbooks.documents

  name     = "content ${each.key}"
  group_id = sanityokta_document_group.handbook[each.key].id
  match = {
    department = [each.value.department]
  }
}

# An admin can write the condition instead; it is checked at terraform validate.
resource "sanityokta_group_rule" "sales_leads" {
  name       = "content sales leads"
  group_id   = sanityokta_document_group.handbook["handbook-sales"].id
  expression = "user.department == \"sales\" AND String.stringContains(user.title, \"Lead\")"
}
