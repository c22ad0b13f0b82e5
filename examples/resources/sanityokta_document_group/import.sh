# By document ID: the group is the one the document's oktaGroupId field names.
terraform import 'sanityokta_document_group.content["handbook-engineering"]' handbook-engineering

# By document ID and group ID, for a group the document does not name yet.
terraform import 'sanityokta_document_group.content["handbook-sales"]' handbook-sales:00g1a2b3c4d5e6f7g8h9
