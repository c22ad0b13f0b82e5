package chaos

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/devstack"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/e2e/pipeline"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/tfrun"
)

const (
	docType     = "chaosHandbook"
	groupPrefix = "content:"
	field       = "oktaGroupId"
)

// TestMain removes the provider the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	tfrun.Cleanup()
	os.Exit(code)
}

func terraformPath(tb testing.TB) string { return tfrun.TerraformPath(tb) }
func buildProvider(tb testing.TB) string { return tfrun.BuildProvider(tb) }

// config is what a user writes: one group per gated document, named after its slug.
const config = `terraform {
  required_providers {
    sanityokta = { source = "sanityokta/sanityokta" }
  }
}

provider "sanityokta" {}

data "sanityokta_documents" "gated" {
  filter = "_type == \"` + docType + `\""
}

resource "sanityokta_document_group" "content" {
  for_each    = data.sanityokta_documents.gated.documents
  document_id = each.key
  name        = "` + groupPrefix + `${each.value.slug}"
  description = "Access to ${each.value.title}"
}
`

// world is one case's local stack, Terraform working directory and documents.
type world struct {
	tb    testing.TB
	stack *devstack.Stack
	n     int
	dir   string
	env   []string
	tf    string
	log   strings.Builder

	// edits is the last value the editor wrote to each draft it patched.
	editsMu sync.Mutex
	edits   map[string]int

	// outages counts the outages a case started.
	outages atomic.Int32
}

type worldOptions struct {
	n         int
	searchLag time.Duration
	// retries is OKTA_MAX_RETRIES; empty leaves the provider's default.
	retries string
}

func docID(i int) string { return fmt.Sprintf("chaos-%04d", i) }

// hasDraft says which documents also have a draft open in the Studio: every third.
func hasDraft(i int) bool { return i%3 == 0 }

func newWorld(tb testing.TB, opts worldOptions) *world {
	tb.Helper()
	tf := terraformPath(tb)
	provider := buildProvider(tb)

	var seed strings.Builder
	for i := range opts.n {
		fmt.Fprintf(&seed, `{"_id":%q,"_type":%q,"title":"Handbook %d","slug":{"_type":"slug","current":%q}}`+"\n",
			docID(i), docType, i, docID(i))
		if hasDraft(i) {
			fmt.Fprintf(&seed, `{"_id":%q,"_type":%q,"title":"Handbook %d","slug":{"_type":"slug","current":%q}}`+"\n",
				"drafts."+docID(i), docType, i, docID(i))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var oktaOpts []oktatest.Option
	if opts.searchLag > 0 {
		oktaOpts = append(oktaOpts, oktatest.WithLimits(oktatest.Limits{SearchLag: opts.searchLag}))
	}
	stack, err := devstack.Start(ctx, devstack.Options{Seed: strings.NewReader(seed.String()), SeedName: "chaos", OktaOptions: oktaOpts})
	if err != nil {
		tb.Fatalf("starting the local stack: %v", err)
	}
	tb.Cleanup(stack.Close)

	w := &world{tb: tb, stack: stack, n: opts.n, dir: tb.TempDir(), tf: tf, edits: map[string]int{}}
	if err := os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(config), 0o600); err != nil {
		tb.Fatal(err)
	}
	cliConfig := filepath.Join(tb.TempDir(), "terraformrc")
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"sanityokta/sanityokta\" = %q\n  }\n  direct {}\n}\n", filepath.ToSlash(provider))
	if err := os.WriteFile(cliConfig, []byte(rc), 0o600); err != nil {
		tb.Fatal(err)
	}
	w.env = devstack.TerraformEnviron(os.Environ(), stack.Environ(), cliConfig)
	// A destroy of every group is what these cases do on purpose.
	w.env = append(w.env, "SANITYOKTA_DELETION_LIMIT=1000000")
	if opts.retries != "" {
		w.env = append(w.env, "OKTA_MAX_RETRIES="+opts.retries)
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			out := w.log.String()
			if len(out) > 20000 {
				out = "...\n" + out[len(out)-20000:]
			}
			tb.Logf("terraform output:\n%s", out)
		}
	})
	return w
}

// apply runs `terraform apply` (with -destroy when destroy is set) once.
func (w *world) apply(destroy bool) error {
	var args []string
	if destroy {
		args = append(args, "-destroy")
	}
	run := &pipeline.TerraformApply{Terraform: w.tf, Dir: w.dir, Env: w.env, Log: &lockedWriter{w: &w.log}, Args: args}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	_, err := run.Run(ctx)
	return err
}

// oktaRequests is how many requests reached the fake org.
func (w *world) oktaRequests() int {
	n := 0
	for _, b := range w.stack.Okta.Buckets() {
		n += b.Requests
	}
	return n
}

// ownedGroups returns the groups under the ownership prefix, by name.
func (w *world) ownedGroups() map[string][]oktatest.Group {
	out := map[string][]oktatest.Group{}
	for _, g := range w.stack.Okta.Groups() {
		if strings.HasPrefix(g.Name, groupPrefix) {
			out[g.Name] = append(out[g.Name], g)
		}
	}
	return out
}

// checkSynced is what a user expects after an apply: exactly one group per document, each document
// (published, and its draft) naming its own existing group, no other groups, no editor edit lost.
func (w *world) checkSynced(tb testing.TB) {
	tb.Helper()
	groups := w.ownedGroups()
	if len(groups) != w.n {
		tb.Errorf("%d group names under %q, want one per document (%d)", len(groups), groupPrefix, w.n)
	}
	problems := 0
	report := func(format string, args ...any) {
		problems++
		if problems <= 10 {
			tb.Errorf(format, args...)
		}
	}
	for i := range w.n {
		id := docID(i)
		named := groups[groupPrefix+id]
		if len(named) != 1 {
			report("document %s: %d groups named %q, want exactly 1", id, len(named), groupPrefix+id)
			continue
		}
		ids := []string{id}
		if hasDraft(i) {
			ids = append(ids, "drafts."+id)
		}
		for _, v := range ids {
			doc := w.stack.Sanity.Document(v)
			if doc == nil {
				report("document %s is gone", v)
				continue
			}
			if got, _ := doc[field].(string); got != named[0].ID {
				report("document %s names group %q, want its own group %s", v, got, named[0].ID)
			}
		}
	}
	w.checkEdits(tb, report)
	if problems > 10 {
		tb.Errorf("... and %d more problems", problems-10)
	}
}

// checkDestroyed: no owned group is left, and no document names one.
func (w *world) checkDestroyed(tb testing.TB) {
	tb.Helper()
	if groups := w.ownedGroups(); len(groups) != 0 {
		tb.Errorf("%d groups under %q are left after destroy, want none", len(groups), groupPrefix)
	}
	for i := range w.n {
		ids := []string{docID(i)}
		if hasDraft(i) {
			ids = append(ids, "drafts."+docID(i))
		}
		for _, id := range ids {
			if doc := w.stack.Sanity.Document(id); doc == nil || doc[field] != nil {
				tb.Errorf("after destroy document %s is %v, want it without %s", id, doc, field)
				return
			}
		}
	}
	w.checkEdits(tb, tb.Errorf)
}

func (w *world) checkEdits(tb testing.TB, report func(string, ...any)) {
	tb.Helper()
	w.editsMu.Lock()
	defer w.editsMu.Unlock()
	for id, want := range w.edits {
		doc := w.stack.Sanity.Document(id)
		if got, _ := doc["editorRound"].(float64); doc == nil || int(got) != want {
			report("the editor's last edit of %s (editorRound %d) is lost: the document has %v", id, want, doc["editorRound"])
		}
	}
}

// editor patches the drafts of the documents over and over, as an editor typing in the Studio does,
// until stop is closed.
func (w *world) editor(stop <-chan struct{}, done *sync.WaitGroup) {
	done.Add(1)
	go func() {
		defer done.Done()
		round := 0
		for {
			for i := range w.n {
				if !hasDraft(i) {
					continue
				}
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
				round++
				id := "drafts." + docID(i)
				if err := w.stack.Sanity.Edit(docID(i), map[string]any{"editorRound": round}); err != nil {
					w.tb.Errorf("editing %s: %v", id, err)
					return
				}
				w.editsMu.Lock()
				w.edits[id] = round
				w.editsMu.Unlock()
			}
		}
	}()
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
