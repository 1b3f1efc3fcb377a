package automation

import (
	"regexp"
	"strings"
)

// redactor replaces known secret values (the stack's secret settings) with [secret] in
// anything this package reports: error details, diagnostics, progress.
type redactor []string

// secretMark replaces secret values, as the engine does in its events.
const secretMark = "[secret]"

func (r redactor) redact(s string) string {
	for _, v := range r {
		if v != "" {
			s = strings.ReplaceAll(s, v, secretMark)
		}
	}
	return s
}

func (r redactor) all(l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = r.redact(s)
	}
	return out
}

// colorDirective matches the engine's color tags (<{%reset%}>) and ANSI escapes.
var colorDirective = regexp.MustCompile(`<\{%[^%]*%\}>|\x1b\[[0-9;]*m`)

func trimANSI(s string) string { return strings.TrimSpace(colorDirective.ReplaceAllString(s, "")) }
