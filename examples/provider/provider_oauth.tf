# Okta through an OAuth 2.0 service app (private_key_jwt) instead of an API token. The app needs the
# okta.groups.manage scope granted, and a role that lets it manage the groups.
variable "okta_private_key" {
  description = "PEM-encoded private key of the service app's JWK."
  type        = string
  sensitive   = true
}

provider "sanityokta" {
  alias = "service_app"

  sanity {
    project_id = "abc123"
    dataset    = "production"
    # token comes from SANITY_API_TOKEN
  }

  okta {
    org_url        = "https://dev-123456.okta.com"
    client_id      = "0oa1b2c3d4e5f6g7h8i9"
    private_key    = var.okta_private_key
    private_key_id = "kid-2026-11"
    scopes         = ["okta.groups.manage"]
  }
}
