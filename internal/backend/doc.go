// Package backend connects the domain (internal/access) to the real services: it builds the Okta and
// Content Lake clients from a Config and adapts them to access's ports, so that access imports no client.
//
//   - config.go: Config, the clients' configurations and the domain's options, as the provider resolved them.
//   - open.go: Open, which builds both clients and a Service over them.
//   - okta_directory.go: OktaDirectory, access.Directory over internal/okta (groups and group rules).
//   - content_lake.go: SanityContentLake, access.ContentLake over internal/sanity (queries, guarded
//     mutations, the dry-run write check, the credential check).
package backend
