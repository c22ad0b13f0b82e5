// Command demo walks through the provider's main job on the local stack, as `make demo` runs it:
// it starts the fake Okta org and Content Lake seeded with the quickstart content, applies
// examples/quickstart with the locally built provider, shows the groups and the written-back IDs, shows
// that a second plan changes nothing, acts as an editor (a new gated document, a changed title, an
// archived document), applies again and shows what changed. It checks every step against the fakes and
// exits non-zero, saying what went wrong, when a step does not do what it should.
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
)

// providerBinary is the file name Terraform looks for in a development override directory.
var providerBinary = "terraform-provider-sanityokta" + map[bool]string{true: ".exe"}[runtime.GOOS == "windows"]

type config struct {
	terraform   string // Terraform binary
	providerDir string // directory holding terraform-provider-sanityokta
	example     string // Terraform configuration with content.ndjson beside it
	verbose     bool   // show Terraform's own output
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
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q; see -help", fs.Args())
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
	version, err := tf.version(ctx)
	if err != nil {
		return err
	}
	if !supportedVersion(version) {
		return fmt.Errorf("terraform %s at %s is older than 1.5; run scripts/terraform-path.sh to install 1.5.7 into ./bin", version, tf.path)
	}

	stack, err := devstack.Start(ctx, devstack.Options{SeedFile: seed})
	if err != nil {
		return err
	}
	defer stack.Close()

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
	fmt.Fprintf(out, "Working copy of %s in a temporary directory; the provider reads the stack's settings from the environment.\n", cfg.example)

	if err := walkThrough(ctx, tf, stack, out); err != nil {
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

// walkThrough is the story: apply, show, plan, edit, plan and apply, show, plan.
func walkThrough(ctx context.Context, tf *terraformCLI, stack *devstack.Stack, out io.Writer) error {
	fmt.Fprintln(out, "\n==> 1. terraform apply: one Okta group per gated document, its ID written back into the document")
	applied, err := tf.mustRun(ctx, "apply", "-auto-approve", "-no-color")
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "    "+summary(applied))
	first, err := converged(ctx, tf, stack)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "\n    What the fake Content Lake and the fake Okta org hold now (documents with access metadata):")
	printTable(out, first, nil)
	fmt.Fprintln(out, "    Written back: the group's ID is in the published document and in each of its drafts and release")
	fmt.Fprintln(out, "    versions, so the next publish keeps it. Inactive documents get no group.")

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
	if err := checkEdited(stack, first, second); err != nil {
		return err
	}
	marks := map[string]string{}
	for _, c := range changes {
		marks[c.DocID] = c.Mark()
	}
	fmt.Fprintln(out, "\n    What the fakes hold now:")
	printTable(out, second, marks)

	fmt.Fprintln(out, "\n==> 5. terraform plan -detailed-exitcode: converged again")
	return noChanges(ctx, tf, out)
}

// converged reads Terraform's groups output and the fakes, and checks that they agree.
func converged(ctx context.Context, tf *terraformCLI, stack *devstack.Stack) ([]row, error) {
	raw, err := tf.mustRun(ctx, "output", "-json", "groups")
	if err != nil {
		return nil, err
	}
	var outputs map[string]outputGroup
	if err := json.Unmarshal([]byte(raw), &outputs); err != nil {
		return nil, fmt.Errorf("reading the groups output %q: %w", raw, err)
	}
	rows := snapshot(stack)
	return rows, checkConverged(stack, rows, outputs)
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
