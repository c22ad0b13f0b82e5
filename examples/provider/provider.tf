terraform {
  required_providers {
    sanityokta = {
      source = "sanityokta/sanityokta"
    }
  }
}

variable "sanity_token" {
  description = "Sanity API token that can read and write the dataset below."
  type        = string
  sensitive   = true
}

variable "okta_token" {
  description = "Okta API token (SSWS) of an admin who can manage groups."
  type        = string
  sensitive   = true
}

provider "sanityokta" {
  sanity {
    project_id  = "abc123"     # or SANITY_PROJECT_ID
    dataset     = "production" # or SANITY_DATASET
    token       = var.sanity_token
    api_version = "2025-02-19" # the default; pinned, never "today"
  }

  okta {
    org_url   = "https://dev-123456.okta.com" # or OKTA_ORG_URL
    api_token = var.okta_token
  }

  # The provider only creates, adopts, renames or deletes groups whose names start with this prefix.
  group_name_prefix = "content:"
}
