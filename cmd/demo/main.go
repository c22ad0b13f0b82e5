// Command demo walks through the provider's main job on the local stack, as `make demo` runs it:
// it starts the fake Okta org and Content Lake seeded with the quickstart content and people, applies
// examples/quickstart with the locally built provider, shows the groups and the written-back IDs, who the
// group rules put in each group and which documents link to which existing group, shows that a second
// plan changes nothing, acts as an editor (a new gated document, a changed title, a document moved to
// another department, an archived document), applies again and shows what changed, and finally signs
// each person in to the example app and shows the groups in their token and the documents they see. It
// checks every step against the fakes and exits non-zero, saying what went wrong, when a step does not do
// what it should.
//
//	go run ./cmd/demo -terraform "$(scripts/terraform-path.sh)" -provider-dir ./bin
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/devstack"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
)

// providerBinary is the file name Terraform looks for in a development override directory.
var providerBinary = "terraform-provider-sanityokta" + map[bool]string{true: ".exe"}[runtime.GOOS == "windows"]

type config struct {
	terraform   string // Terraform binary
	providerDir string // directory holding terraform-provider-sanityokta
	example     string // Terraform configuration with content.ndjson and users.ndjson beside it
	verbose     bool   // show Terraform's own output
	// ruleLag is how long the fake org's group rules take to move people after a change.
	ruleLag time.Duration
}

// story is what walkThrough needs besides Terraform and the stack.
type story struct {
	people  []person
	ruleLag time.Duration
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err == nil {
		err = run(ctx, cfg, os.Stdout)
	}
	switch {
	case err != nil && ctx.Err() != nil:
		fmt.Fprintln(os.Stderr, "\ndemo interrupted: Terraform and its provider have exited and the local stack is stopped")
		os.Exit(130)
	case err != nil:
		fmt.Fprintf(os.Stderr, "\ndemo failed: %v\n", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.StringVar(&cfg.terraform, "terraform", os.Getenv("TERRAFORM"), "Terraform `binary` (default: $TERRAFORM, else terraform on PATH)")
	fs.StringVar(&cfg.providerDir, "provider-dir", "bin", "`directory` holding the built "+providerBinary+" (make build puts it in ./bin)")
	fs.StringVar(&cfg.example, "example", filepath.Join("examples", "quickstart"), "Terraform configuration `directory` to apply; its content.ndjson seeds the Content Lake")
	fs.BoolVar(&cfg.verbose, "v", false, "show Terraform's own output")
	fs.DurationVar(&cfg.ruleLag, "rule-lag", 2*time.Second, "how long the fake org's group rules take to move people after a change (a real org's take seconds to minutes)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q; see -help", fs.Args())
	}
	if cfg.ruleLag < 0 || cfg.ruleLag > time.Minute {
		return config{}, fmt.Errorf("-rule-lag %s: want a duration between 0s and 1m", cfg.ruleLag)
	}
	return cfg, nil
}

// run is the whole demo. Everything it starts (the stack, Terraform and its plugins, the temporary
// directory) is gone when it returns.
func run(ctx context.Context, cfg config, out io.Writer) error {
	began := time.Now()
	tf, seed, providerDir, err := prepare(cfg)
	if err != nil {
		return err
	}
	usersFile := filepath.Join(cfg.example, "users.ndjson")
	people, err := readPeople(usersFile)
	if err != nil {
		return fmt.Errorf("%w; %s needs a users.ndjson with the people to sign in", err, cfg.example)
	}
	version, err := tf.version(ctx)
	if err != nil {
		return err
	}
	if !supportedVersion(version) {
		return fmt.Errorf("terraform %s at %s is older than 1.5; run scripts/terraform-path.sh to install 1.5.7 into ./bin", version, tf.path)
	}

	stack, err := devstack.Start(ctx, devstack.Options{SeedFile: seed, UsersFile: usersFile,
		OktaOptions: []oktatest.Option{oktatest.WithLimits(oktatest.Limits{RuleLag: cfg.ruleLag})}})
	if err != nil {
		return err
	}
	defer stack.Close()
	if err := actAsOktaAdmin(stack); err != nil {
		return err
	}

	work, err := os.MkdirTemp("", "sanityokta-demo-")
	if err != nil {
		return fmt.Errorf("creating a working directory: %w", err)
	}
	defer os.RemoveAll(work)
	tf.dir = filepath.Join(work, "quickstart")
	cliConfig := filepath.Join(work, "terraform.rc")
	if err := writeCLIConfig(cliConfig, providerDir); err != nil {
		return err
	}
	if err := copyExample(cfg.example, tf.dir); err != nil {
		return err
	}
	tf.env = devstack.TerraformEnviron(environ(), stack.Environ(), cliConfig)

	fmt.Fprintf(out, "Terraform %s (%s), provider from %s\n", version, tf.path, providerDir)
	fmt.Fprintf(out, "Local stack: fake Content Lake %s (%d documents from %s), fake Okta org %s\n",
		stack.SanityURL, len(stack.Sanity.Documents()), seed, stack.OktaURL)
	fmt.Fprintf(out, "People in the fake org, from %s:\n", usersFile)
	fmt.Fprint(out, wrapList("  ", personList(people), 110))
	fmt.Fprintln(out, "Tier groups, whose members the Okta admins keep outside Terraform:")
	for _, line := range adminSummary() {
		fmt.Fprintln(out, "  "+line)
	}
	fmt.Fprintf(out, "Working copy of %s in a temporary directory; the provider reads the stack's settings from the environment.\n", cfg.example)

	if err := walkThrough(ctx, tf, stack, story{people: people, ruleLag: cfg.ruleLag}, out); err != nil {
		return err
	}
	stack.Close()
	fmt.Fprintf(out, "\nDone in %.1fs. Local stack stopped, temporary directory removed.\n", time.Since(began).Seconds())
	return nil
}

// prepare checks the inputs and returns a Terraform runner (without a directory yet), the seed file and
// the provider's directory as an absolute path.
func prepare(cfg config) (_ *terraformCLI, seed, providerDir string, _ error) {
	tfPath := cfg.terraform
	if tfPath == "" {
		p, err := exec.LookPath("terraform")
		if err != nil {
			return nil, "", "", errors.New("no terraform found: set -terraform or $TERRAFORM, or run `make demo`, which finds or installs one")
		}
		tfPath = p
	}
	providerDir, err := filepath.Abs(cfg.providerDir)
	if err != nil {
		return nil, "", "", fmt.Errorf("provider directory %s: %w", cfg.providerDir, err)
	}
	if _, err := os.Stat(filepath.Join(providerDir, providerBinary)); err != nil {
		return nil, "", "", fmt.Errorf("the provider is not built in %s (%w); run `make build` first", providerDir, err)
	}
	seed = filepath.Join(cfg.example, "content.ndjson")
	if _, err := os.Stat(filepath.Join(cfg.example, "main.tf")); err != nil {
		return nil, "", "", fmt.Errorf("no Terraform configuration at %s (%w); run the demo from the repository root or pass -example", cfg.example, err)
	}
	if _, err := os.Stat(seed); err != nil {
		return nil, "", "", fmt.Errorf("no content to seed the stack with (%w); %s needs a content.ndjson", err, cfg.example)
	}
	tf := &terraformCLI{path: tfPath}
	if cfg.verbose {
		tf.verbose = os.Stderr
	}
	return tf, seed, providerDir, nil
}

// walkThrough is the story: apply, show groups, members and links, plan, edit, plan and apply, show
// again, plan, and sign everyone in.
func walkThrough(ctx context.Context, tf *terraformCLI, stack *devstack.Stack, in story, out io.Writer) error {
	fmt.Fprintln(out, "\n==> 1. terraform apply: a group and a rule per gated document, a link per notice")
	applied, err := tf.mustRun(ctx, "apply", "-auto-approve", "-no-color")
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "    "+summary(applied))
	first, err := converged(ctx, tf, stack)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "\n    What the fake Content Lake and the fake Okta org hold now (the gated documents):")
	printTable(out, first.rows, nil)
	fmt.Fprintln(out, "    Written back: the group's ID is in the published document and in each of its drafts and release")
	fmt.Fprintln(out, "    versions, so the next publish keeps it. Inactive documents get no group.")

	fmt.Fprintln(out, "\n    Who is in each group: a rule per document selects the people of its department. Okta runs rules in")
	fmt.Fprintf(out, "    the background, some time after a change (the fake org takes %s), so the demo looks until they are done.\n", in.ruleLag)
	membersBefore, err := showMembers(ctx, stack, first, nil, in.ruleLag, out)
	if err != nil {
		return err
	}

	fmt.Fprintln(out, "\n    Linked documents: each notice points at the existing group of its access tier; the provider writes")
	fmt.Fprintln(out, "    the group's ID into the notice and never changes the group.")
	printLinks(out, first.links)

	fmt.Fprintln(out, "\n==> 2. terraform plan -detailed-exitcode: a second run finds nothing to do")
	if err := noChanges(ctx, tf, out); err != nil {
		return err
	}

	fmt.Fprintln(out, "\n==> 3. An editor changes the content (through the fake Content Lake's API)")
	edits, err := actAsEditor(stack)
	if err != nil {
		return err
	}
	for _, e := range edits {
		fmt.Fprintf(out, "  %s %s: %s\n", e.Mark, e.DocID, e.What)
	}

	fmt.Fprintln(out, "\n==> 4. terraform plan and apply: Okta follows the content")
	planOut, code, err := tf.run(ctx, "plan", "-detailed-exitcode", "-no-color", "-out=edits.tfplan")
	if err == nil && code != 2 {
		err = fmt.Errorf("terraform plan after the edits exited with %d, want 2 (changes)", code)
	}
	if err != nil {
		return fmt.Errorf("%w; its output ends with:\n%s", err, tail(planOut, 40))
	}
	shown, err := tf.mustRun(ctx, "show", "-json", "edits.tfplan")
	if err != nil {
		return err
	}
	changes, err := parsePlan([]byte(shown))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "    Plan: %s\n", planSummary(changes))
	printPlan(out, changes)
	applied, err = tf.mustRun(ctx, "apply", "-no-color", "edits.tfplan")
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "    "+summary(applied))
	second, err := converged(ctx, tf, stack)
	if err != nil {
		return err
	}
	if err := checkEdited(stack, first.rows, second.rows); err != nil {
		return err
	}
	marks := map[string]string{}
	for _, c := range changes {
		if c.Kind == "group" {
			marks[c.DocID] = c.Mark()
		}
	}
	fmt.Fprintln(out, "\n    What the fakes hold now:")
	printTable(out, second.rows, marks)
	fmt.Fprintln(out, "\n    Who is in each group now:")
	membersAfter, err := showMembers(ctx, stack, second, membersBefore, in.ruleLag, out)
	if err != nil {
		return err
	}
	if err := checkMoved(stack, membersBefore, membersAfter); err != nil {
		return err
	}

	fmt.Fprintln(out, "\n==> 5. terraform plan -detailed-exitcode: converged again")
	if err := noChanges(ctx, tf, out); err != nil {
		return err
	}

	fmt.Fprintln(out, "\n==> 6. Everyone signs in to the example app (examples/signed-in): their ID token's groups, the documents it lists")
	fmt.Fprintln(out, "    The app is an OIDC client of the fake org (code flow with PKCE, the ID token verified with go-oidc); the")
	fmt.Fprintln(out, "    groups claim holds the IDs of the person's content: and tier groups, and the app asks the Content Lake")
	fmt.Fprintln(out, "    for the published documents whose oktaGroupId is one of them.")
	return signEveryoneIn(ctx, stack, second, in.people, out)
}

// world is what Terraform reports and the fakes hold after an apply, checked to agree.
type world struct {
	rows  []row
	rules map[string]outputRule
	links []linkRow
}

// converged reads Terraform's outputs and the fakes, and checks that they agree: groups, rules, links.
func converged(ctx context.Context, tf *terraformCLI, stack *devstack.Stack) (world, error) {
	raw, err := tf.mustRun(ctx, "output", "-json", "groups")
	if err != nil {
		return world{}, err
	}
	var outputs map[string]outputGroup
	if err := json.Unmarshal([]byte(raw), &outputs); err != nil {
		return world{}, fmt.Errorf("reading the groups output %q: %w", raw, err)
	}
	w := world{rows: snapshot(stack), links: linkSnapshot(stack)}
	if err := checkConverged(stack, w.rows, outputs); err != nil {
		return world{}, err
	}
	if w.rules, err = readRules(ctx, tf); err != nil {
		return world{}, err
	}
	if err := checkRules(stack, w.rows, w.rules); err != nil {
		return world{}, err
	}
	links, err := readLinks(ctx, tf)
	if err != nil {
		return world{}, err
	}
	return w, checkLinks(stack, w.links, links)
}

// memberWait bounds the wait for group rules beyond the rule lag itself.
const memberWait = 30 * time.Second

// showMembers waits for the rules to settle, says how long that took, and prints the members.
func showMembers(ctx context.Context, stack *devstack.Stack, w world, before []membership, lag time.Duration, out io.Writer) ([]membership, error) {
	ms, report, err := waitForMembers(ctx, stack, w.rows, w.rules, lag+memberWait)
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(out, "    "+report)
	printMembers(out, ms, before)
	return ms, nil
}

// signEveryoneIn signs each seeded person in, checks what they get against the fakes, and prints it.
func signEveryoneIn(ctx context.Context, stack *devstack.Stack, w world, people []person, out io.Writer) error {
	s, err := newSigner(ctx, stack)
	if err != nil {
		return err
	}
	var sessions []session
	for _, p := range people {
		sess, err := s.signIn(ctx, p)
		if err != nil {
			return err
		}
		if err := checkSession(stack, sess); err != nil {
			return err
		}
		sessions = append(sessions, sess)
	}
	if err := checkStory(sessions); err != nil {
		return err
	}
	names := map[string]string{}
	for _, r := range w.rows {
		names[r.GroupID] = r.GroupName
	}
	for _, g := range devstack.TierGroups {
		names[g.ID] = g.Name
	}
	printSessions(out, sessions, names)
	return nil
}

func noChanges(ctx context.Context, tf *terraformCLI, out io.Writer) error {
	planned, code, err := tf.run(ctx, "plan", "-detailed-exitcode", "-no-color")
	if err == nil && code != 0 {
		err = fmt.Errorf("terraform plan exited with %d, want 0 (no changes)", code)
	}
	if err != nil {
		return fmt.Errorf("%w; its output ends with:\n%s", err, tail(planned, 40))
	}
	fmt.Fprintln(out, "    No changes. Your infrastructure matches the configuration.")
	return nil
}

func personList(people []person) []string {
	var out []string
	for _, p := range people {
		out = append(out, p.String())
	}
	return out
}
