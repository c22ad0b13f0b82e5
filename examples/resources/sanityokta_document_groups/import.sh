# Every document whose published version holds a group ID in oktaGroupId.
terraform import sanityokta_document_groups.content '*'

# Another field: every document that holds a group ID in courseGroupId.
terraform import sanityokta_document_groups.courses '*:courseGroupId'

# Named documents, each optionally with the Okta group ID it should get.
terraform import sanityokta_document_groups.content 'handbook-sales,pricing-emea:00g1a2b3c4d5e6f7g8h9'
