package render

import (
	"encoding/json"
	"io"

	"sigs.k8s.io/yaml"
)

// WriteData writes v as JSON, or as YAML made from the same JSON, so that
// the two always have the same fields with the same names.
func WriteData(w io.Writer, format string, v any) error {
	if format != "yaml" {
		return WriteJSON(w, v)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	out, err := yaml.JSONToYAML(data)
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}
