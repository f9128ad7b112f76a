package strictyaml

import (
	"testing"
)

func TestYAML11Kind(t *testing.T) {
	tests := map[string]string{
		"no": "a boolean", "on": "a boolean", "Y": "a boolean", "OFF": "a boolean",
		"~": "null", "null": "null",
		"0123": "a number", "1e3": "a number", "0x1F": "a number", "1_000": "a number", "1:20": "a number",
		".inf": "a number", "-.5": "a number", "1234567890123456789012345678901234567890": "a number",
		"2021-01-01": "a timestamp",
		"janedoe":    "", "jane-doe": "", "1password": "", "0123456789ABCDEF0123456789ABCDEF01234567": "",
		"nope": "", "inf": "", "e3": "",
	}
	for in, want := range tests {
		if got := YAML11Kind(in); got != want {
			t.Errorf("yaml11Kind(%q) = %q, want %q", in, got, want)
		}
	}
}
