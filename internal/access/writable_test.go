package access_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/access"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity/sanitytest"
)

// A read-only Sanity token is found out before any Okta group exists, with one dry-run request per
// Service, and the message says what to change.
func TestCreateWithReadOnlyTokenCreatesNoGroup(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.seed(t, doc("a"), doc("b"))
	svc, err := access.Open(context.Background(), access.Config{
		Sanity:  access.SanityConfig{ProjectID: w.lake.ProjectID(), Dataset: w.lake.Dataset(), Token: w.lake.ReadToken(), APIHost: w.lake.URL},
		Okta:    access.OktaConfig{OrgURL: w.org.URL, APIToken: w.org.Token()},
		Options: access.Options{GroupNamePrefix: access.DefaultGroupNamePrefix},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b"} {
		_, _, err := svc.Create(context.Background(), spec(id, "content:"+id))
		for _, want := range []string{
			`not creating the Okta group for document "` + id + `"`,
			"may read the dataset but not write to it",
			"SANITY_API_TOKEN", "no group was created", `permission "update"`,
		} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("create %s: %v\nwant it to contain %q", id, err, want)
			}
		}
		if err != nil && strings.Contains(err.Error(), "next apply adopts") {
			t.Errorf("create %s promises the next apply finishes: %v", id, err)
		}
	}
	if n := len(w.org.Groups()); n != 1 {
		t.Errorf("the org has %d groups, want only Everyone", n)
	}
	if n := w.lake.CountRequests("POST", "/v*/data/mutate/*"); n != 1 {
		t.Errorf("%d mutation requests, want one dry run for the whole Service", n)
	}
	for _, r := range w.lake.Requests() {
		if strings.Contains(r.Path, "/data/mutate/") && !strings.Contains(r.RawQuery, "dryRun=true") {
			t.Errorf("a mutation was sent without dryRun: %+v", r)
		}
	}
}

// When the write-back itself is refused for want of a permission, the error does not claim the next
// apply finishes by itself.
func TestWriteBackRefusedForPermissionSaysTheTokenMustChange(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.seed(t, doc("a"))
	w.lake.FailNext(sanitytest.Fault{Method: "POST", Path: "/v*/data/mutate/*"}) // the dry run passes
	w.lake.FailNext(sanitytest.Fault{Method: "POST", Path: "/v*/data/mutate/*", Status: 403,
		Body: `{"error":{"type":"mutationError","description":"Mutation(s) failed with 1 error(s)","items":[{"error":{"type":"insufficientPermissionsError","permission":"update","description":"Insufficient permissions; permission \"update\" required"},"index":0}]}}`})
	_, _, err := w.svc.Create(context.Background(), spec("a", "content:a"))
	for _, want := range []string{"could not be written back", "finishes only once the Sanity API token may write", "SANITY_API_TOKEN"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v\nwant it to contain %q", err, want)
		}
	}
}
