# Who is in each document's group: one Okta group rule per document, matching the people of the
# document's department. Okta stays the source of truth for people and their departments; the rule only
# connects that attribute to the group. Okta evaluates rules in the background, so members appear a little
# after the apply, not during it.

# The content team's department names are not Okta's: profiles carry the HR system's names ("HR", not
# "people"), and rules compare exactly. A document whose department is not listed here gets no rule, so
# its group stays empty rather than matching by accident.
locals {
  okta_departments = {
    sales       = "Sales"
    people      = "HR"
    engineering = "Engineering"
    finance     = "Finance"
    legal       = "Legal"
  }
}

# The gated documents again, with only their department: main.tf's data source stays at slug and title,
# because every attribute added there is read again for every group. The filter leaves out documents
# without a listed department.
data "sanityokta_documents" "departments" {
  filter = "_type in ${jsonencode(local.gated_types)} && department in ${jsonencode(keys(local.okta_departments))}"
  fields = ["department"]
}

resource "sanityokta_group_rule" "department" {
  for_each = data.sanityokta_documents.departments.documents

  # Rule names are unique in the org (and at most 50 characters): the prefix keeps another configuration's
  # rules for the same documents apart, and a document ID (36 characters for the Studio's) fits.
  name     = "${var.rule_name_prefix}${each.key}"
  group_id = sanityokta_document_group.content[each.key].id
  # The department reaches the rule only through the map above, and the provider quotes the value: nothing
  # an editor types into the field can widen the rule.
  match = {
    department = [local.okta_departments[each.value.department]]
  }
}

output "rules" {
  description = "Per document: its group rule's name, the condition Okta evaluates, and the rule's status."
  value = {
    for id, rule in sanityokta_group_rule.department : id => {
      name      = rule.name
      group_id  = rule.group_id
      condition = rule.expression_value
      status    = rule.status
    }
  }
}
