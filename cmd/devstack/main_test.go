package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

var exportLine = regexp.MustCompile(`^export ([A-Z_]+)=(\S+)$`)

// readExports reads the six export lines the program prints first.
func readExports(t *testing.T, r io.Reader) map[string]string {
	t.Helper()
	env := map[string]string{}
	sc := bufio.NewScanner(r)
	var names []string
	for len(names) < 6 && sc.Scan() {
		m := exportLine.FindStringSubmatch(sc.Text())
		if m == nil {
			t.Fatalf("stdout line %q is not an export line", sc.Text())
		}
		env[m[1]] = m[2]
		names = append(names, m[1])
	}
	want := "SANITY_API_HOST SANITY_PROJECT_ID SANITY_DATASET SANITY_API_TOKEN OKTA_ORG_URL OKTA_API_TOKEN"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("export lines name %s, want %s", got, want)
	}
	return env
}

func countHandbooks(t *testing.T, env map[string]string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, env["SANITY_API_HOST"]+"/v2025-02-19/data/query/"+env["SANITY_DATASET"]+
		"?query=count(*%5B_type%3D%3D%22handbook%22%5D)", nil)
	req.Header.Set("Authorization", "Bearer "+env["SANITY_API_TOKEN"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("querying the stack: %v", err)
	}
	defer resp.Body.Close()
	var body struct{ Result int }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("decoding the query answer (status %d): %v", resp.StatusCode, err)
	}
	return body.Result
}

func TestRunPrintsExportsThenServesUntilCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdoutR, stdoutW := io.Pipe()
	var stderr strings.Builder
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--okta-rate-limit", "developer-org"}, stdoutW, &stderr)
		stdoutW.Close()
	}()

	env := readExports(t, stdoutR)
	if n := countHandbooks(t, env); n != 5 {
		t.Errorf("the default seed should be the quickstart content with 5 handbooks, got %d", n)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v after cancellation, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancellation")
	}
	if rest, _ := io.ReadAll(stdoutR); len(rest) != 0 {
		t.Errorf("stdout holds more than the export lines: %q", rest)
	}
	for _, secret := range []string{env["SANITY_API_TOKEN"], env["OKTA_API_TOKEN"]} {
		if strings.Contains(stderr.String(), secret) {
			t.Errorf("a token appears in the log:\n%s", stderr.String())
		}
	}
	if !strings.Contains(stderr.String(), "developer-org") {
		t.Errorf("the log does not mention the rate limit:\n%s", stderr.String())
	}
}

func TestFlags(t *testing.T) {
	seed := filepath.Join(t.TempDir(), "seed.ndjson")
	opts, err := parseFlags([]string{"--seed", seed, "--okta-rate-limit", "600", "--okta-rate-window", "10s",
		"--sanity-port", "4000", "--okta-port", "4001"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if opts.SeedFile != seed || opts.Seed != nil || opts.OktaRateLimit.Requests != 600 || opts.OktaRateWindow != 10*time.Second ||
		opts.SanityPort != 4000 || opts.OktaPort != 4001 {
		t.Errorf("parsed options %+v do not match the flags", opts)
	}
	for _, args := range [][]string{{"--okta-rate-limit", "lots"}, {"--okta-rate-window", "0s"}, {"extra"}, {"--sanity-port", "x"}} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) succeeded, want an error", args)
		}
	}
	if _, err := parseFlags([]string{"--help"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help: %v, want flag.ErrHelp", err)
	}
}

func TestRunFailsOnABadSeed(t *testing.T) {
	seed := filepath.Join(t.TempDir(), "seed.ndjson")
	if err := os.WriteFile(seed, []byte("{not json}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout strings.Builder
	err := run(context.Background(), []string{"--seed", seed}, &stdout, io.Discard)
	if err == nil || !strings.Contains(err.Error(), seed) {
		t.Errorf("run with a bad seed: %v; want an error naming %s", err, seed)
	}
	if stdout.Len() != 0 {
		t.Errorf("a failed start printed export lines: %q", stdout.String())
	}
}

// The program as users run it: export lines first, then it keeps serving until SIGTERM, and exits 0.
func TestProgramStopsOnSIGTERM(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM on Windows")
	}
	bin := filepath.Join(t.TempDir(), "devstack")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()

	env := readExports(t, stdout)
	if n := countHandbooks(t, env); n != 5 {
		t.Errorf("the program's stack answers %d handbooks, want 5", n)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Errorf("after SIGTERM the program exited with %v, want 0; log:\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the program did not stop within 10s of SIGTERM")
	}
	c := http.Client{Timeout: 2 * time.Second}
	if resp, err := c.Get(env["OKTA_ORG_URL"] + "/"); err == nil {
		resp.Body.Close()
		t.Error("the fake Okta org still answers after the program stopped")
	}
}
