package verify

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteText writes one line per check (status, name, what was seen and, for a failure,
// what to do) and a summary line.
func WriteText(w io.Writer, r *Result) error {
	var b strings.Builder
	counts := map[Status]int{}
	for _, c := range r.Checks {
		counts[c.Status]++
		fmt.Fprintf(&b, "%-4s  %-16s  %s", strings.ToUpper(string(c.Status)), c.Name, c.Detail)
		if c.Fix != "" {
			fmt.Fprintf(&b, "; fix: %s", c.Fix)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "Verify (namespace %s): %d ok, %d failed, %d skipped\n", r.Namespace, counts[OK], counts[Fail], counts[Skip])
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the result as one indented JSON object.
func WriteJSON(w io.Writer, r *Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
