//go:build !unix

package automation

import (
	"os"
	"os/exec"
)

func ownProcessGroup(*exec.Cmd) {}

// interrupt kills the CLI: other systems have no portable SIGINT for a child.
func interrupt(p *os.Process) error { return p.Kill() }

func killGroup(p *os.Process) { _ = p.Kill() }
