// Package access is the domain of the sanityokta provider: it makes one Okta group exist for one Sanity
// document, writes the group's ID back into every variant of that document, and refuses to touch groups
// the provider does not own. It knows nothing about Terraform.
//
// Where each mechanism lives:
//
//   - ports.go: Directory (Okta groups and group rules) and ContentLake (Sanity), the two interfaces the
//     domain talks through; internal/backend adapts the clients to them and builds a Service over both.
//   - service.go: Service, one per provider process (one Terraform walk), and its Options.
//   - document_group.go: Create, Read, Update, Delete and Import of a document's group: adoption by stored
//     ID or exact name, and the order in which everything is checked.
//   - guard.go: the ownership guard (group type, admin privileges, name prefix); GuardError in errors.go.
//   - claims.go: one group per document and one resource per document within a Service (plan-time and
//     create-time claims, the hand-over wait when a rename or destroy in the same run frees a name).
//   - deletion_limit.go: the deletion limit, counted at plan time and again at apply time.
//   - writeback.go: the write-back transaction: one patch per variant, guarded by its revision, under a
//     deterministic transaction ID, re-read and retried on a conflict.
//   - coalesce.go: write-backs of creates that run together share one transaction.
//   - shared_reads.go: one paged listing of the groups under the prefix and one of the written-back field,
//     shared by every read of a Service instead of a request per resource.
//   - documents.go: the data source's paged GROQ read, and the check that a query returns documents;
//     perspective.go: which perspectives the data source accepts.
//   - link.go: links of documents to groups the provider does not own.
//   - rule.go: group rules that fill a document's group, and the shared listing of rules.
//   - credentials.go, writable.go: the checks, once per Service, that both credentials work and that the
//     Sanity token may write, before any group is created.
//   - document.go: document IDs, field names and a document's variants.
package access
