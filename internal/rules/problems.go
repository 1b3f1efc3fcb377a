package rules

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrNilArgs is what every component constructor returns, wrapped with its name, when
// given nil args.
var ErrNilArgs = errors.New("args are required")

// Problem is one invalid setting: which field, the value given and the rule broken.
type Problem struct {
	Field string
	Value string
	Rule  string
}

// Problems collects every invalid setting so that all of them are reported at once.
type Problems []Problem

// Add records a problem with field when err is not nil. Long values are cut (see
// ShownValue).
func (p *Problems) Add(field, value string, err error) {
	if err != nil {
		*p = append(*p, Problem{Field: field, Value: ShownValue(value), Rule: err.Error()})
	}
}

// Addf records a problem with field whose rule is given as a format string.
func (p *Problems) Addf(field, value, format string, args ...any) {
	*p = append(*p, Problem{Field: field, Value: ShownValue(value), Rule: fmt.Sprintf(format, args...)})
}

// maxShown is the longest value a problem repeats whole.
const maxShown = 80

// ShownValue is v as a message repeats it: whole up to 80 bytes, else its first 60
// bytes (cut on a character boundary) and its length, so a pasted file or a runaway
// value never floods a terminal or a log.
func ShownValue(v string) string {
	if len(v) <= maxShown {
		return v
	}
	cut := 60
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes)", v[:cut], len(v))
}

// Err returns nil when there are no problems, else an *Error listing all of them.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Problems: append(Problems(nil), p...)}
}

// Error is a validation failure listing every problem found.
type Error struct {
	Problems Problems
}

// Error lists one problem a line: field, value and rule.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "invalid configuration (%d problem", len(e.Problems))
	if len(e.Problems) != 1 {
		b.WriteString("s")
	}
	b.WriteString("):")
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  - %s = %q: %s", p.Field, p.Value, p.Rule)
	}
	return b.String()
}
