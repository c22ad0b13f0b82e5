# Terraform 1.5 and later: import during plan with an import block.
import {
  to = sanityokta_document_group.content["handbook-engineering"]
  id = "handbook-engineering"
}

import {
  to = sanityokta_document_group.content["handbook-sales"]
  id = "handbook-sales:00g1a2b3c4d5e6f7g8h9"
}
