# By document ID: the link is to the group the document's oktaGroupId names.
terraform import 'sanityokta_document_link.tier["pricing-emea-reseller"]' pricing-emea-reseller
