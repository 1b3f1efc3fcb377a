//go:build unix

package automation

import (
	"os"
	"os/exec"
	"syscall"
)

// ownProcessGroup starts cmd in a new process group: a terminal's Ctrl-C then reaches
// only pachdeploy, which interrupts the CLI exactly once.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// interrupt asks the CLI (not its plugins) to stop gracefully, as one Ctrl-C does.
func interrupt(p *os.Process) error { return p.Signal(os.Interrupt) }

// killGroup kills the CLI and every plugin it started.
func killGroup(p *os.Process) { _ = syscall.Kill(-p.Pid, syscall.SIGKILL) }
