package oktatest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sdkIntegrationTests are the integration tests that okta-sdk-golang v2
// ships in its module (tests/integration) and that cover what the fake
// models: groups, the group schema, group rules and users. They are
// written against a real org; here each runs alone against a fresh fake.
var sdkIntegrationTests = []string{
	"TestCanGetAGroup", "TestCanListGroups", "TestCanSearchForAGroup", "TestCanUpdateAGroup",
	"TestGroupUserOperations", "TestGroupRuleOperations", "TestGroupProfileSerialization",
	"TestCanGetGroupProperties", "TestCanUpdateCustomGroupProperty", "TestCanUpdateCustomGroupPropertyAsNumber",
	"TestCanGetAUser", "TestCanActivateAUser", "TestCanUpdateUserProfile", "TestCanSuspendAUser",
	"TestCanGetUserWithCacheEnabled", "TestCanPaginateAcrossUsers",
}

// TestOktaSDKIntegration builds the SDK's own integration tests from the
// module cache, unchanged, and runs each of sdkIntegrationTests alone
// against a new fake org. SDK_INTEGRATION_RUN narrows the list to the
// tests whose names contain it; SDK_INTEGRATION_RULE_LAG (a duration) makes
// the fake's group rules lag as a real org's do, which the SDK's rule test
// waits out.
//
// It needs the SDK's test dependencies in the module cache; without them
// (an offline machine that never downloaded them) it is skipped, and
// `make sdk-integration` downloads them first.
func TestOktaSDKIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the SDK's integration tests; skipped with -short")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel) // the subtests run in parallel, after this function returns

	out, err := exec.CommandContext(ctx, goBin, "list", "-m", "-f", "{{.Dir}}", "github.com/okta/okta-sdk-golang/v2").Output()
	if err != nil {
		t.Fatalf("locating okta-sdk-golang/v2 in the module cache: %v", err)
	}
	moduleDir := strings.TrimSpace(string(out))
	if _, err := os.Stat(filepath.Join(moduleDir, "tests", "integration")); err != nil {
		t.Skipf("okta-sdk-golang/v2 is not in the module cache with its tests: %v", err)
	}

	// The module cache is read-only; building there writes nothing, and
	// the test binary goes to a temporary directory.
	bin := filepath.Join(t.TempDir(), "integration.test")
	build := exec.CommandContext(ctx, goBin, "test", "-c", "-o", bin, "./tests/integration")
	build.Dir = moduleDir
	build.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOPROXY="+envOr("SDK_INTEGRATION_GOPROXY", "off"), "GOWORK=off")
	var buildOut bytes.Buffer
	build.Stdout, build.Stderr = &buildOut, &buildOut
	if err := build.Run(); err != nil {
		if strings.Contains(buildOut.String(), "module lookup disabled") || strings.Contains(buildOut.String(), "GOPROXY=off") {
			t.Skipf("the SDK's test dependencies are not in the module cache (run `make sdk-integration` once to download them):\n%s", buildOut.String())
		}
		t.Fatalf("building the SDK's integration tests: %v\n%s", err, buildOut.String())
	}

	var opts []Option
	if lag := os.Getenv("SDK_INTEGRATION_RULE_LAG"); lag != "" {
		d, err := time.ParseDuration(lag)
		if err != nil {
			t.Fatalf("SDK_INTEGRATION_RULE_LAG: %v", err)
		}
		opts = append(opts, WithLimits(Limits{RuleLag: d}))
	}
	only := os.Getenv("SDK_INTEGRATION_RUN")
	for _, name := range sdkIntegrationTests {
		if only != "" && !strings.Contains(name, only) {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := NewServer(opts...)
			t.Cleanup(srv.Close)
			home := t.TempDir() // no ~/.okta/okta.yaml of the machine's user
			cmd := exec.CommandContext(ctx, bin, "-test.run", "^"+name+"$", "-test.count=1", "-test.v")
			cmd.Dir = filepath.Join(moduleDir, "tests", "integration")
			cmd.Env = append(cleanEnv(os.Environ()),
				"HOME="+home,
				"OKTA_CLIENT_ORGURL="+srv.URL,
				"OKTA_CLIENT_TOKEN="+srv.Token(),
				"OKTA_CLIENT_AUTHORIZATIONMODE=SSWS",
				"OKTA_TESTING_DISABLE_HTTPS_CHECK=true",
			)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			if err != nil || !strings.Contains(out.String(), "--- PASS: "+name) {
				t.Errorf("%s failed against the fake (%v):\n%s", name, err, out.String())
			}
		})
	}
}

// cleanEnv drops the OKTA_* variables of the caller's environment, so a
// real org configured there is never used.
func cleanEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "OKTA_") {
			out = append(out, kv)
		}
	}
	return out
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
