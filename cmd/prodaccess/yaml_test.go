package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"
)

// TestYAMLMatchesJSON: every command that writes JSON writes YAML too,
// and the two decode to the same value. The table must name every such
// command, so that a new one cannot be left out.
func TestYAMLMatchesJSON(t *testing.T) {
	t.Parallel()
	audit := auditRepo(t)
	w := newStack(t, map[string]string{
		"alice": permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", ""),
		"bob":   permanentFile("Bob Brown", "bob-gh", 0, fingerprint('B'), "bob", ""),
	}, []string{fingerprint('A')}, []string{"alice"})
	w.gh.AddUser("alice-gh", 1, true)
	w.gh.AddUser("bob-gh", 2, true)
	w.gh.SetMember("gov-uk-production", "alice-gh", "member")
	// The recipients target lists its secrets, so that secrets status has
	// something to say.
	cfg := show(t, w.people, "HEAD", "prodaccess.yaml")
	cfg = strings.Replace(cfg, "    format: gpg-recipients\n", "    format: gpg-recipients\n    secrets:\n      - {glob: \"*.gpg\", format: openpgp}\n", 1)
	// adopt needs the day prodaccess took over.
	cfg = strings.Replace(cfg, "people: people\n", "people: people\npolicy:\n  adopted_on: 2026-12-01\n", 1)
	lead := "name: Lena Lead\nemail: lena@example.gov.uk\ngithub: lena-gh\nprogramme: govuk\nrole: lead_developer\nemployment: civil_servant\nclearance: sc\n"
	if err := devstack.Commit(w.people, map[string]string{"prodaccess.yaml": cfg, "people/lena.yaml": lead}, "List the secrets, and a lead who approves"); err != nil {
		t.Fatal(err)
	}
	if err := devstack.Commit(w.secrets, map[string]string{"not-a-secret.gpg": "plain text\n"}, "A file that is not OpenPGP"); err != nil {
		t.Fatal(err)
	}
	stack := func(args ...string) result { return w.run(args...) }
	in := func(dir string) func(args ...string) result {
		return func(args ...string) result { return prodaccess(t, dir, args...) }
	}
	tests := []struct {
		command string
		run     func(args ...string) result
		args    []string
	}{
		{"who", in(repoRoot), []string{"who", "--at", "2026-12-01"}},
		{"explain", in(repoRoot), []string{"explain", "chris-contractor", "--at", "2026-12-01"}},
		{"plan", stack, []string{"plan"}},
		{"changes", in(audit), []string{"changes", "--from", "HEAD~3", "--to", "HEAD", "--at", "2021-02-14"}},
		{"audit at", in(audit), []string{"audit", "at", "2021-02-14"}},
		{"audit timeline", in(audit), []string{"audit", "timeline", "--to", "2021-04-01"}},
		{"audit review", in(audit), []string{"audit", "review", "--at", "2021-02-14", "--secrets=false"}},
		{"secrets status", stack, []string{"secrets", "status"}},
		{"secrets rotation", stack, []string{"secrets", "rotation"}},
		{"upcoming", in(repoRoot), []string{"upcoming", "--at", "2026-12-01", "--days", "62"}},
		{"audit record", in(recordAuditRepo(t)), []string{"audit", "record", "signon"}},
		{"version", in(repoRoot), []string{"version"}},
		{"adopt", stack, []string{"adopt", "--dry-run"}},
	}
	for _, tt := range tests {
		t.Run(tt.command, func(t *testing.T) {
			decoded := map[string]any{}
			for _, format := range []string{"json", "yaml"} {
				r := tt.run(append(slices.Clone(tt.args), "--format", format)...)
				// secrets status exits 1 for the secret it cannot read,
				// and still writes what it found.
				if r.code != 0 && r.code != 2 && (r.code != 1 || r.stdout == "") {
					t.Fatalf("%v --format %s: exit %d\n%s", tt.args, format, r.code, r.stderr)
				}
				data := []byte(r.stdout)
				if format == "yaml" {
					if bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
						t.Fatalf("--format yaml wrote JSON:\n%s", data)
					}
					var err error
					if data, err = yaml.YAMLToJSON(data); err != nil {
						t.Fatalf("--format yaml is not YAML: %v\n%s", err, r.stdout)
					}
				}
				var v any
				if err := json.Unmarshal(data, &v); err != nil {
					t.Fatalf("--format %s: %v\n%s", format, err, r.stdout)
				}
				decoded[format] = v
			}
			if diff := cmp.Diff(decoded["json"], decoded["yaml"]); diff != "" {
				t.Errorf("json and yaml differ (-json +yaml):\n%s", diff)
			}
		})
	}

	// Every command with a json format is in the table.
	var covered []string
	for _, tt := range tests {
		covered = append(covered, tt.command)
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if f := c.Flags().Lookup("format"); f != nil && strings.Contains(f.Usage, "json") {
			path := strings.TrimPrefix(c.CommandPath(), "prodaccess ")
			if !slices.Contains(covered, path) {
				t.Errorf("%s writes JSON but is not checked here", path)
			}
			if !strings.Contains(f.Usage, "yaml") {
				t.Errorf("%s --format does not say yaml: %q", path, f.Usage)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRoot(&options{}))
}
