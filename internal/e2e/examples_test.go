package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/devstack"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
)

// The examples that the docs show, each applied as pasted against a fresh local stack seeded with the
// quickstart content. Files may be patterns (filepath.Glob), so a file added to an example is applied too. An example without a terraform block gets the provider requirement and an empty
// provider block (the settings come from the stack's environment), as a user's root module would have.
var runnableExamples = []struct {
	dir   string
	files []string
}{
	{"examples/quickstart", quickstartFiles},
	{"examples/resources/sanityokta_document_group", []string{"resource.tf"}},
	{"examples/resources/sanityokta_document_link", []string{"resource.tf"}},
	{"examples/resources/sanityokta_group_rule", []string{"resource.tf"}},
	{"examples/data-sources/sanityokta_documents", []string{"data-source.tf"}},
}

const providerRequirement = `terraform {
  required_providers {
    sanityokta = {
      source = "sanityokta/sanityokta"
    }
  }
}

provider "sanityokta" {}
`

// exampleRun is one example's working directory and environment on its own stack.
type exampleRun struct {
	tb        testing.TB
	dir       string
	terraform string
	env       []string
	stack     *devstack.Stack
	log       string
}

func newExampleRun(tb testing.TB, example string, files []string) *exampleRun {
	tb.Helper()
	root := repoRoot(tb)
	provider := buildProvider(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stack, err := devstack.Start(ctx, devstack.Options{Seed: bytes.NewReader(devstack.QuickstartContent())})
	if err != nil {
		tb.Fatalf("starting the local stack: %v", err)
	}
	tb.Cleanup(stack.Close)
	// Documents an editor has only started: no slug, no title. One of them must not fail anyone's plan.
	for _, d := range []map[string]any{
		{"_id": "handbook-untitled", "_type": "handbook"},
		{"_id": "pricing-untitled", "_type": "partnerPricing"},
	} {
		if err := stack.Sanity.Seed(d); err != nil {
			tb.Fatal(err)
		}
	}

	r := &exampleRun{tb: tb, dir: tb.TempDir(), terraform: terraformPath(tb), stack: stack}
	hasTerraformBlock := false
	var names []string
	for _, pattern := range files {
		matches, err := filepath.Glob(filepath.Join(root, example, pattern))
		if err != nil || len(matches) == 0 {
			tb.Fatalf("%s: no file matches %q (%v)", example, pattern, err)
		}
		for _, m := range matches {
			names = append(names, filepath.Base(m))
		}
	}
	for _, f := range names {
		text, err := os.ReadFile(filepath.Join(root, example, f))
		if err != nil {
			tb.Fatal(err)
		}
		hasTerraformBlock = hasTerraformBlock || strings.Contains(string(text), "required_providers")
		writeFile(tb, filepath.Join(r.dir, f), string(text))
	}
	if !hasTerraformBlock {
		writeFile(tb, filepath.Join(r.dir, "versions.tf"), providerRequirement)
	}
	cliConfig := filepath.Join(tb.TempDir(), "terraformrc")
	writeFile(tb, cliConfig, fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"sanityokta/sanityokta\" = %q\n  }\n  direct {}\n}\n", filepath.ToSlash(provider)))
	r.log = filepath.Join(tb.TempDir(), "trace.log")
	r.env = append(devstack.TerraformEnviron(os.Environ(), stack.Environ(), cliConfig), "TF_LOG=trace", "TF_LOG_PATH="+r.log)
	return r
}

// terraform runs one Terraform command in the example's directory and returns its output.
func (r *exampleRun) run(args ...string) (string, error) {
	r.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.terraform, args...)
	cmd.Dir = r.dir
	cmd.Env = r.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestExamplesApplyOnTheLocalStack(t *testing.T) {
	requireAcc(t)
	for _, ex := range runnableExamples {
		t.Run(ex.dir, func(t *testing.T) {
			r := newExampleRun(t, ex.dir, ex.files)
			if out, err := r.run("apply", "-auto-approve", "-no-color"); err != nil {
				t.Fatalf("terraform apply of %s as pasted failed: %v\n%s", ex.dir, err, out)
			}
			out, err := r.run("plan", "-detailed-exitcode", "-no-color")
			if err != nil {
				t.Errorf("the plan after applying %s is not empty (or failed): %v\n%s", ex.dir, err, out)
			}
		})
	}
}

// TF_LOG=trace shows every request to both services, and never a credential: not the tokens, not an
// Authorization header, not the service app's private key.
func TestTraceLogShowsRequestsAndNoCredential(t *testing.T) {
	requireAcc(t)
	for _, mode := range []string{"api token", "service app"} {
		t.Run(mode, func(t *testing.T) {
			r := newExampleRun(t, "examples/quickstart", []string{"main.tf"})
			secrets := []string{r.stack.Sanity.WriteToken(), r.stack.Okta.Token()}
			if mode == "service app" {
				keyPEM := addServiceApp(t, r.stack.Okta)
				var env []string
				for _, kv := range r.env {
					if !strings.HasPrefix(kv, "OKTA_API_TOKEN=") {
						env = append(env, kv)
					}
				}
				r.env = append(env, "OKTA_CLIENT_ID=0oatracelog", "OKTA_PRIVATE_KEY="+keyPEM, "OKTA_PRIVATE_KEY_ID=trace-kid")
				// Every line of the key's body, not only the whole PEM.
				for _, line := range strings.Split(keyPEM, "\n") {
					if len(line) > 20 && !strings.HasPrefix(line, "-----") {
						secrets = append(secrets, line)
					}
				}
			}
			if out, err := r.run("apply", "-auto-approve", "-no-color"); err != nil {
				t.Fatalf("terraform apply failed: %v\n%s", err, out)
			}
			raw, err := os.ReadFile(r.log)
			if err != nil {
				t.Fatal(err)
			}
			log := string(raw)
			for _, want := range []string{"okta request", "sanity request", "/api/v1/groups", "/data/mutate/", "status=200"} {
				if !strings.Contains(log, want) {
					t.Errorf("the trace log has no %q", want)
				}
			}
			for i, s := range secrets {
				if strings.Contains(log, s) {
					t.Errorf("the trace log holds credential #%d", i)
				}
			}
			for _, header := range []string{"Authorization", "SSWS ", "Bearer ", "client_assertion=", "PRIVATE KEY"} {
				if strings.Contains(log, header) {
					t.Errorf("the trace log holds %q", header)
				}
			}
		})
	}
}

// addServiceApp registers a service app with both groups scopes on the fake org and returns its key.
func addServiceApp(tb testing.TB, org *oktatest.Server) string {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	if err := org.AddServiceApp(oktatest.ServiceApp{
		ClientID: "0oatracelog", KeyID: "trace-kid", PublicKey: &key.PublicKey,
		Scopes: []string{oktatest.ScopeGroupsRead, oktatest.ScopeGroupsManage},
	}); err != nil {
		tb.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
}
