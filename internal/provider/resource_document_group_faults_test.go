package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/acctest"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity/sanitytest"
)

// Acceptance test 7: the Sanity write fails after the Okta create. The apply fails with a clear error, the
// next apply adopts the group instead of making a second one, also while Okta's search still lags
// behind the create.
func TestAccDocumentGroup_writeBackFailure(t *testing.T) {
	for _, tc := range []struct {
		name string
		lag  time.Duration
	}{
		{"search up to date", 0},
		{"search lagging", 4 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := acctest.New(t, acctest.Options{Okta: []oktatest.Option{oktatest.WithSearchLag(tc.lag)}})
			env.RequireFakes(t, "injects a failing mutation and search lag")
			id := env.DocID("retry")
			env.PutDocuments(t, handbook(env, id, "retry", "Retried"), withID(handbook(env, id, "retry", "Retried"), "drafts."+id, nil))
			name := env.Name("retry")
			env.CleanupGroupsNamed(t, name)
			const addr = "sanityokta_document_group.one"
			config := singleConfig(env, id, name, "")
			groups := newGroupTracker()
			var created string

			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             groups.checkDestroyed(t, env, id, "drafts."+id),
				Steps: []resource.TestStep{
					{
						PreConfig: func() {
							// The first mutation is the dry-run write check before the create; it goes through.
							env.Sanity.FailNext(sanitytest.Fault{Method: "POST", Path: "/v*/data/mutate/*"})
							env.Sanity.FailNext(sanitytest.Fault{Method: "POST", Path: "/v*/data/mutate/*", Status: 500})
						},
						Config:      config,
						ExpectError: loose(`exists, but its ID could not be written back; the next apply adopts the group`),
					},
					{
						PreConfig: func() {
							gs := env.GroupsNamed(t, name)
							if len(gs) != 1 {
								t.Fatalf("after the failed apply %d groups are named %q, want the one created", len(gs), name)
							}
							created = gs[0].ID
							if got := env.Field(t, id, "oktaGroupId"); got != "" {
								t.Fatalf("the failed transaction left oktaGroupId %q", got)
							}
						},
						Config: config,
						ConfigStateChecks: []statecheck.StateCheck{
							groups.record(addr),
							checkWrittenBack(t, env, addr, name, id, "drafts."+id),
							stateCheck(func(s *tfjson.State) error {
								if got, _ := groupIDOf(s, addr); got != created {
									return fmt.Errorf("state holds group %s, want the adopted %s", got, created)
								}
								if tc.lag > 0 && refusedCreates(env) == 0 {
									return fmt.Errorf("no create was refused as a duplicate: the lagging-search path was not exercised")
								}
								return nil
							}),
						},
					},
				},
			})
		})
	}
}

// refusedCreates counts group creates the fake org refused (duplicate name).
func refusedCreates(env *acctest.Env) int {
	n := 0
	for _, r := range env.Okta.Requests() {
		if r.Method == "POST" && r.Path == "/api/v1/groups" && r.Status == 400 {
			n++
		}
	}
	return n
}

// Acceptance test 8: the ownership guard. A document naming Everyone, a group with admin privileges, an
// APP_GROUP or a group outside the prefix gets a clear error and the group is left as it was; a name
// outside the prefix fails at plan.
func TestAccDocumentGroup_ownershipGuard(t *testing.T) {
	env := acctest.New(t)
	env.RequireFakes(t, "seeds an admin group and an APP_GROUP")
	admins, err := env.Okta.AddGroup(oktatest.Group{Name: env.Name("admins"), AdminPrivilege: true})
	if err != nil {
		t.Fatal(err)
	}
	imported, err := env.Okta.AddGroup(oktatest.Group{Name: env.Name("imported"), Type: oktatest.TypeAppGroup})
	if err != nil {
		t.Fatal(err)
	}
	marketing, err := env.Okta.AddGroup(oktatest.Group{Name: "Marketing", Description: "Owned by marketing"})
	if err != nil {
		t.Fatal(err)
	}
	everyone, _ := env.Okta.Group(env.Okta.EveryoneID())
	// An admin group that holds the very name the configuration asks for: adoption by name is guarded too.
	takenName, err := env.Okta.AddGroup(oktatest.Group{Name: env.Name("taken"), AdminPrivilege: true})
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		suffix string
		group  oktatest.Group
		want   string
	}{
		{"everyone", everyone, `it is a BUILT_IN group`},
		{"admin", admins, `it has administrator privileges`},
		{"appgroup", imported, `it is an APP_GROUP`},
		{"marketing", marketing, `does not start with the group name prefix "content:"`},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		id := env.DocID(c.suffix)
		env.PutDocuments(t, withID(handbook(env, id, c.suffix, c.suffix), id, map[string]any{"oktaGroupId": c.group.ID}))
		steps = append(steps, resource.TestStep{
			Config:      singleConfig(env, id, env.Name(c.suffix), ""),
			ExpectError: regexp.MustCompile(`(?s)refusing to adopt Okta group.*` + regexp.QuoteMeta(c.group.ID) + `.*` + regexp.QuoteMeta(id) + `.*` + strings.ReplaceAll(regexp.QuoteMeta(c.want), " ", `\s+`)),
		})
	}
	taken := env.DocID("taken")
	env.PutDocuments(t, handbook(env, taken, "taken", "taken"))
	steps = append(steps, resource.TestStep{
		Config:      singleConfig(env, taken, env.Name("taken"), ""),
		ExpectError: regexp.MustCompile(`(?s)refusing to adopt Okta group.*` + takenName.ID + `.*administrator\s+privileges`),
	})
	outside := env.DocID("outside")
	env.PutDocuments(t, handbook(env, outside, "outside", "outside"))
	steps = append(steps, resource.TestStep{
		Config:      singleConfig(env, outside, "Finance", ""),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)Group name outside the ownership prefix.*"Finance"`),
	})

	before := env.Okta.Groups()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
		CheckDestroy: func(*terraform.State) error {
			after := env.Okta.Groups()
			if len(after) != len(before) {
				return fmt.Errorf("the org had %d groups and now has %d: the guard let something through", len(before), len(after))
			}
			for i := range before {
				b, a := before[i], after[i]
				if a.ID != b.ID || a.Name != b.Name || a.Description != b.Description || !a.LastUpdated.Equal(b.LastUpdated) {
					return fmt.Errorf("group %s changed from %+v to %+v", b.ID, b, a)
				}
			}
			for _, c := range cases {
				if got := env.Field(t, env.DocID(c.suffix), "oktaGroupId"); got != c.group.ID {
					return fmt.Errorf("document %s now holds %q, want the untouched %q", env.DocID(c.suffix), got, c.group.ID)
				}
			}
			if got := env.Field(t, outside, "oktaGroupId"); got != "" {
				return fmt.Errorf("document %s was written to: %q", outside, got)
			}
			return nil
		},
	})
}

// Acceptance test 11: 50 documents applied with Terraform's default parallelism against an org with a
// developer org's limits (100 requests per bucket per window, 15 concurrent) and a short window, of which
// other clients of the org already used 85, so the apply's 100 requests in that bucket run into the limit.
// Because how many land in one window depends on timing, the first five creates are also answered 429
// outright, so the retry path runs in every run. No 429 reaches the user and every group exists exactly
// once.
func TestAccDocumentGroup_rateLimitedConcurrency(t *testing.T) {
	const n = 50
	env := acctest.New(t, acctest.Options{Okta: []oktatest.Option{
		oktatest.WithRateLimit(oktatest.DeveloperOrgRateLimit, 10*time.Second),
		oktatest.WithConcurrencyLimit(oktatest.DeveloperOrgConcurrency),
	}})
	env.RequireFakes(t, "sets the org's rate limits and a short window")
	docs := make([]map[string]any, 0, n)
	for i := 0; i < n; i++ {
		s := fmt.Sprintf("bulk-%02d", i)
		docs = append(docs, handbook(env, env.DocID(s), s, "Bulk "+s))
	}
	env.PutDocuments(t, docs...)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				env.Okta.FailNext("POST", "/api/v1/groups", 429, 5)
				for i := 0; i < 85; i++ {
					if _, err := env.OktaClient.ListGroupsByPrefix(context.Background(), "other-team:"); err != nil {
						t.Fatalf("using up part of the window: %v", err)
					}
				}
			},
			// The test's own destroy deletes all of them.
			Config: withProviderSetting(groupsConfig(env, ""), "deletion_limit = 1000"),
			ConfigStateChecks: []statecheck.StateCheck{stateCheck(func(*tfjson.State) error {
				for i := 0; i < n; i++ {
					s := fmt.Sprintf("bulk-%02d", i)
					gs := env.GroupsNamed(t, env.Name(s))
					if len(gs) != 1 {
						return fmt.Errorf("%d groups named %q, want exactly one", len(gs), env.Name(s))
					}
					if got := env.Field(t, env.DocID(s), "oktaGroupId"); got != gs[0].ID {
						return fmt.Errorf("document %s holds %q, want %q", env.DocID(s), got, gs[0].ID)
					}
				}
				answered429 := 0
				for _, r := range env.Okta.Requests() {
					if r.Status == 429 {
						answered429++
					}
				}
				t.Logf("okta answered 429 %d times; buckets after apply: %+v", answered429, env.Okta.Buckets())
				if answered429 < 5 {
					return fmt.Errorf("the org answered 429 only %d times, so the test proved nothing about rate limits", answered429)
				}
				return nil
			})},
		}},
	})
}

// Acceptance test 12: with TF_LOG=trace captured, neither token appears in any log line of Terraform or
// the provider.
func TestAccProvider_noSecretsInLogs(t *testing.T) {
	env := acctest.New(t)
	dir := t.TempDir()
	t.Setenv("TF_LOG", "trace")
	t.Setenv("TF_LOG_PATH_MASK", filepath.Join(dir, "%s.log"))
	id := env.DocID("logged")
	env.PutDocuments(t, handbook(env, id, "logged", "Logged"))
	env.CleanupGroupsNamed(t, env.Name("logged"))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    []resource.TestStep{{Config: groupsConfig(env, "")}},
	})

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		all.WriteString(withoutHarnessConfigEcho(string(b)))
	}
	logs := all.String()
	// The capture must hold the provider's own trace output, or the test proves nothing.
	for _, want := range []string{"configuring clients", "sanityokta_document_group"} {
		if !strings.Contains(logs, want) {
			t.Fatalf("captured logs (%d bytes) do not contain %q; the capture is not working", len(logs), want)
		}
	}
	for i, secret := range env.Secrets() {
		if strings.Contains(logs, secret) {
			line := logs[max(0, strings.Index(logs, secret)-300):strings.Index(logs, secret)]
			t.Errorf("token %d appears in the logs, after: %s", i, line)
		}
	}
}

var logRecordStart = regexp.MustCompile(`(?m)^\d{4}-\d{2}-\d{2}T`)

// withoutHarnessConfigEcho drops the test harness's own "Setting Terraform configuration" records: the
// harness logs the HCL it writes for each step, tokens included, which neither Terraform nor the
// provider does. Every other record is kept.
func withoutHarnessConfigEcho(logs string) string {
	starts := logRecordStart.FindAllStringIndex(logs, -1)
	var b strings.Builder
	prev := 0
	flush := func(end int) {
		rec := logs[prev:end]
		if !strings.Contains(rec, "sdk.helper_resource: Setting Terraform configuration") {
			b.WriteString(rec)
		}
	}
	for _, st := range starts {
		if st[0] > prev {
			flush(st[0])
		}
		prev = st[0]
	}
	flush(len(logs))
	return b.String()
}

// loose matches text the way Terraform prints it, wrapped at any space.
func loose(text string) *regexp.Regexp {
	return regexp.MustCompile(strings.ReplaceAll(regexp.QuoteMeta(text), " ", `\s+`))
}
