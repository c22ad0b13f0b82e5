// Package access is the domain of the sanityokta provider: it makes one Okta group exist for one Sanity
// document, writes the group's ID back into every variant of that document, and refuses to touch groups
// the provider does not own.
//
// It knows nothing about Terraform. It talks to Okta through Directory and to the Content Lake through
// ContentLake, two small interfaces with adapters over internal/okta and internal/sanity, so the logic can be
// exercised against the fakes or against test doubles alike.
package access
