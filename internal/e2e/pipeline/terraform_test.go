package pipeline_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/e2e/pipeline"
)

// fakeTerraform writes a shell script that prints output and exits with code, standing in for
// terraform so the runner's reading of `apply -json` is tested without Terraform.
func fakeTerraform(t *testing.T, output string, code int) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in terraform is a shell script")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "out.jsonl"), []byte(output), 0o600); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "terraform")
	content := "#!/bin/sh\necho \"$@\" > \"$(dirname \"$0\")/args\"\ncat \"$(dirname \"$0\")/out.jsonl\"\nexit " + strconv.Itoa(code) + "\n"
	if err := os.WriteFile(script, []byte(content), 0o700); err != nil {
		t.Fatal(err)
	}
	return script
}

const applyOutput = `{"@level":"info","@message":"Terraform 1.11.4","type":"version","terraform":"1.11.4","ui":"1.2"}
Warning: Provider development overrides are in effect
{"@level":"info","@message":"Plan: 1 to add, 0 to change, 1 to destroy.","type":"change_summary","changes":{"add":1,"change":0,"import":0,"remove":1,"operation":"plan"}}
{"@level":"info","@message":"Apply complete! Resources: 1 added, 0 changed, 1 destroyed.","type":"change_summary","changes":{"add":1,"change":0,"import":0,"remove":1,"operation":"apply"}}
`

func TestTerraformApplyReadsTheChangeSummary(t *testing.T) {
	tf := fakeTerraform(t, applyOutput, 0)
	var log bytes.Buffer
	r := &pipeline.TerraformApply{Terraform: tf, Dir: t.TempDir(), Args: []string{"-var=x=1"}, Log: &log}
	got, err := r.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got != (pipeline.Changes{Added: 1, Destroyed: 1}) {
		t.Errorf("changes %s, want 1 added and 1 destroyed", got)
	}
	if !strings.Contains(log.String(), "Apply complete!") {
		t.Errorf("log %q lacks the apply's messages", log.String())
	}
	args, _ := os.ReadFile(filepath.Join(filepath.Dir(tf), "args"))
	for _, want := range []string{"apply", "-auto-approve", "-input=false", "-json", "-var=x=1"} {
		if !strings.Contains(string(args), want) {
			t.Errorf("terraform ran with %q, lacking %s", args, want)
		}
	}
}

func TestTerraformApplyReportsDiagnostics(t *testing.T) {
	out := `{"@level":"error","@message":"Error: creating group","type":"diagnostic","diagnostic":{"severity":"error","summary":"Could not create the Okta group","detail":"group content:x: 403 Forbidden"}}` + "\n"
	r := &pipeline.TerraformApply{Terraform: fakeTerraform(t, out, 1), Dir: t.TempDir()}
	_, err := r.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "Could not create the Okta group: group content:x: 403 Forbidden") {
		t.Errorf("error %v, want the diagnostic", err)
	}
}

func TestTerraformApplyWithoutSummaryIsAnError(t *testing.T) {
	r := &pipeline.TerraformApply{Terraform: fakeTerraform(t, "not json\n", 0), Dir: t.TempDir()}
	if _, err := r.Run(context.Background()); err == nil {
		t.Error("an apply that printed no summary: want an error")
	}
}
