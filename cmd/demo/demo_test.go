package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/devstack"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func quickstartStack(t *testing.T) *devstack.Stack {
	t.Helper()
	st, err := devstack.Start(context.Background(), devstack.Options{Seed: bytes.NewReader(devstack.QuickstartContent())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st
}

// provision does by hand what the provider does: a content:<slug> group per active gated document
// without one, its ID written into the document and every variant. It returns what Terraform's groups
// output would say for the groups it made.
func provision(t *testing.T, st *devstack.Stack) map[string]outputGroup {
	t.Helper()
	outputs := map[string]outputGroup{}
	for _, r := range snapshot(st) {
		if !r.Active || r.GroupID != "" {
			continue
		}
		g, err := st.Okta.AddGroup(oktatest.Group{Name: "content:" + r.Slug, Description: "Access to " + r.Title})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range st.Sanity.Documents() {
			id := str(d["_id"])
			if id == r.DocID || id == "drafts."+r.DocID || strings.HasPrefix(id, "versions.") && strings.HasSuffix(id, "."+r.DocID) {
				d[groupField] = g.ID
				if err := st.Sanity.Seed(d); err != nil {
					t.Fatal(err)
				}
			}
		}
		outputs[r.DocID] = outputGroup{Name: g.Name, GroupID: g.ID, WrittenBack: true}
	}
	return outputs
}

func TestTableShowsGroupsAndWriteBackFromTheFakes(t *testing.T) {
	st := quickstartStack(t)
	outputs := provision(t, st)
	rows := snapshot(st)
	if err := checkConverged(st, rows, outputs); err != nil {
		t.Fatalf("a correctly provisioned stack fails the check: %v", err)
	}

	var out bytes.Buffer
	printTable(&out, rows, map[string]string{"handbook-sales": "~"})
	table := out.String()
	for _, want := range []string{
		"DOCUMENT", "WRITTEN BACK",
		"content:engineering-handbook", "yes (+ draft)",
		"yes (+ release rQ1apacPrice)",
		"pricing-latam-2025", "none (inactive)",
		"~ handbook-sales",
		outputs["course-gdpr-emea"].GroupID,
	} {
		if !strings.Contains(table, want) {
			t.Errorf("the table lacks %q:\n%s", want, table)
		}
	}
	if strings.Contains(table, "author-") || strings.Contains(table, "image-") || strings.Contains(table, "drafts.") {
		t.Errorf("the table lists documents without access metadata or variants as rows:\n%s", table)
	}
	if strings.Contains(table, "notice-") {
		t.Errorf("the table of owned groups lists the linked notices:\n%s", table)
	}
}

func TestCheckConvergedNamesWhatIsWrong(t *testing.T) {
	st := quickstartStack(t)
	outputs := provision(t, st)

	// The pending draft loses the field, as when an editor's old draft is published over it.
	draft := st.Sanity.Document("drafts.handbook-engineering")
	delete(draft, groupField)
	if err := st.Sanity.Seed(draft); err != nil {
		t.Fatal(err)
	}
	// A group disappears from Okta.
	gone := outputs["course-gdpr-emea"].GroupID
	if err := st.Okta.DeleteGroup(gone); err != nil {
		t.Fatal(err)
	}
	// Terraform's state disagrees with the document.
	wrong := outputs["handbook-people"]
	wrong.GroupID = "00gSomethingElse"
	outputs["handbook-people"] = wrong

	err := checkConverged(st, snapshot(st), outputs)
	if err == nil {
		t.Fatal("checkConverged found nothing wrong")
	}
	for _, want := range []string{"handbook-engineering", "draft", "course-gdpr-emea", gone, "handbook-people", "00gSomethingElse"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not mention %q:\n%v", want, err)
		}
	}
}

func TestActAsEditorAndCheckEdited(t *testing.T) {
	st := quickstartStack(t)
	provision(t, st)
	before := snapshot(st)

	edits, err := actAsEditor(st)
	if err != nil {
		t.Fatal(err)
	}
	if len(edits) != 4 {
		t.Fatalf("edits = %v, want four", edits)
	}
	if got := str(st.Sanity.Document(movedDocID)["department"]); got != movedToDept {
		t.Errorf("%s department = %q, want %q", movedDocID, got, movedToDept)
	}
	if d := st.Sanity.Document(newDocID); d == nil || d["accessTier"] == nil || st.Sanity.Document("drafts."+newDocID) != nil {
		t.Errorf("the new document is not published as a gated document: %v", d)
	}
	if got := str(st.Sanity.Document(retitledDocID)["title"]); got != newTitle {
		t.Errorf("%s title = %q, want %q", retitledDocID, got, newTitle)
	}
	if st.Sanity.Document(retitledDocID)[groupField] == nil {
		t.Errorf("publishing the retitled document lost %s; the Studio keeps fields it does not edit", groupField)
	}
	if st.Sanity.Document(archivedDocID)["active"] != false {
		t.Errorf("%s is not archived", archivedDocID)
	}

	// Nothing applied yet: the check must fail on all three counts.
	err = checkEdited(st, before, snapshot(st))
	if err == nil {
		t.Fatal("checkEdited passed before anything was applied")
	}
	for _, want := range []string{newDocID, retitledDocID, archivedDocID} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not mention %s:\n%v", want, err)
		}
	}

	// Do by hand what the second apply does, and the check passes.
	sales := before[indexOf(before, retitledDocID)]
	if err := st.Okta.UpdateGroup(sales.GroupID, func(g *oktatest.Group) { g.Description = "Access to " + newTitle }); err != nil {
		t.Fatal(err)
	}
	archived := before[indexOf(before, archivedDocID)]
	if err := st.Okta.DeleteGroup(archived.GroupID); err != nil {
		t.Fatal(err)
	}
	d := st.Sanity.Document(archivedDocID)
	delete(d, groupField)
	if err := st.Sanity.Seed(d); err != nil {
		t.Fatal(err)
	}
	if made := provision(t, st); len(made) != 1 {
		t.Fatalf("only the new document should lack a group, provisioned %v", made)
	}
	if err := checkEdited(st, before, snapshot(st)); err != nil {
		t.Errorf("checkEdited after the changes were made: %v", err)
	}
}

func TestActAsEditorNeedsTheQuickstartContent(t *testing.T) {
	st, err := devstack.Start(context.Background(), devstack.Options{Seed: strings.NewReader(`{"_id":"x","_type":"handbook","accessTier":"internal"}`)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := actAsEditor(st); err == nil || !strings.Contains(err.Error(), "content.ndjson") {
		t.Errorf("actAsEditor on other content: %v, want an error pointing at the quickstart content", err)
	}
}

func indexOf(rows []row, id string) int {
	for i, r := range rows {
		if r.DocID == id {
			return i
		}
	}
	return -1
}

func TestParsePlan(t *testing.T) {
	plan := `{"format_version":"1.2","resource_changes":[
	 {"type":"sanityokta_document_group","index":"handbook-sales","change":{"actions":["update"],
	  "before":{"id":"00g1","name":"content:sales-handbook","description":"Access to Sales Handbook","document_synced":true},
	  "after":{"id":"00g1","name":"content:sales-handbook","description":"Access to Sales Playbook","document_synced":true}}},
	 {"type":"sanityokta_document_group","index":"course-new","change":{"actions":["create"],"before":null,
	  "after":{"name":"content:new"}}},
	 {"type":"sanityokta_group_rule","index":"course-new","change":{"actions":["create"],"before":null,
	  "after":{"name":"content course-new","match":{"department":["Legal"]}}}},
	 {"type":"sanityokta_document_group","index":"course-old","change":{"actions":["delete"],
	  "before":{"id":"00g2","name":"content:old"},"after":null}},
	 {"type":"sanityokta_group_rule","index":"course-old","change":{"actions":["delete"],
	  "before":{"id":"0pr2","name":"content course-old","group_id":"00g2","expression_value":"user.department == \"Legal\""},"after":null}},
	 {"type":"sanityokta_group_rule","index":"handbook-onboarding","change":{"actions":["update"],
	  "before":{"id":"0pr3","name":"content handbook-onboarding","group_id":"00g3","match":{"department":["Sales"]},"expression_value":"user.department == \"Sales\""},
	  "after":{"id":"0pr3","name":"content handbook-onboarding","group_id":"00g3","match":{"department":["HR"]},"expression_value":"user.department == \"HR\""}}},
	 {"type":"sanityokta_document_link","index":"notice-new","change":{"actions":["create"],"before":null,
	  "after":{"document_id":"notice-new","group_id":"00gPartnersTier00001"}}},
	 {"type":"sanityokta_document_group","index":"handbook-people","change":{"actions":["delete","create"],
	  "before":{"id":"00g3","document_id":"a"},"after":{"document_id":"b"}}},
	 {"type":"sanityokta_document_group","index":"handbook-finance","change":{"actions":["no-op"],"before":{},"after":{}}},
	 {"type":"sanityokta_documents","index":null,"change":{"actions":["read"]}}]}`
	changes, err := parsePlan([]byte(plan))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range changes {
		got = append(got, c.Mark()+c.DocID+":"+c.Kind+":"+c.Action)
	}
	want := "+course-new:group:create +course-new:rule:create -course-old:group:delete -course-old:rule:delete " +
		"~handbook-onboarding:rule:update ±handbook-people:group:replace ~handbook-sales:group:update +notice-new:link:create"
	if strings.Join(got, " ") != want {
		t.Errorf("changes = %v, want %s (by document ID, then group, rule, link)", got, want)
	}
	if s := planSummary(changes); s != "4 to add, 2 to change, 3 to destroy" {
		t.Errorf("planSummary = %q", s)
	}
	var out bytes.Buffer
	printPlan(&out, changes)
	for _, want := range []string{
		`description: "Access to Sales Handbook" -> "Access to Sales Playbook"`,
		"delete group content:old (00g2), clear oktaGroupId",
		"new group content:new",
		// The plan does not know a new rule's expression yet: it is built from match, as the provider does.
		`new rule "content course-new": user.department == "Legal"`,
		`delete rule "content course-old"`,
		`"content handbook-onboarding": user.department == "Sales" -> user.department == "HR"`,
		"link to group 00gPartnersTier00001",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the plan listing lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "document_synced") || strings.Contains(out.String(), "handbook-finance") {
		t.Errorf("the plan listing shows unchanged attributes or resources:\n%s", out.String())
	}
	if _, err := parsePlan([]byte("Error: not a plan")); err == nil {
		t.Error("parsePlan accepted text that is not JSON")
	}
}

func TestWorkspace(t *testing.T) {
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "work")
	for name, content := range map[string]string{
		"main.tf": "# config", "content.ndjson": "{}", "tests/groups.tftest.hcl": "run {}",
		"terraform.tfstate": "{}", "terraform.tfstate.backup": "{}", ".terraform.lock.hcl": "", ".terraform/x": "",
	} {
		p := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := copyExample(src, dst); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"main.tf": true, "tests/groups.tftest.hcl": true, "content.ndjson": true,
		"terraform.tfstate": false, "terraform.tfstate.backup": false, ".terraform.lock.hcl": false, ".terraform": false} {
		if _, err := os.Stat(filepath.Join(dst, name)); (err == nil) != want {
			t.Errorf("%s copied: %v, want %v", name, err == nil, want)
		}
	}

	rc := filepath.Join(dst, "terraform.rc")
	if err := writeCLIConfig(rc, "/opt/provider bin"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(rc)
	for _, want := range []string{"dev_overrides", `"sanityokta/sanityokta" = "/opt/provider bin"`, "direct {}"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the CLI configuration lacks %q:\n%s", want, b)
		}
	}
}

func TestParseFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"-rule-lag", "500ms", "-v"}, io.Discard)
	if err != nil || cfg.ruleLag != 500*time.Millisecond || !cfg.verbose {
		t.Errorf("parseFlags: %+v, %v", cfg, err)
	}
	if cfg, _ := parseFlags(nil, io.Discard); cfg.ruleLag != 2*time.Second {
		t.Errorf("the default rule lag is %s, want 2s: long enough to see, short enough to wait for", cfg.ruleLag)
	}
	for _, bad := range []string{"-1s", "2h"} {
		if _, err := parseFlags([]string{"-rule-lag", bad}, io.Discard); err == nil || !strings.Contains(err.Error(), "-rule-lag") {
			t.Errorf("-rule-lag %s: %v, want an error naming the flag", bad, err)
		}
	}
}

func TestSupportedVersion(t *testing.T) {
	for v, want := range map[string]bool{"1.5.0": true, "1.5.7": true, "1.11.4": true, "2.0.0": true, "1.4.7": false, "0.15.5": false, "": false, "x": false} {
		if supportedVersion(v) != want {
			t.Errorf("supportedVersion(%q) = %v, want %v", v, !want, want)
		}
	}
}

func TestRunExplainsMissingInputs(t *testing.T) {
	root := repoRoot(t)
	example := filepath.Join(root, "examples", "quickstart")
	providerDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(providerDir, providerBinary), nil, 0o755); err != nil {
		t.Fatal(err)
	}
	noPeople := t.TempDir()
	for _, f := range []string{"main.tf", "content.ndjson"} {
		if err := os.WriteFile(filepath.Join(noPeople, f), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for name, tc := range map[string]struct {
		cfg  config
		want string
	}{
		"no people":   {config{terraform: "terraform", providerDir: providerDir, example: noPeople}, "needs a users.ndjson"},
		"no provider": {config{terraform: "terraform", providerDir: t.TempDir(), example: example}, "make build"},
		"no example":  {config{terraform: "terraform", providerDir: providerDir, example: t.TempDir()}, "-example"},
		"no terraform": {config{terraform: filepath.Join(t.TempDir(), "terraform"), providerDir: providerDir, example: example},
			"terraform"},
	} {
		t.Run(name, func(t *testing.T) {
			err := run(context.Background(), tc.cfg, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("run: %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}

// The whole demo, as `make demo` runs it, against a provider built from this checkout. It needs
// Terraform, so it runs with the acceptance tests (TF_ACC=1).
func TestDemoEndToEnd(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 (and TF_ACC_TERRAFORM_PATH or terraform on PATH) to run the demo end to end")
	}
	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if terraform == "" {
		var err error
		if terraform, err = exec.LookPath("terraform"); err != nil {
			t.Skip("no terraform on PATH and TF_ACC_TERRAFORM_PATH is not set")
		}
	}
	root := repoRoot(t)
	providerDir := buildProvider(t, root)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out bytes.Buffer
	// A rule lag, so that the demo's wait for the members is part of the run.
	err := run(ctx, config{terraform: terraform, providerDir: providerDir, example: filepath.Join(root, "examples", "quickstart"),
		ruleLag: time.Second}, &out)
	t.Logf("demo output:\n%s", out.String())
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	for _, want := range []string{
		// 12 groups, 12 rules (every gated document has a listed department) and 3 links.
		"Apply complete! Resources: 27 added", "Plan: 2 to add, 2 to change, 2 to destroy",
		"Apply complete! Resources: 2 added, 2 changed, 2 destroyed", "yes (+ draft)", "Local stack stopped",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the demo's output lacks %q", want)
		}
	}
	// Lines of the tables, whatever their column widths: members before and after the move, the links,
	// and what each person's sign-in gave.
	for _, want := range []string{
		`(?m)^    content:new-hire-onboarding +user\.department == "Sales" +elin\.berg@example\.com$`,
		`(?m)^  ~ content:new-hire-onboarding +user\.department == "HR" +marcus\.reed@example\.com \(was elin\.berg@example\.com\)$`,
		`(?m)^    Employees +kept by the Okta admins +elin\.berg@example\.com, marcus\.reed@example\.com$`,
		`(?m)^    notice-partner-programme-2027 +Partner Programme Changes for 2027 +partner +Partners +00gPartnersTier00001$`,
		`(?m)^    notice-holiday-calendar-2027 +.* internal +Employees +00gEmployeesTier0001$`,
		// How many were in place when the apply ended depends on the machine's speed against the lag.
		`Right after the apply: \d+ of 7 memberships in place(, 1 left over from before)?; settled`,
		`(?m)^    marcus\.reed@example\.com \(HR, AMER, Employee\)\n      token groups \(3\): Employees, content:new-hire-onboarding, content:people-handbook\n      sees \(3\): +handbook-onboarding, handbook-people, notice-holiday-calendar-2027$`,
		`(?m)^    jo\.tanaka@example\.com \(Engineering, APAC, Contractor\)\n      token groups \(1\): content:engineering-handbook\n      sees \(1\): +handbook-engineering$`,
	} {
		if !regexp.MustCompile(want).MatchString(out.String()) {
			t.Errorf("the demo's output has no match for %s", want)
		}
	}
	if strings.Count(out.String(), "No changes.") != 2 {
		t.Errorf("the demo should show two plans without changes")
	}
	if runtime.GOOS == "linux" {
		if left := processesRunning(t, providerDir); len(left) > 0 {
			t.Errorf("processes from %s still run after the demo: %v", providerDir, left)
		}
	}
}

// processesRunning lists the command lines of processes whose executable lies under dir (Linux /proc).
func processesRunning(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("reading /proc: %v", err)
	}
	var found []string
	for _, e := range entries {
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		if strings.HasPrefix(string(cmdline), dir) {
			found = append(found, strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
	}
	return found
}

// The quickstart's terraform test runs beside an applied quickstart on the same local stack and leaves it
// untouched: its own prefixes and field keep it to groups, rules and links of its own, which it deletes
// at the end.
func TestQuickstartTestLeavesAnAppliedQuickstartAlone(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 (and TF_ACC_TERRAFORM_PATH or terraform on PATH) to run Terraform")
	}
	tf := &terraformCLI{path: os.Getenv("TF_ACC_TERRAFORM_PATH")}
	if tf.path == "" {
		t.Skip("TF_ACC_TERRAFORM_PATH is not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if v, err := tf.version(ctx); err != nil || !versionAtLeast(v, 1, 6) {
		t.Skipf("terraform test needs Terraform 1.6 or later (have %s, %v)", v, err)
	}
	root := repoRoot(t)
	providerDir := buildProvider(t, root)
	st := peopleStack(t, 0)
	work := t.TempDir()
	tf.dir = filepath.Join(work, "quickstart")
	cliConfig := filepath.Join(work, "terraform.rc")
	if err := writeCLIConfig(cliConfig, providerDir); err != nil {
		t.Fatal(err)
	}
	if err := copyExample(filepath.Join(root, "examples", "quickstart"), tf.dir); err != nil {
		t.Fatal(err)
	}
	tf.env = devstack.TerraformEnviron(os.Environ(), st.Environ(), cliConfig)

	if _, err := tf.mustRun(ctx, "apply", "-auto-approve", "-input=false"); err != nil {
		t.Fatal(err)
	}
	// What the applied quickstart holds, members included, once its rules have run.
	held := func() map[string]any {
		st.Okta.SettleRules()
		members := map[string][]string{}
		for _, g := range st.Okta.Groups() {
			members[g.Name] = st.Okta.GroupMembers(g.ID)
		}
		return map[string]any{"groups": snapshot(st), "links": linkSnapshot(st), "rules": st.Okta.GroupRules(), "members": members}
	}
	applied := held()
	if members := applied["members"].(map[string][]string); len(members["content:people-handbook"]) != 1 {
		t.Fatalf("the applied quickstart's rules should put Marcus in content:people-handbook: %v", members)
	}
	out, err := tf.mustRun(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "2 passed, 0 failed") {
		t.Errorf("terraform test did not pass its two runs:\n%s", out)
	}
	if after := held(); !reflect.DeepEqual(after, applied) {
		t.Errorf("terraform test changed the applied quickstart's groups, rules, members or documents:\nbefore %+v\nafter  %+v", applied, after)
	}
	for _, r := range st.Okta.GroupRules() {
		if strings.HasPrefix(r.Name, "tftest ") {
			t.Errorf("terraform test left its rule %q (%s) behind", r.Name, r.ID)
		}
	}
	for _, g := range st.Okta.Groups() {
		if strings.HasPrefix(g.Name, "tftest:") {
			t.Errorf("terraform test left its group %q (%s) behind", g.Name, g.ID)
		}
	}
	for _, d := range st.Sanity.Documents() {
		if v, ok := d["tftestOktaGroupId"]; ok {
			t.Errorf("terraform test left its field in %v: %v", d["_id"], v)
		}
	}
	if out, code, err := tf.run(ctx, "plan", "-detailed-exitcode", "-input=false"); err != nil || code != 0 {
		t.Errorf("the applied quickstart no longer plans empty after terraform test (exit %d, %v):\n%s", code, err, tail(out, 30))
	}
}

// versionAtLeast reports whether a version such as "1.11.4" is major.minor or later.
func versionAtLeast(v string, major, minor int) bool {
	var ma, mi int
	if _, err := fmt.Sscanf(v, "%d.%d", &ma, &mi); err != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}

// buildProvider builds the provider from this checkout into a temporary directory and returns it.
func buildProvider(t *testing.T, root string) string {
	t.Helper()
	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(dir, providerBinary), ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	return dir
}
