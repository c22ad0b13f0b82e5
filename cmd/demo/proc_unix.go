//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// isolate puts Terraform in its own process group, so that stopping it reaches the provider plugins it
// started, and a Ctrl-C in the terminal reaches the demo first, which then stops Terraform in order.
func isolate(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGINT) }
}

// reap kills whatever is left of Terraform's process group once Terraform has exited.
func reap(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
