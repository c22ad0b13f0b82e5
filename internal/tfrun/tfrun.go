// Package tfrun is what the tests that run Terraform itself (internal/e2e, internal/chaos) need: the
// repository root, a Terraform binary, and the provider built from this checkout, once per test binary.
package tfrun

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// ProviderBinary is the provider's file name in the directory BuildProvider returns.
var ProviderBinary = "terraform-provider-sanityokta" + map[bool]string{true: ".exe"}[runtime.GOOS == "windows"]

var build struct {
	once sync.Once
	dir  string
	err  error
}

// RepoRoot walks up from this package to go.mod.
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		tb.Fatal("cannot locate the test source to find the repository root")
	}
	for dir := filepath.Dir(file); ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		if filepath.Dir(dir) == dir {
			tb.Fatal("no go.mod above internal/tfrun")
		}
	}
}

// TerraformPath is TF_ACC_TERRAFORM_PATH (make test sets it), or what scripts/terraform-path.sh finds; the
// test is skipped without one.
func TerraformPath(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	out, err := exec.Command(filepath.Join(RepoRoot(tb), "scripts", "terraform-path.sh")).Output()
	if err != nil {
		tb.Skipf("no Terraform: set TF_ACC_TERRAFORM_PATH or put terraform >= 1.5 on PATH (%v)", err)
	}
	return strings.TrimSpace(string(out))
}

// BuildProvider builds the provider from this checkout into a temporary directory, once per test binary,
// and returns the directory. Remove it with Cleanup when the tests are done (in TestMain).
func BuildProvider(tb testing.TB) string {
	tb.Helper()
	build.once.Do(func() {
		// Not tb.TempDir: every test of the binary shares the build, and TestMain removes it with Cleanup.
		if build.dir, build.err = os.MkdirTemp("", "sanityokta-provider-"); build.err != nil { //nolint:usetesting
			return
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(build.dir, ProviderBinary), ".")
		cmd.Dir = RepoRoot(tb)
		if out, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("building the provider: %w\n%s", err, out)
		}
	})
	if build.err != nil {
		tb.Fatal(build.err)
	}
	return build.dir
}

// Cleanup removes the provider BuildProvider built.
func Cleanup() {
	if build.dir != "" {
		_ = os.RemoveAll(build.dir)
	}
}
