package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/devstack"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/e2e/pipeline"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity/sanitytest"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/tfrun"
)

// Placeholders in examples/ci/sanity-webhook.json that a user replaces, and so the test does too.
// Everything else in the file is registered as it is.
const (
	urlPlaceholder    = "https://api.github.com/repos/your-org/access-pipeline/dispatches"
	secretPlaceholder = "REPLACE_WITH_WEBHOOK_SECRET"
)

// TestMain removes the provider the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	tfrun.Cleanup()
	os.Exit(code)
}

func repoRoot(tb testing.TB) string      { return tfrun.RepoRoot(tb) }
func terraformPath(tb testing.TB) string { return tfrun.TerraformPath(tb) }
func buildProvider(tb testing.TB) string { return tfrun.BuildProvider(tb) }

func requireAcc(tb testing.TB) {
	tb.Helper()
	if os.Getenv("TF_ACC") == "" {
		tb.Skip("end-to-end test: runs terraform apply against the local stack; set TF_ACC=1 (make test does)")
	}
}

// loop is the whole publish-triggered loop on the local stack.
type loop struct {
	tb       testing.TB
	stack    *devstack.Stack
	sanity   *sanitytest.Server
	okta     *oktatest.Server
	group    *pipeline.Group
	receiver *pipeline.Receiver
	endpoint *httptest.Server
	hook     sanitytest.Webhook
	secret   string
	dir      string
	log      *bytes.Buffer
	// clockSkew moves the receiver's clock, to replay a delivery later than it was made.
	clockSkew atomic.Int64
}

type loopOptions struct {
	// keepGroups sets on_destroy = "keep" on the quickstart's resource, with an override file.
	keepGroups bool
	// seed is NDJSON for the Content Lake.
	seed string
	// endpoint wraps the receiver, to see or change what reaches it.
	endpoint func(http.Handler) http.Handler
}

func newLoop(tb testing.TB, opts loopOptions) *loop {
	tb.Helper()
	terraform := terraformPath(tb)
	provider := buildProvider(tb)
	root := repoRoot(tb)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stack, err := devstack.Start(ctx, devstack.Options{
		Seed: strings.NewReader(opts.seed),
		// Deliveries that fail are retried quickly, so a test sees the retry.
		SanityOptions: []sanitytest.Option{sanitytest.WithWebhookRetry(50*time.Millisecond, 30*time.Second)},
	})
	if err != nil {
		tb.Fatalf("starting the local stack: %v", err)
	}
	tb.Cleanup(stack.Close)

	l := &loop{tb: tb, stack: stack, sanity: stack.Sanity, okta: stack.Okta, secret: randomHex(tb), log: &bytes.Buffer{}}

	// The working directory: the quickstart configuration as users get it, and its local state.
	l.dir = tb.TempDir()
	copyFile(tb, filepath.Join(root, "examples", "quickstart", "main.tf"), filepath.Join(l.dir, "main.tf"))
	if opts.keepGroups {
		writeFile(tb, filepath.Join(l.dir, "keep_override.tf"),
			"resource \"sanityokta_document_group\" \"content\" {\n  on_destroy = \"keep\"\n}\n")
	}
	cliConfig := filepath.Join(tb.TempDir(), "terraformrc")
	writeFile(tb, cliConfig, fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"sanityokta/sanityokta\" = %q\n  }\n  direct {}\n}\n", filepath.ToSlash(provider)))

	runner := &pipeline.TerraformApply{
		Terraform: terraform,
		Dir:       l.dir,
		Env:       devstack.TerraformEnviron(os.Environ(), stack.Environ(), cliConfig),
		Log:       l.log,
	}
	l.group = pipeline.NewGroup(runner)
	tb.Cleanup(l.group.Close)

	l.receiver, err = pipeline.NewReceiver(l.group, pipeline.ReceiverConfig{
		Secret:     l.secret,
		EventTypes: workflowEventTypes(tb, filepath.Join(root, "examples", "ci", "github-actions.yml")),
		Now:        func() time.Time { return time.Now().Add(time.Duration(l.clockSkew.Load())) },
	})
	if err != nil {
		tb.Fatal(err)
	}
	var h http.Handler = l.receiver
	if opts.endpoint != nil {
		h = opts.endpoint(h)
	}
	l.endpoint = httptest.NewServer(h)
	tb.Cleanup(l.endpoint.Close)

	l.hook = registerExampleWebhook(tb, l.sanity, filepath.Join(root, "examples", "ci", "sanity-webhook.json"), l.endpoint.URL, l.secret)
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("terraform output:\n%s", l.log.String())
			for _, d := range l.receiver.Deliveries() {
				tb.Logf("delivery %s %s %s: %s (%d) %s", d.IdempotencyKey, d.Operation, d.DocumentID, d.Outcome, d.Status, d.Reason)
			}
		}
	})
	return l
}

// registerExampleWebhook registers examples/ci/sanity-webhook.json as a user would through the
// webhooks API, with only the URL and secret placeholders replaced. Fields the fake does not know
// fail the test, so the example cannot drift from what the webhook API takes.
func registerExampleWebhook(tb testing.TB, srv *sanitytest.Server, path, url, secret string) sanitytest.Webhook {
	tb.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("reading the example webhook: %v", err)
	}
	for _, p := range []string{urlPlaceholder, secretPlaceholder} {
		if !bytes.Contains(raw, []byte(p)) {
			tb.Fatalf("%s no longer holds the placeholder %q that the guide tells users to replace", path, p)
		}
	}
	raw = bytes.ReplaceAll(raw, []byte(urlPlaceholder), []byte(url))
	raw = bytes.ReplaceAll(raw, []byte(secretPlaceholder), []byte(secret))
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var h sanitytest.Webhook
	if err := dec.Decode(&h); err != nil {
		tb.Fatalf("the example webhook %s does not decode as a webhook definition: %v", path, err)
	}
	if h.Dataset != srv.Dataset() {
		tb.Fatalf("the example webhook is for dataset %q, the local stack serves %q", h.Dataset, srv.Dataset())
	}
	created, err := srv.CreateWebhook(h)
	if err != nil {
		tb.Fatalf("registering the example webhook: %v", err)
	}
	return created
}

// workflowEventTypes reads the repository_dispatch types of the example GitHub workflow, so that the
// test pipeline starts runs for exactly the events the workflow would.
func workflowEventTypes(tb testing.TB, path string) []string {
	tb.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("reading the example workflow: %v", err)
	}
	var types []string
	section := ""
	for _, line := range strings.Split(string(raw), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "repository_dispatch:":
			section = "dispatch"
		case section == "dispatch" && trimmed == "types:":
			section = "types"
		case section == "types" && strings.HasPrefix(trimmed, "- "):
			types = append(types, strings.Trim(strings.TrimPrefix(trimmed, "- "), `"'`))
		case section == "types" && trimmed != "":
			section = "done"
		}
	}
	if len(types) == 0 {
		tb.Fatalf("%s: no repository_dispatch types found", path)
	}
	return types
}

// settle waits until every delivery has been made and every run it started has finished, including
// runs started by deliveries that earlier runs caused.
func (l *loop) settle() {
	l.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for {
		if err := l.sanity.WaitForWebhooks(ctx); err != nil {
			l.tb.Fatalf("waiting for webhook deliveries: %v", err)
		}
		if err := l.group.WaitIdle(ctx); err != nil {
			l.tb.Fatal(err)
		}
		before := len(l.sanity.WebhookMessages(l.hook.ID))
		if err := l.sanity.WaitForWebhooks(ctx); err != nil {
			l.tb.Fatalf("waiting for webhook deliveries: %v", err)
		}
		if len(l.sanity.WebhookMessages(l.hook.ID)) == before && !l.group.Busy() {
			break
		}
	}
	for _, r := range l.group.Runs() {
		if r.Err != nil {
			l.tb.Fatalf("run %d failed: %v", r.N, r.Err)
		}
	}
}

// syncNow runs the pipeline by hand, as workflow_dispatch would, and waits for it.
func (l *loop) syncNow() pipeline.Run {
	l.tb.Helper()
	l.group.Trigger(pipeline.Trigger{})
	l.settle()
	runs := l.group.Runs()
	return runs[len(runs)-1]
}

// publishNew acts as an editor creating a gated handbook page and publishing it.
func (l *loop) publishNew(id, slug string) {
	l.tb.Helper()
	if _, err := l.sanity.Put(handbook("drafts."+id, slug)); err != nil {
		l.tb.Fatal(err)
	}
	if err := l.sanity.Publish(id); err != nil {
		l.tb.Fatal(err)
	}
}

func handbook(id, slug string) map[string]any {
	return map[string]any{
		"_id": id, "_type": "handbook", "title": "Handbook: " + slug,
		"slug":       map[string]any{"_type": "slug", "current": slug},
		"accessTier": "internal", "department": "engineering", "region": "global",
		"allowedRoles": []any{"engineer"}, "active": true,
	}
}

// seedNDJSON is NDJSON of published handbook pages, one per slug, with IDs "hb-<slug>".
func seedNDJSON(tb testing.TB, slugs ...string) string {
	tb.Helper()
	var b strings.Builder
	for _, s := range slugs {
		line, err := json.Marshal(handbook("hb-"+s, s))
		if err != nil {
			tb.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// oktaGroup is the one group named content:<slug>, or nil.
func (l *loop) oktaGroup(slug string) *oktatest.Group {
	l.tb.Helper()
	gs := l.okta.GroupsByName("content:" + slug)
	switch len(gs) {
	case 0:
		return nil
	case 1:
		return &gs[0]
	}
	l.tb.Fatalf("%d groups named content:%s, want at most one", len(gs), slug)
	return nil
}

// fieldOf is a document's oktaGroupId, "" when it has none, and "<no document>" when it is gone.
func (l *loop) fieldOf(id string) string {
	doc := l.sanity.Document(id)
	if doc == nil {
		return "<no document>"
	}
	s, _ := doc["oktaGroupId"].(string)
	return s
}

// writes counts the requests that change something: mutations and actions in the Content Lake, and
// anything but reads in the Okta org.
func (l *loop) writes() (sanityWrites, oktaWrites int) {
	sanityWrites = l.sanity.CountRequests(http.MethodPost, "/v*/data/mutate/*") + l.sanity.CountRequests(http.MethodPost, "/v*/data/actions/*")
	for _, r := range l.okta.Requests() {
		if r.Method != http.MethodGet {
			oktaWrites++
		}
	}
	return sanityWrites, oktaWrites
}

func randomHex(tb testing.TB) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func copyFile(tb testing.TB, from, to string) {
	tb.Helper()
	in, err := os.Open(from)
	if err != nil {
		tb.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		tb.Fatal(err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
}

func writeFile(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
}
