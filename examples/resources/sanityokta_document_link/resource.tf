# Documents of a shared tier point at that tier's group, which the Okta admins manage: a partner portal
# with 3,000 price lists needs one Partners group, not 3,000 groups.
locals {
  # Existing Okta groups by access tier. With the Okta provider, these would be okta_group resources or
  # data sources (okta_group.partners.id); the local stack starts with these two.
  tier_groups = {
    partner  = "00gPartnersTier00001"
    internal = "00gEmployeesTier0001"
  }
}

data "sanityokta_documents" "tiered" {
  filter = "_type in [\"partnerPricing\", \"handbook\"] && accessTier in [\"partner\", \"internal\"]"
  fields = ["access_tier"]
}

resource "sanityokta_document_link" "tier" {
  for_each = data.sanityokta_documents.tiered.documents

  document_id = each.key
  group_id    = local.tier_groups[each.value.access_tier]
}
