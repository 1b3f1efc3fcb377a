package policy

import (
	"strconv"
	"strings"
)

// Get reads a dotted path ("metadata.name", "agentPoolProfiles[0].vmSize") in inputs.
func Get(inputs map[string]any, path string) (any, bool) {
	var cur any = inputs
	for _, part := range strings.Split(path, ".") {
		name, index, indexed := strings.Cut(part, "[")
		if name != "" {
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = m[name]; !ok {
				return nil, false
			}
		}
		if indexed {
			i, err := strconv.Atoi(strings.TrimSuffix(index, "]"))
			l, ok := cur.([]any)
			if err != nil || !ok || i < 0 || i >= len(l) {
				return nil, false
			}
			cur = l[i]
		}
	}
	return cur, true
}

// String reads a string at path, or "".
func String(inputs map[string]any, path string) string {
	v, _ := Get(inputs, path)
	s, _ := v.(string)
	return s
}

// Strings reads a list at path: its strings, or for a list of objects the field of
// each (Strings(in, "cidrBlocks", "cidrBlock")).
func Strings(inputs map[string]any, path string, field ...string) []string {
	v, _ := Get(inputs, path)
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, e := range l {
		if m, ok := e.(map[string]any); ok && len(field) > 0 {
			e = m[field[0]]
		}
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// True reports whether the value at path is the boolean true.
func True(inputs map[string]any, path string) bool {
	v, _ := Get(inputs, path)
	b, _ := v.(bool)
	return b
}

// Each returns one violation, with message, for every resource of type typ that
// broken reports as breaking the rule: the shape of most single-resource rules.
func Each(typ, message string, broken func(inputs map[string]any) bool) func(Resources) []Violation {
	return func(rs Resources) []Violation {
		var out []Violation
		for _, r := range rs.OfType(typ) {
			if broken(r.Inputs) {
				out = append(out, Violation{URN: r.URN, Message: message})
			}
		}
		return out
	}
}
