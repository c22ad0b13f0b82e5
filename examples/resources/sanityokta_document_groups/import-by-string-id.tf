# Terraform 1.5 and later: import every document whose published version holds a group ID in
# oktaGroupId, with an import block.
import {
  to = sanityokta_document_groups.content
  id = "*"
}

# Another field: every document that holds a group ID in courseGroupId. A comma-separated list of
# document IDs, each optionally with ":<group id>", imports just those documents.
import {
  to = sanityokta_document_groups.courses
  id = "*:courseGroupId"
}
