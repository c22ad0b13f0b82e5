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
	// Shape is the configuration: for_each (the quickstart's, one sanityokta_document_group per document),
	// collection (one sanityokta_document_groups), floor (terraform_data over a local map of N objects
	// with two string attributes: what Terraform alone costs), or floor_collection (one terraform_data
	// whose input is the collection's map, built from the same local map: what Terraform alone costs to
	// hold N entries in one resource), or on request collection_split (the collection split into eight,
	// by a hash of the document ID).
	Shape             string  `json:"shape"`
	N                 int     `json:"n"`
	Phase             string  `json:"phase"`
	WallS             float64 `json:"wall_s"`
	RPCs              int64   `json:"rpcs"`
	OktaRequests      int     `json:"okta_requests"`
	SanityRequests    int     `json:"sanity_requests"`
	SanityMutations   int     `json:"sanity_mutations"`
	Okta429           int     `json:"okta_429"`
	ProviderPeakRSSMB float64 `json:"provider_peak_rss_mb"`
	StateFileKB       float64 `json:"state_file_kb"`
	// OktaRateLimit is developer_org, or off for the first apply measured without Okta's limits.
	OktaRateLimit string   `json:"okta_rate_limit"`
	FloorWallS    *float64 `json:"floor_wall_s"`
	// CollectionFloorWallS is floor_collection's wall time for the same phase and size, on collection rows.
	CollectionFloorWallS *float64 `json:"collection_floor_wall_s,omitempty"`
	// MeasuredBy is "terraform" or "protocol_driver" (see driver.go).
	MeasuredBy string `json:"measured_by"`
}

// Detail is a Result with what the summary leaves out.
type Detail struct {
	Result
	OktaByBucket      map[string]oktatest.BucketStats `json:"okta_by_bucket"`
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
		sizes       = flag.String("n", "1000", "comma-separated numbers of gated documents for the for_each and floor shapes")
		collSizes   = flag.String("collection-n", "1000,10000", "comma-separated numbers of gated documents for the collection shape")
		shapeList   = flag.String("shapes", "floor,for_each,collection,floor_collection", "the shapes to measure: floor, for_each, collection, floor_collection (at the collection's sizes), and on request collection_split (eight collections, at the collection's sizes), for_each_all_fields, for_each_local, rules (a group rule per document), links (a link per document to a tier group)")
		unlimited   = flag.Bool("unlimited", true, "also measure the for_each first apply with Okta's rate limits off")
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
	ns, err := parseSizes("-n", *sizes)
	if err != nil {
		fail(err)
	}
	collNs, err := parseSizes("-collection-n", *collSizes)
	if err != nil {
		fail(err)
	}
	shapes := map[string]bool{}
	for _, sh := range strings.Split(*shapeList, ",") {
		shapes[strings.TrimSpace(sh)] = true
	}
	type job struct {
		shape     string
		n         int
		unlimited bool
	}
	var jobs []job
	for _, n := range ns {
		for _, sh := range []string{shapeFloor, shapeForEach, shapeForEachAllFields, shapeForEachLocal, shapeRules, shapeLinks} {
			if shapes[sh] {
				jobs = append(jobs, job{sh, n, false})
			}
		}
		if shapes[shapeForEach] && *unlimited {
			jobs = append(jobs, job{shapeForEach, n, true})
		}
	}
	for _, n := range collNs {
		for _, sh := range []string{shapeFloorCollection, shapeCollection, shapeCollectionSplit} {
			if shapes[sh] {
				jobs = append(jobs, job{sh, n, false})
			}
		}
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
	for _, j := range jobs {
		ds, err := b.run(ctx, j.shape, j.n, j.unlimited)
		details = append(details, ds...)
		floors(details)
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

func parseSizes(flagName, list string) ([]int, error) {
	var ns []int
	for _, s := range strings.Split(list, ",") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%s %q: want positive numbers separated by commas", flagName, list)
		}
		ns = append(ns, n)
	}
	return ns, nil
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

// The shapes of configuration measured (see Result.Shape).
const (
	shapeForEach    = "for_each"
	shapeCollection = "collection"
	shapeFloor      = "floor"
	// shapeFloorCollection is the collection's floor: see Result.Shape.
	shapeFloorCollection = "floor_collection"
	shapeCollectionSplit = "collection_split"
)

// isFloor reports a shape that runs Terraform alone, without the provider or the local stack.
func isFloor(shape string) bool { return shape == shapeFloor || shape == shapeFloorCollection }

// run measures the three phases of one shape at one size. With unlimited, Okta's rate limits are off and
// only the first apply is measured.
func (b *bench) run(ctx context.Context, shape string, n int, unlimited bool) ([]Detail, error) {
	name := fmt.Sprintf("%s-n%d", shape, n)
	limit := "developer_org"
	if isFloor(shape) {
		limit = "none"
	}
	if unlimited {
		name += "-unlimited"
		limit = "off"
	}
	dir := filepath.Join(b.workDir, name)
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	cfg := filepath.Join(dir, "config")
	if err := os.MkdirAll(cfg, 0o755); err != nil {
		return nil, err
	}
	rc := filepath.Join(dir, "terraformrc")
	if err := writeCLIConfig(rc, b.providerDir); err != nil {
		return nil, err
	}
	ids, seed := benchSeed(n)
	if err := writeConfig(cfg, shape, ids); err != nil {
		return nil, err
	}
	var stack *devstack.Stack
	env := devstack.TerraformEnviron(os.Environ(), nil, rc)
	if !isFloor(shape) {
		opts := devstack.Options{Seed: seed, SeedName: fmt.Sprintf("%d generated documents", n), OktaRateWindow: b.window}
		if !unlimited {
			opts.OktaRateLimit = devstack.DeveloperOrg
		}
		var err error
		if stack, err = devstack.Start(ctx, opts); err != nil {
			return nil, err
		}
		defer stack.Close()
		env = devstack.TerraformEnviron(os.Environ(), stack.Environ(), rc)
	}

	var out []Detail
	for _, phase := range phases {
		if unlimited && phase != "create" {
			break
		}
		args := []string{"apply", "-auto-approve", "-input=false", "-no-color"}
		switch phase {
		case "noop_plan":
			args = []string{"plan", "-input=false", "-no-color", "-detailed-exitcode"}
		case "one_change":
			if stack != nil {
				if err := retitle(stack, ids[n/2]); err != nil {
					return out, err
				}
			} else {
				args = append(args, "-var", "changed="+ids[n/2])
			}
		}
		rpcFile := filepath.Join(dir, "rpcs-"+phase)
		runEnv := append(append([]string(nil), env...), "SANITYOKTA_RPC_COUNT_FILE="+rpcFile)
		var sanityBefore, mutationsBefore int
		if stack != nil {
			stack.Okta.ResetRequests()
			sanityBefore = len(stack.Sanity.Requests())
			mutationsBefore = stack.Sanity.CountRequests("POST", "/v*/data/mutate/*")
		}
		fmt.Printf("%s n=%d %s: terraform %s ...\n", shape, n, phase, args[0])
		m, err := b.terraformRun(ctx, cfg, runEnv, args)
		d := Detail{
			Result: Result{
				Shape: shape, N: n, Phase: phase, WallS: round(m.wall.Seconds(), 2), MeasuredBy: "terraform",
				ProviderPeakRSSMB: round(float64(m.peakRSS)/(1<<20), 1), RPCs: countRPCs(rpcFile),
				StateFileKB: fileKB(filepath.Join(cfg, "terraform.tfstate")), OktaRateLimit: limit,
			},
			OktaWindowS:       b.window.Seconds(),
			OktaLimit:         devstack.DeveloperOrg.Requests,
			OktaConcurrent:    devstack.DeveloperOrg.Concurrent,
			TerraformExitCode: m.exitCode,
		}
		if stack != nil {
			d.SanityRequests = len(stack.Sanity.Requests()) - sanityBefore
			d.SanityMutations = stack.Sanity.CountRequests("POST", "/v*/data/mutate/*") - mutationsBefore
			d.OktaByBucket = stack.Okta.Buckets()
			d.SanityByStatus = map[string]int{}
			for _, r := range stack.Sanity.Requests()[sanityBefore:] {
				d.SanityByStatus[fmt.Sprintf("%s %d", r.Method, r.Status)]++
			}
			for _, st := range d.OktaByBucket {
				d.OktaRequests += st.Requests
				d.Okta429 += st.RateLimited + st.ConcurrencyLimited
			}
		}
		d.Failed = err != nil
		out = append(out, d)
		if err != nil {
			return out, fmt.Errorf("%s n=%d %s: %w\n%s", shape, n, phase, err, tail(m.output, 40))
		}
		if phase == "noop_plan" && m.exitCode != 0 {
			return out, fmt.Errorf("%s n=%d: the plan after the first apply is not empty (exit %d)\n%s", shape, n, m.exitCode, tail(m.output, 40))
		}
	}
	return out, nil
}

// countRPCs sums what the provider processes of one Terraform run wrote to path (see main.go's
// reportRPCs); -1 when none did.
func countRPCs(path string) int64 {
	raw, err := os.ReadFile(path)
	if err != nil {
		return -1
	}
	var total int64
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var pid, n int64
		if _, err := fmt.Sscanf(line, "%d %d", &pid, &n); err == nil {
			total += n
		}
	}
	return total
}

func fileKB(path string) float64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return round(float64(st.Size())/1024, 1)
}

// floors sets each for_each and collection row's floor_wall_s to the floor's wall time for the same
// phase at the same size, and each collection row's collection_floor_wall_s to floor_collection's, when
// they were measured.
func floors(ds []Detail) {
	floor := map[string]float64{}
	for _, d := range ds {
		if isFloor(d.Shape) && !d.Failed {
			floor[fmt.Sprintf("%s/%d/%s", d.Shape, d.N, d.Phase)] = d.WallS
		}
	}
	for i := range ds {
		if isFloor(ds[i].Shape) {
			continue
		}
		key := fmt.Sprintf("%d/%s", ds[i].N, ds[i].Phase)
		if f, ok := floor[shapeFloor+"/"+key]; ok {
			ds[i].FloorWallS = &f
		}
		if f, ok := floor[shapeFloorCollection+"/"+key]; ok && (ds[i].Shape == shapeCollection || ds[i].Shape == shapeCollectionSplit) {
			ds[i].CollectionFloorWallS = &f
		}
	}
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

// benchHeader is the start of every configuration that uses the provider.
const benchHeader = `terraform {
  required_providers {
    sanityokta = { source = "sanityokta/sanityokta" }
  }
}

provider "sanityokta" {}

data "sanityokta_documents" "gated" {
  filter = "_type == \"benchDocument\""
}
`

// writeForEach is the for_each shape: the quickstart's.
const writeForEach = benchHeader + `
resource "sanityokta_document_group" "content" {
  for_each    = data.sanityokta_documents.gated.documents
  document_id = each.key
  name        = "content:${each.value.slug}"
  description = "Access to ${each.value.title}"
}
`

// Two more shapes, measured on request (-shapes) to compare the data source's choices: every attribute
// the data source can return (what each document carried before fields existed), and the for_each over a
// local value holding the data source's documents.
const (
	shapeForEachAllFields = "for_each_all_fields"
	shapeForEachLocal     = "for_each_local"
	// shapeRules is for_each with a group rule per document group (sanityokta_group_rule).
	shapeRules = "rules"
	// shapeLinks is a link per document to an existing tier group (sanityokta_document_link).
	shapeLinks = "links"
	allFields  = `["id", "type", "rev", "updated_at", "title", "slug", "description", "access_tier", "department", "region", "allowed_roles", "okta_group_id", "okta_group_name", "active", "json"]`
)

// floorHeader is the start of both floors: N documents in a local map, and the document one_change
// retitles.
const floorHeader = `variable "changed" {
  type    = string
  default = ""
}

locals {
  documents = jsondecode(file("${path.module}/documents.json"))
}
`

// writeConfig writes the configuration of a shape: the quickstart's for_each, the collection, or the
// floor over the same IDs.
func writeConfig(dir, shape string, ids []string) error {
	var config string
	switch shape {
	case shapeForEach:
		config = writeForEach
	case shapeCollection:
		config = benchHeader + `
resource "sanityokta_document_groups" "content" {
  documents = {
    for id, d in data.sanityokta_documents.gated.documents : id => {
      name        = "content:${d.slug}"
      description = "Access to ${d.title}"
    }
  }
}
`
	case shapeCollectionSplit:
		config = benchHeader + `
locals {
  parts = 8
}

# Each document lands in one part by a hash of its ID, which never changes, so no document moves.
resource "sanityokta_document_groups" "content" {
  for_each = toset([for i in range(local.parts) : tostring(i)])
  documents = {
    for id, d in data.sanityokta_documents.gated.documents : id => {
      name        = "content:${d.slug}"
      description = "Access to ${d.title}"
    } if parseint(substr(sha1(id), 0, 4), 16) % local.parts == tonumber(each.key)
  }
}
`
	case shapeFloor, shapeFloorCollection:
		config = floorHeader + `
resource "terraform_data" "content" {
  for_each = local.documents
  input    = each.key == var.changed ? "Access to retitled ${each.value.title}" : "Access to ${each.value.title}"
}
`
		if shape == shapeFloorCollection {
			config = floorHeader + `
resource "terraform_data" "content" {
  input = {
    for id, d in local.documents : id => {
      name        = "content:${d.slug}"
      description = id == var.changed ? "Access to retitled ${d.title}" : "Access to ${d.title}"
    }
  }
}
`
		}
		docs := make(map[string]map[string]string, len(ids))
		for _, id := range ids {
			docs[id] = map[string]string{"slug": id, "title": "Bench document " + id}
		}
		raw, err := json.Marshal(docs)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "documents.json"), raw, 0o644); err != nil {
			return err
		}
	case shapeForEachAllFields:
		config = strings.Replace(writeForEach, "filter = \"_type == \\\"benchDocument\\\"\"",
			"filter = \"_type == \\\"benchDocument\\\"\"\n  fields = "+allFields, 1)
	case shapeRules:
		config = strings.Replace(writeForEach, "filter = \"_type == \\\"benchDocument\\\"\"",
			"filter = \"_type == \\\"benchDocument\\\"\"\n  fields = [\"slug\", \"title\", \"department\"]", 1) + `
resource "sanityokta_group_rule" "content" {
  for_each = data.sanityokta_documents.gated.documents
  name     = "content ${each.key}"
  group_id = sanityokta_document_group.content[each.key].id
  match    = { department = [each.value.department] }
}
`
	case shapeLinks:
		config = benchHeader + `
resource "sanityokta_document_link" "content" {
  for_each    = data.sanityokta_documents.gated.documents
  document_id = each.key
  group_id    = "` + devstack.TierGroups[0].ID + `"
}
`
	case shapeForEachLocal:
		config = strings.Replace(writeForEach, "for_each    = data.sanityokta_documents.gated.documents",
			"for_each    = local.documents", 1) + "\nlocals {\n  documents = data.sanityokta_documents.gated.documents\n}\n"
	default:
		return fmt.Errorf("unknown shape %q (want %s, %s, %s or %s)", shape, shapeForEach, shapeCollection, shapeFloor, shapeFloorCollection)
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
	fmt.Fprintln(tw, "shape\tn\tokta limit\tphase\twall s\tfloor s\tx floor\tx coll floor\trpcs\tokta req\tokta 429\tsanity req\tmutations\trss MB\tstate KB\tokta by bucket\t")
	for _, d := range ds {
		ratio := "-"
		var floor float64
		if d.FloorWallS != nil && *d.FloorWallS > 0 {
			floor = *d.FloorWallS
			ratio = fmt.Sprintf("%.1f", d.WallS/floor)
		}
		collRatio := "-"
		if d.CollectionFloorWallS != nil && *d.CollectionFloorWallS > 0 {
			collRatio = fmt.Sprintf("%.1f", d.WallS / *d.CollectionFloorWallS)
		}
		buckets := bucketCounts(d.OktaByBucket)
		if d.Failed {
			d.Phase += " (failed)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%.2f\t%.2f\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%.1f\t%.1f\t%s\t\n", d.Shape, d.N, d.OktaRateLimit,
			d.Phase, d.WallS, floor, ratio, collRatio, d.RPCs, d.OktaRequests, d.Okta429, d.SanityRequests, d.SanityMutations,
			d.ProviderPeakRSSMB, d.StateFileKB, strings.Join(buckets, " "))
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
	byTerraform := map[string]bool{}
	for _, d := range ds {
		if !d.Failed {
			summary = append(summary, d.Result)
			byTerraform[fmt.Sprintf("%s/%d", d.Shape, d.N)] = true
		}
	}
	for _, r := range driven {
		if !byTerraform[fmt.Sprintf("%s/%d", r.Shape, r.N)] {
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
