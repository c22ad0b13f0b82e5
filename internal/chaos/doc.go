// Package chaos holds the chaos tests: `terraform apply` (and destroy) with the provider built from this
// checkout, against the local stack (internal/devstack) while the fakes misbehave as the real services
// do on a bad day: a share of Okta's creates or deletes answered with 500, Okta unreachable for a few
// seconds in the middle of an apply, creates that Okta applied but whose answer was lost, Sanity 503s
// and lost answers during the write-back, and an editor patching the same documents throughout.
//
// Each case checks what a user would notice: the apply succeeds, there is exactly one group per
// document, every document names an existing group of its own, and no editor's edit is lost.
//
// TestChaos runs every case over a few dozen documents with the acceptance tests (TF_ACC=1, `make
// test`). BenchmarkChaos (`make bench`; CHAOS_N sets the size, default 200) runs every case three ways:
// without faults, with faults and the provider's retries off (okta.max_retries = 0, as before retries
// existed), and with faults and the default retries, and prints the applies each needed, their wall time
// and the Okta requests the retries added.
package chaos
