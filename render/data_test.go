package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// TestYAMLKeepsJSON: --format yaml is the JSON, key for key in the same
// order, and reads back as the same values, even those YAML 1.1 would
// read as something else.
func TestYAMLKeepsJSON(t *testing.T) {
	type row struct {
		Zebra  string   `json:"zebra"`
		Apple  any      `json:"apple"`
		Middle []string `json:"middle"`
	}
	v := struct {
		Rows  []row   `json:"rows"`
		Count int     `json:"count"`
		Ratio float64 `json:"ratio"`
		Ok    bool    `json:"ok"`
		None  *string `json:"none"`
	}{Rows: []row{
		{Zebra: "no", Apple: "on", Middle: []string{"0123", "1e3", "2026-12-06", "true", "", "null", "-", ":x", "a\nb", "# not a comment", "~"}},
		{Zebra: "yes", Apple: 12, Middle: []string{}},
	}, Count: 3, Ratio: 0.25, Ok: true}
	var out bytes.Buffer
	if err := WriteData(&out, "yaml", v); err != nil {
		t.Fatal(err)
	}
	if i, j := strings.Index(out.String(), "zebra:"), strings.Index(out.String(), "apple:"); i < 0 || j < i {
		t.Errorf("the keys are not in the JSON's order:\n%s", out.String())
	}
	back, err := yaml.YAMLToJSON(out.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	want, _ := json.Marshal(v)
	var got, wantV any
	json.Unmarshal(back, &got)
	json.Unmarshal(want, &wantV)
	if diff := cmp.Diff(wantV, got); diff != "" {
		t.Errorf("YAML read back (YAML 1.1) differs from the JSON (-json +yaml):\n%s\n%s", diff, out.String())
	}
}
