// Package strictyaml parses the YAML files users hand pachdeploy (settings files,
// chart values files) strictly: exactly one document, no duplicate keys at any level,
// text keys only, and nothing after the document. Loose parsers let the last of two
// duplicate keys win silently; here both are reported with their lines.
package strictyaml

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"gopkg.in/yaml.v3"
)

// Parse reads data as one YAML document and returns its top node. name (a file path)
// prefixes every error.
func Parse(name string, data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: is empty", name)
		}
		return nil, fmt.Errorf("%s: not valid YAML: %v", name, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, fmt.Errorf("%s: not valid YAML after the first document: %v", name, err)
	default:
		return nil, fmt.Errorf("%s: line %d: a second YAML document; give one document only", name, extra.Line)
	}
	top := &doc
	if top.Kind == yaml.DocumentNode && len(top.Content) == 1 {
		top = top.Content[0]
	}
	if err := checkKeys(top); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return top, nil
}

// checkKeys reports the first duplicate or non-text mapping key below n.
func checkKeys(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		first := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || (k.Tag != "!!str" && k.Tag != "!!merge") {
				return fmt.Errorf("line %d: keys must be text, not %s", k.Line, describe(k))
			}
			if line, dup := first[k.Value]; dup {
				return fmt.Errorf("line %d: duplicate key %q (first at line %d); give each key once", k.Line, k.Value, line)
			}
			first[k.Value] = k.Line
		}
	}
	for _, c := range n.Content {
		if err := checkKeys(c); err != nil {
			return err
		}
	}
	return nil
}

// describe names a node's kind for messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a map"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	switch n.Tag {
	case "!!int", "!!float":
		return "a number"
	case "!!bool":
		return "true/false"
	case "!!null":
		return "empty"
	}
	return "text"
}

// Describe names what n holds ("a map", "a list", "a number", "text", ...) for
// messages about values of the wrong kind.
func Describe(n *yaml.Node) string { return describe(n) }

// Map decodes n, which must be a map, into plain Go values (maps with string keys,
// lists, strings, numbers, booleans and nil), as chart values are.
func Map(n *yaml.Node) (map[string]any, error) {
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("must be a map at the top, not %s", describe(n))
	}
	var v map[string]any
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}
