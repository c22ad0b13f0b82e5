// Command bench measures what a publish-triggered run costs at scale: it starts the local stack with a
// free developer org's Okta limits, generates N gated documents, and runs Terraform with the built
// provider through three phases (create: the first apply; noop_plan: a plan with nothing to do;
// one_change: an apply after one document changed). For each it reports wall time, Okta requests per
// bucket, Content Lake requests, 429s and the provider process's peak RSS, next to the floor: the same
// phase over N terraform_data resources, which is what Terraform itself costs.
//
// Terraform core's own time grows faster than linearly with the number of instances, so at 10,000 the
// Terraform phases take hours on a small machine. -driver-n measures the same three phases at the sizes
// given without Terraform: the protocol driver (driver.go) starts the same provider binary and makes the
// RPCs Terraform would make, so the provider's requests, RSS and time are measured at sizes Terraform
// cannot reach here. Its figures go to <dir>/driver.json; -n "" skips the Terraform phases.
//
//	go run ./cmd/bench -terraform "$(scripts/terraform-path.sh)" -provider-dir bin -n 1000 -driver-n 1000,10000
//
// It prints a table and writes a JSON summary (-out).
package main

import (
	"bufio"
	"bytes"
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
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/devstack"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
)

// Result is one line of the summary. Sizes that Terraform did not run (it needs hours at 10,000) come
// from the protocol driver, with no floor.
type Result struct {
	N                 int      `json:"n"`
	Phase             string   `json:"phase"`
	WallS             float64  `json:"wall_s"`
	OktaRequests      int      `json:"okta_requests"`
	SanityRequests    int      `json:"sanity_requests"`
	Okta429           int      `json:"okta_429"`
	ProviderPeakRSSMB float64  `json:"provider_peak_rss_mb"`
	FloorWallS        *float64 `json:"floor_wall_s"`
	// MeasuredBy is "terraform" or "protocol_driver" (see driver.go).
	MeasuredBy string `json:"measured_by"`
}

// Detail is a Result with what the summary leaves out.
type Detail struct {
	Result
	OktaByBucket      map[string]oktatest.BucketStats `json:"okta_by_bucket"`
	SanityMutations   int                             `json:"sanity_mutations"`
	SanityByStatus    map[string]int                  `json:"sanity_by_status"`
	OktaWindowS       float64                         `json:"okta_rate_window_s"`
	OktaLimit         int                             `json:"okta_requests_per_bucket_per_window"`
	OktaConcurrent    int                             `json:"okta_concurrent_limit"`
	TerraformExitCode int                             `json:"terraform_exit_code"`
	// Failed is set when Terraform failed or was interrupted: the figures are partial and the summary
	// leaves the line out.
	Failed bool `json:"failed,omitempty"`
}

func main() {
	var (
		terraform   = flag.String("terraform", "terraform", "the Terraform binary")
		providerDir = flag.String("provider-dir", "bin", "the directory holding the built terraform-provider-sanityokta")
		sizes       = flag.String("n", "1000,10000", "comma-separated numbers of gated documents")
		window      = flag.Duration("window", time.Second, "length of the fake org's rate-limit window (Okta's is a minute)")
		workDir     = flag.String("dir", ".bench", "working directory for configurations, state and results")
		out         = flag.String("out", "", "where to write the JSON summary (default <dir>/summary.json)")
		verbose     = flag.Bool("v", false, "show Terraform's output")
		driverSizes = flag.String("driver-n", "", "also measure the three phases at these sizes with the protocol driver instead of Terraform (see driver.go)")
	)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	b := &bench{terraform: *terraform, window: *window, verbose: *verbose}
	var err error
	if b.providerDir, err = filepath.Abs(*providerDir); err == nil {
		b.workDir, err = filepath.Abs(*workDir)
	}
	if err != nil {
		fail(err)
	}
	if _, err := os.Stat(filepath.Join(b.providerDir, "terraform-provider-sanityokta")); err != nil {
		fail(fmt.Errorf("no built provider in %s (run make build): %w", b.providerDir, err))
	}
	if *out == "" {
		*out = filepath.Join(b.workDir, "summary.json")
	}
	var ns []int
	for _, s := range strings.Split(*sizes, ",") {
		if *sizes == "" {
			break
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			fail(fmt.Errorf("-n %q: want positive numbers separated by commas", *sizes))
		}
		ns = append(ns, n)
	}

	fmt.Printf("Okta limits: developer org, %d requests per bucket per window and %d concurrent; window shortened "+
		"from 1m to %s (the same requests per window)\n", devstack.DeveloperOrg.Requests, devstack.DeveloperOrg.Concurrent, b.window)
	var driverRows []DriverResult
	if *driverSizes != "" {
		var rs []DriverResult
		path := filepath.Join(b.workDir, "driver.json")
		for _, s := range strings.Split(*driverSizes, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n <= 0 {
				fail(fmt.Errorf("-driver-n %q: want positive numbers separated by commas", *driverSizes))
			}
			r, err := b.driveProtocol(ctx, n)
			rs = append(rs, r...)
			if err != nil {
				printDriverTable(rs, b.window)
				_ = writeDriverResults(path, rs)
				fail(fmt.Errorf("protocol driver: %w", err))
			}
		}
		printDriverTable(rs, b.window)
		if err := writeDriverResults(path, rs); err != nil {
			fail(err)
		}
		fmt.Printf("wrote %s\n", path)
		driverRows = rs
		if *sizes == "" {
			if err := writeResults(*out, nil, driverRows); err != nil {
				fail(err)
			}
			fmt.Printf("wrote %s\n", *out)
			return
		}
	}
	var details []Detail
	for _, n := range ns {
		ds, err := b.run(ctx, n)
		details = append(details, ds...)
		if err != nil {
			printTable(details, b.window)
			_ = writeResults(*out, details, driverRows)
			fail(err)
		}
	}
	printTable(details, b.window)
	if err := writeResults(*out, details, driverRows); err != nil {
		fail(err)
	}
	fmt.Printf("wrote %s\n", *out)
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "bench: %v\n", err)
	os.Exit(1)
}

type bench struct {
	terraform, providerDir, workDir string
	window                          time.Duration
	verbose                         bool
}

var phases = []string{"create", "noop_plan", "one_change"}

// run measures the three phases at one size, then their floors.
func (b *bench) run(ctx context.Context, n int) ([]Detail, error) {
	dir := filepath.Join(b.workDir, fmt.Sprintf("n%d", n))
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	providerCfg, floorCfg := filepath.Join(dir, "provider"), filepath.Join(dir, "floor")
	for _, d := range []string{providerCfg, floorCfg} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	rc := filepath.Join(dir, "terraformrc")
	if err := writeCLIConfig(rc, b.providerDir); err != nil {
		return nil, err
	}

	ids, seed := benchSeed(n)
	if err := writeProviderConfig(providerCfg); err != nil {
		return nil, err
	}
	if err := writeFloorConfig(floorCfg, ids); err != nil {
		return nil, err
	}

	stack, err := devstack.Start(ctx, devstack.Options{
		Seed: seed, SeedName: fmt.Sprintf("%d generated documents", n),
		OktaRateLimit: devstack.DeveloperOrg, OktaRateWindow: b.window,
	})
	if err != nil {
		return nil, err
	}
	defer stack.Close()
	env := devstack.TerraformEnviron(os.Environ(), stack.Environ(), rc)

	var out []Detail
	for _, phase := range phases {
		if phase == "one_change" {
			if err := retitle(stack, ids[n/2]); err != nil {
				return out, err
			}
		}
		stack.Okta.ResetRequests()
		sanityBefore := len(stack.Sanity.Requests())
		mutationsBefore := stack.Sanity.CountRequests("POST", "/v*/data/mutate/*")
		args := []string{"apply", "-auto-approve", "-input=false", "-no-color"}
		if phase == "noop_plan" {
			args = []string{"plan", "-input=false", "-no-color", "-detailed-exitcode"}
		}
		fmt.Printf("n=%d %s: terraform %s ...\n", n, phase, args[0])
		m, err := b.terraformRun(ctx, providerCfg, env, args)
		d := Detail{
			Result: Result{
				N: n, Phase: phase, WallS: round(m.wall.Seconds(), 2), MeasuredBy: "terraform",
				SanityRequests:    len(stack.Sanity.Requests()) - sanityBefore,
				ProviderPeakRSSMB: round(float64(m.peakRSS)/(1<<20), 1),
			},
			OktaByBucket:      stack.Okta.Buckets(),
			SanityMutations:   stack.Sanity.CountRequests("POST", "/v*/data/mutate/*") - mutationsBefore,
			OktaWindowS:       b.window.Seconds(),
			OktaLimit:         devstack.DeveloperOrg.Requests,
			OktaConcurrent:    devstack.DeveloperOrg.Concurrent,
			TerraformExitCode: m.exitCode,
		}
		d.SanityByStatus = map[string]int{}
		for _, r := range stack.Sanity.Requests()[sanityBefore:] {
			d.SanityByStatus[fmt.Sprintf("%s %d", r.Method, r.Status)]++
		}
		for _, st := range d.OktaByBucket {
			d.OktaRequests += st.Requests
			d.Okta429 += st.RateLimited + st.ConcurrencyLimited
		}
		d.Failed = err != nil
		out = append(out, d)
		if err != nil {
			return out, fmt.Errorf("n=%d %s: %w\n%s", n, phase, err, tail(m.output, 40))
		}
		if phase == "noop_plan" && m.exitCode != 0 {
			return out, fmt.Errorf("n=%d: the plan after the first apply is not empty (exit %d)\n%s", n, m.exitCode, tail(m.output, 40))
		}
	}
	stack.Close()

	// The floor: the same phases over terraform_data, with no provider of ours at all.
	for i, phase := range phases {
		args := []string{"apply", "-auto-approve", "-input=false", "-no-color"}
		switch phase {
		case "noop_plan":
			args = []string{"plan", "-input=false", "-no-color", "-detailed-exitcode"}
		case "one_change":
			args = append(args, "-var", "changed="+ids[n/2])
		}
		fmt.Printf("n=%d %s floor: terraform %s ...\n", n, phase, args[0])
		m, err := b.terraformRun(ctx, floorCfg, env, args)
		if err != nil {
			return out, fmt.Errorf("n=%d %s floor: %w\n%s", n, phase, err, tail(m.output, 40))
		}
		floor := round(m.wall.Seconds(), 2)
		out[i].FloorWallS = &floor
	}
	return out, nil
}

// benchSeed is the stack's seed for n documents and their IDs; the protocol driver uses the same, so its
// figures compare with Terraform's.
func benchSeed(n int) ([]string, *bytes.Buffer) {
	ids := make([]string, n)
	var seed bytes.Buffer
	for i := range ids {
		ids[i] = fmt.Sprintf("bench-%05d", i)
		line, _ := json.Marshal(benchDocument(ids[i], "Bench document "+ids[i]))
		seed.Write(line)
		seed.WriteByte('\n')
	}
	return ids, &seed
}

// retitle is the one_change phase's edit: an editor retitles one document, and its group's description
// follows.
func retitle(stack *devstack.Stack, id string) error {
	d := stack.Sanity.Document(id)
	d["title"] = "Retitled " + id
	if err := stack.Sanity.Seed(d); err != nil {
		return fmt.Errorf("retitling document %s in the local stack: %w", id, err)
	}
	return nil
}

func benchDocument(id, title string) map[string]any {
	return map[string]any{
		"_id": id, "_type": "benchDocument", "title": title,
		"slug":       map[string]any{"current": id},
		"accessTier": "partner", "department": "sales", "region": "emea",
	}
}

func writeCLIConfig(path, providerDir string) error {
	config := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"sanityokta/sanityokta\" = %q\n  }\n  direct {}\n}\n",
		filepath.ToSlash(providerDir))
	return os.WriteFile(path, []byte(config), 0o600)
}

func writeProviderConfig(dir string) error {
	const config = `terraform {
  required_providers {
    sanityokta = { source = "sanityokta/sanityokta" }
  }
}

provider "sanityokta" {}

data "sanityokta_documents" "gated" {
  filter = "_type == \"benchDocument\""
}

resource "sanityokta_document_group" "content" {
  for_each    = data.sanityokta_documents.gated.documents
  document_id = each.key
  name        = "content:${each.value.slug}"
  description = "Access to ${each.value.title}"
}
`
	return os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o644)
}

func writeFloorConfig(dir string, ids []string) error {
	const config = `variable "changed" {
  type    = string
  default = ""
}

locals {
  ids = toset(jsondecode(file("${path.module}/ids.json")))
}

resource "terraform_data" "content" {
  for_each = local.ids
  input    = each.key == var.changed ? "Access to retitled ${each.key}" : "Access to ${each.key}"
}
`
	raw, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "ids.json"), raw, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o644)
}

type measurement struct {
	wall     time.Duration
	peakRSS  int64 // bytes, the largest VmHWM of any provider process Terraform started
	exitCode int
	output   []byte
}

// terraformRun runs Terraform in dir and samples the peak RSS of the provider processes it starts.
func (b *bench) terraformRun(ctx context.Context, dir string, env, args []string) (measurement, error) {
	cmd := exec.CommandContext(ctx, b.terraform, args...)
	cmd.Dir, cmd.Env = dir, env
	var buf bytes.Buffer
	if b.verbose {
		cmd.Stdout = io.MultiWriter(&buf, os.Stdout)
	} else {
		cmd.Stdout = &buf
	}
	cmd.Stderr = cmd.Stdout
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return measurement{}, err
	}
	var (
		peak atomicMax
		wg   sync.WaitGroup
		done = make(chan struct{})
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			peak.set(providerPeakRSS(cmd.Process.Pid))
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	err := cmd.Wait()
	m := measurement{wall: time.Since(start), output: buf.Bytes()}
	close(done)
	wg.Wait()
	m.peakRSS = peak.get()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		m.exitCode = exit.ExitCode()
		// plan -detailed-exitcode: 2 means changes, which the caller judges.
		if args[0] == "plan" && m.exitCode == 2 {
			err = nil
		}
	}
	return m, err
}

type atomicMax struct {
	mu sync.Mutex
	v  int64
}

func (a *atomicMax) set(v int64) {
	a.mu.Lock()
	a.v = max(a.v, v)
	a.mu.Unlock()
}

func (a *atomicMax) get() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.v
}

// providerPeakRSS returns the largest VmHWM (peak resident set) among the children of parent that run
// terraform-provider-sanityokta.
func providerPeakRSS(parent int) int64 {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	var best int64
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
		if err != nil || !strings.HasPrefix(filepath.Base(exe), "terraform-provider-sanityokta") {
			continue
		}
		ppid, hwm := procStatus(pid)
		if ppid == parent {
			best = max(best, hwm)
		}
	}
	return best
}

func procStatus(pid int) (ppid int, hwm int64) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, val, _ := strings.Cut(sc.Text(), ":")
		fields := strings.Fields(val)
		if len(fields) == 0 {
			continue
		}
		switch key {
		case "PPid":
			ppid, _ = strconv.Atoi(fields[0])
		case "VmHWM":
			kb, _ := strconv.ParseInt(fields[0], 10, 64)
			hwm = kb * 1024
		}
	}
	return ppid, hwm
}

func round(v float64, places int) float64 {
	p := 1.0
	for range places {
		p *= 10
	}
	return float64(int64(v*p+0.5)) / p
}

func tail(b []byte, lines int) string {
	ls := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(ls) > lines {
		ls = ls[len(ls)-lines:]
	}
	return strings.Join(ls, "\n")
}

func printTable(ds []Detail, window time.Duration) {
	fmt.Printf("\nOkta: developer-org limits (%d/bucket/window, %d concurrent), window %s instead of 1m\n",
		devstack.DeveloperOrg.Requests, devstack.DeveloperOrg.Concurrent, window)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "n\tphase\twall s\tfloor s\tx floor\tokta req\tokta 429\tsanity req\tmutations\trss MB\tokta by bucket\t")
	for _, d := range ds {
		ratio := "-"
		var floor float64
		if d.FloorWallS != nil && *d.FloorWallS > 0 {
			floor = *d.FloorWallS
			ratio = fmt.Sprintf("%.1f", d.WallS/floor)
		}
		buckets := bucketCounts(d.OktaByBucket)
		if d.Failed {
			d.Phase += " (failed)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%.2f\t%.2f\t%s\t%d\t%d\t%d\t%d\t%.1f\t%s\t\n", d.N, d.Phase, d.WallS, floor, ratio,
			d.OktaRequests, d.Okta429, d.SanityRequests, d.SanityMutations, d.ProviderPeakRSSMB, strings.Join(buckets, " "))
	}
	_ = tw.Flush()
}

func bucketCounts(bs map[string]oktatest.BucketStats) []string {
	var out []string
	for name, st := range bs {
		out = append(out, fmt.Sprintf("%s=%d", name, st.Requests))
	}
	sort.Strings(out)
	return out
}

func writeResults(path string, ds []Detail, driven []DriverResult) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	summary := []Result{}
	byTerraform := map[int]bool{}
	for _, d := range ds {
		if !d.Failed {
			summary = append(summary, d.Result)
			byTerraform[d.N] = true
		}
	}
	for _, r := range driven {
		if !byTerraform[r.N] {
			summary = append(summary, r.Result)
		}
	}
	raw, err := json.MarshalIndent(summary, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(raw, '\n'), 0o644); err != nil {
		return err
	}
	raw, err = json.MarshalIndent(ds, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(strings.TrimSuffix(path, ".json")+".details.json", append(raw, '\n'), 0o644)
}
