// Package e2e holds the end-to-end tests of the publish-triggered loop: an editor publishes in the
// fake Content Lake, the webhook defined in examples/ci/sanity-webhook.json delivers to a pipeline
// endpoint (internal/e2e/pipeline), the pipeline runs `terraform apply` with the provider built from this
// checkout against the local stack (internal/devstack), and the tests look at what a user would see:
// groups in the fake Okta org, IDs in the documents, and how many applies ran.
//
// The tests run with the acceptance tests (TF_ACC=1, `make test`); BenchmarkE2EPublishToSynced
// measures how long a publish takes to be synced.
package e2e
