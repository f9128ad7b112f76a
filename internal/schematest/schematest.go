// Package schematest checks JSON Schemas as editors use them, for the
// tests that hold the schemas of person files and of the configuration to
// what their loaders accept.
package schematest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// Compile compiles a schema as an editor uses it: formats such as
// date are checked, not only noted.
func Compile(t testing.TB, gen func() ([]byte, error)) *jsonschema.Schema {
	t.Helper()
	data, err := gen()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Documents reads every document of a YAML file as an editor does,
// under YAML 1.2's core schema, into the values a JSON Schema validator
// takes. It fails when the text is not YAML an editor accepts.
func Documents(data []byte) ([]any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []any
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		v, err := coreValue(&n)
		if err != nil {
			return nil, err
		}
		docs = append(docs, v)
	}
}

// coreValue is the value of a node under YAML 1.2's core schema: dates
// stay text, and << is a key like any other.
func coreValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		return coreValue(n.Content[0])
	case yaml.AliasNode:
		return coreValue(n.Alias)
	case yaml.SequenceNode:
		out := []any{}
		for _, c := range n.Content {
			v, err := coreValue(c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if _, dup := out[k]; dup {
				return nil, fmt.Errorf("line %d: the key %s appears twice", n.Content[i].Line, k)
			}
			v, err := coreValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	}
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		err := n.Decode(&b)
		return b, err
	case "!!int", "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, err
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			f = 0 // a number all the same
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
	}
	return n.Value, nil
}

// Errors validates every document of a file and returns the errors.
func Errors(t testing.TB, s *jsonschema.Schema, path string) ([]string, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := Documents(data)
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, errors.New("no YAML document")
	}
	var out []string
	for _, d := range docs {
		if err := s.Validate(d); err != nil {
			out = append(out, err.Error())
		}
	}
	return out, nil
}
