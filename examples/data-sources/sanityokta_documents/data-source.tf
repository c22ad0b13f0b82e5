# Every published, active partner price list. Documents with active == false are left out unless
# include_inactive = true.
data "sanityokta_documents" "pricing" {
  filter = "_type == \"partnerPricing\""
}

# GROQ parameters keep values out of the query text. Each document carries only the attributes in
# fields (slug and title unless you ask for more).
data "sanityokta_documents" "emea_courses" {
  filter = "_type == $type && region == $region"
  params = {
    type   = "complianceCourse"
    region = "emea"
  }
  fields = ["slug", "title", "department", "allowed_roles"]
}

# A whole query, for when a filter is not enough. It must return objects with _id.
data "sanityokta_documents" "by_owner" {
  query = "*[_type == \"handbook\" && owner._ref == $owner]"
  params = {
    owner = "author-devon-okafor"
  }
  include_inactive = true
}

output "pricing_groups_needed" {
  value = {
    for id, doc in data.sanityokta_documents.pricing.documents : id => "content:${coalesce(doc.slug, id)}"
  }
}
