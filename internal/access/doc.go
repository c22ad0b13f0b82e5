// Package access is the domain of the sanityokta provider: it makes one Okta group exist for one Sanity
// document, writes the group's ID back into every variant of that document, and refuses to touch groups
// the provider does not own.
//
// It knows nothing about Terraform. It talks to Okta through Directory and to the Content Lake through
// ContentLake, two small interfaces with adapters over internal/okta (OktaDirectory) and internal/sanity
// (SanityContentLake), so the logic runs the same against the fakes, a real org, or test doubles.
//
// A Service is shared by every resource of one provider process. All its reads go through two methods,
// Directory.GetGroup (by ID) and Service.readVariants (one GROQ query per document), and all its writes
// through Directory and Service.apply. Shared reads (one paged listing of the groups under the prefix and
// one query for the written-back fields of all managed documents, instead of one call per resource) belong
// behind those two read paths, with the writes invalidating what they change; nothing else needs to move.
package access
