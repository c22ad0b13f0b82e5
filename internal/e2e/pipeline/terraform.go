package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// TerraformApply is a Runner that runs `terraform apply -auto-approve` in a working directory that
// is ready to apply (initialised, or using only dev_overrides providers), and reads what changed from
// Terraform's machine-readable output. A run with nothing to do changes nothing and writes nothing:
// that is Terraform's own behaviour, which the pipeline relies on rather than deciding itself.
type TerraformApply struct {
	// Terraform is the terraform executable.
	Terraform string
	// Dir is the working directory holding the configuration and its state.
	Dir string
	// Env is the whole environment of the terraform process (credentials, TF_CLI_CONFIG_FILE, TF_VAR_*);
	// nil passes this process's. It is never logged.
	Env []string
	// Args are added to the apply command line, such as -var or -parallelism.
	Args []string
	// Log, if set, receives Terraform's human-readable messages, one per line.
	Log io.Writer
}

// Run runs terraform apply once.
func (t *TerraformApply) Run(ctx context.Context) (Changes, error) {
	args := append([]string{"apply", "-auto-approve", "-input=false", "-json", "-lock-timeout=5m"}, t.Args...)
	cmd := exec.CommandContext(ctx, t.Terraform, args...)
	cmd.Dir = t.Dir
	cmd.Env = t.Env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	changes, diags, parseErr := readApplyOutput(&stdout, t.Log)
	if runErr != nil {
		msg := strings.Join(diags, "; ")
		if msg == "" {
			msg = strings.TrimSpace(stderr.String())
		}
		return changes, fmt.Errorf("terraform apply in %s failed: %s: %w", t.Dir, msg, runErr)
	}
	if parseErr != nil {
		return changes, fmt.Errorf("terraform apply in %s succeeded, but its output could not be read: %w", t.Dir, parseErr)
	}
	return changes, nil
}

// readApplyOutput reads the JSON lines of `terraform apply -json`: the apply's change summary, and
// the error diagnostics as "summary: detail" strings.
func readApplyOutput(r io.Reader, log io.Writer) (Changes, []string, error) {
	var (
		changes Changes
		found   bool
		diags   []string
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		var msg struct {
			Type    string `json:"type"`
			Message string `json:"@message"`
			Changes *struct {
				Add, Change, Remove int
				Operation           string
			} `json:"changes"`
			Diagnostic *struct {
				Severity, Summary, Detail string
			} `json:"diagnostic"`
		}
		if err := json.Unmarshal(sc.Bytes(), &msg); err != nil {
			continue // Terraform writes a few plain lines (for example the dev_overrides warning) to stdout
		}
		if log != nil && msg.Message != "" {
			fmt.Fprintln(log, msg.Message)
		}
		switch {
		case msg.Type == "change_summary" && msg.Changes != nil && msg.Changes.Operation == "apply":
			changes = Changes{Added: msg.Changes.Add, Changed: msg.Changes.Change, Destroyed: msg.Changes.Remove}
			found = true
		case msg.Type == "diagnostic" && msg.Diagnostic != nil && msg.Diagnostic.Severity == "error":
			d := msg.Diagnostic.Summary
			if msg.Diagnostic.Detail != "" {
				d += ": " + msg.Diagnostic.Detail
			}
			diags = append(diags, d)
		}
	}
	if err := sc.Err(); err != nil {
		return changes, diags, err
	}
	if !found {
		return changes, diags, errors.New("no apply change summary in the output")
	}
	return changes, diags, nil
}
