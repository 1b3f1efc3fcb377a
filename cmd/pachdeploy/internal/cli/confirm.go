package cli

import (
	"bufio"
	"fmt"
	"strings"
)

// requireYesOrTerminal refuses to change anything unattended without --yes.
func (g *globalOptions) requireYesOrTerminal(what string) error {
	if g.Yes || g.IO.Interactive {
		return nil
	}
	return usagef("refusing to %s without --yes: stdin is not a terminal, so nobody can confirm", what)
}

// ask asks a yes/no question on the terminal; --yes answers yes.
func (g *globalOptions) ask(question string) error {
	if g.Yes {
		return nil
	}
	answer, err := g.prompt(question + " [y/N] ")
	if err != nil {
		return err
	}
	if a := strings.ToLower(answer); a != "y" && a != "yes" {
		return errAborted
	}
	return nil
}

// askStackName makes the person type the stack name (for deleting data): --yes does not
// answer it on a terminal.
func (g *globalOptions) askStackName(warning string) error {
	if !g.IO.Interactive {
		return nil
	}
	answer, err := g.prompt(fmt.Sprintf("%s\nType the stack name (%s) to confirm: ", warning, g.Stack))
	if err != nil {
		return err
	}
	if answer != g.Stack {
		return errAborted
	}
	return nil
}

func (g *globalOptions) prompt(text string) (string, error) {
	fmt.Fprint(g.IO.ErrOut, text)
	if g.in == nil {
		g.in = bufio.NewReader(g.IO.In)
	}
	line, err := g.in.ReadString('\n')
	if err != nil && line == "" {
		return "", errAborted
	}
	return strings.TrimSpace(line), nil
}
