package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// terraformCLI runs one Terraform binary in one working directory with a fixed environment.
type terraformCLI struct {
	path, dir string
	env       []string
	// verbose, when set, receives Terraform's output as it runs.
	verbose io.Writer
}

// run runs terraform with args and returns its combined output and exit code. err is set only when
// Terraform could not be run or was stopped; a non-zero exit code alone is not an error, because
// `plan -detailed-exitcode` uses 2 for "changes". Whatever Terraform started (provider plugins) is
// stopped before run returns.
func (tf *terraformCLI) run(ctx context.Context, args ...string) (output string, exitCode int, err error) {
	cmd := exec.CommandContext(ctx, tf.path, args...)
	cmd.Dir = tf.dir
	cmd.Env = tf.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if tf.verbose != nil {
		cmd.Stdout = io.MultiWriter(&out, tf.verbose)
		cmd.Stderr = cmd.Stdout
	}
	isolate(cmd)
	cmd.WaitDelay = 15 * time.Second
	err = cmd.Run()
	reap(cmd)
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return out.String(), -1, fmt.Errorf("terraform %s stopped: %w", strings.Join(args, " "), ctx.Err())
	case errors.As(err, &exit):
		return out.String(), exit.ExitCode(), nil
	case err != nil:
		return out.String(), -1, fmt.Errorf("running terraform %s: %w", strings.Join(args, " "), err)
	}
	return out.String(), 0, nil
}

// mustRun runs terraform and treats any exit code but 0 as a failure that shows Terraform's output.
func (tf *terraformCLI) mustRun(ctx context.Context, args ...string) (string, error) {
	out, code, err := tf.run(ctx, args...)
	if err == nil && code != 0 {
		err = fmt.Errorf("terraform %s exited with %d", strings.Join(args, " "), code)
	}
	if err != nil {
		return out, fmt.Errorf("%w; its output ends with:\n%s", err, tail(out, 40))
	}
	return out, nil
}

// version returns Terraform's version, such as "1.11.4".
func (tf *terraformCLI) version(ctx context.Context) (string, error) {
	out, err := tf.mustRun(ctx, "version", "-json")
	if err != nil {
		return "", err
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &v); err != nil || v.Version == "" {
		return "", fmt.Errorf("reading the version of %s from %q: %v", tf.path, out, err)
	}
	return v.Version, nil
}

// supportedVersion reports whether a Terraform version is 1.5 or later.
func supportedVersion(v string) bool {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	return err1 == nil && err2 == nil && (major > 1 || major == 1 && minor >= 5)
}

var applySummary = regexp.MustCompile(`(?m)^Apply complete! Resources: .*$`)

// summary returns Terraform's "Apply complete! ..." line from an apply's output.
func summary(out string) string {
	if s := applySummary.FindString(out); s != "" {
		return s
	}
	return "Apply complete."
}

func tail(s string, lines int) string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return "    " + strings.Join(all, "\n    ")
}

// environ is os.Environ, a variable so that tests can run without the caller's environment.
var environ = os.Environ
