package config

import "testing"

// TestHostKey: hosts compare without case, with the port https uses when
// none is given, as GitHost writes them.
func TestHostKey(t *testing.T) {
	for in, want := range map[string]string{
		"git.example.org":      "git.example.org:443",
		"GIT.example.org:443":  "git.example.org:443",
		"git.example.org:8443": "git.example.org:8443",
		"127.0.0.1:4000":       "127.0.0.1:4000",
		"[::1]":                "[::1]:443",
		"[::1]:8443":           "[::1]:8443",
	} {
		if got := HostKey(in); got != want {
			t.Errorf("HostKey(%q) = %q, want %q", in, got, want)
		}
	}
}
