package gitfile

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/model"
)

const (
	fpA = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	fpB = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
	fpC = "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC"
)

func TestRewrite(t *testing.T) {
	add := func(subject, name string) model.Change {
		return model.Change{Action: model.Add, Subject: subject, Name: name, Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.gov.uk"}
	}
	remove := func(subject string) model.Change { return model.Change{Action: model.Remove, Subject: subject} }
	tests := []struct {
		name    string
		target  model.Target
		in      string
		changes []model.Change
		want    string
	}{
		{
			name:   "recipients: comments and blank lines stay, removed key goes, new key at the end",
			target: model.Target{Format: model.GPGRecipients, Path: "production_hiera_gpg.rcp"},
			in: "# Production hieradata recipients\n\n" +
				"AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA # Puppet master\n" +
				fpB + " # Bob Leaver <bob@example.gov.uk>\n",
			changes: []model.Change{remove("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"), add(fpC, "Cy New")},
			want: "# Production hieradata recipients\n\n" +
				"AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA # Puppet master\n" +
				fpC + " # Cy New <cy.new@example.gov.uk>\n",
		},
		{
			name:    "recipients: a file without a final newline",
			target:  model.Target{Format: model.GPGRecipients},
			in:      fpA + " # Al",
			changes: []model.Change{add(fpB, "Bo")},
			want:    fpA + " # Al\n" + fpB + " # Bo <bo@example.gov.uk>\n",
		},
		{
			name:    "gpg-id",
			target:  model.Target{Format: model.GPGID},
			in:      fpA + "\n" + fpB + "\n",
			changes: []model.Change{remove(fpA), add(fpC, "Cy")},
			want:    fpB + "\n" + fpC + "\n",
		},
		{
			name:    "yaml-list: block list, comments and other keys stay",
			target:  model.Target{Format: model.YAMLList, Key: "users::usernames"},
			in:      "---\n# Users with SSH access\nusers::usernames:\n  - alice   # on call\n  - bob\n  - carol\n\nusers::shell: /bin/bash\n",
			changes: []model.Change{remove("bob"), add("dave", ""), add("no", "")},
			want:    "---\n# Users with SSH access\nusers::usernames:\n  - alice   # on call\n  - carol\n  - dave\n  - \"no\"\n\nusers::shell: /bin/bash\n",
		},
		{
			name:    "yaml-list: list at column one",
			target:  model.Target{Format: model.YAMLList, Key: "users"},
			in:      "users:\n- alice\nother: 1\n",
			changes: []model.Change{add("bob", "")},
			want:    "users:\n- alice\n- bob\nother: 1\n",
		},
		{
			name:    "yaml-list: an empty inline list",
			target:  model.Target{Format: model.YAMLList, Key: "users::usernames"},
			in:      "users::usernames: [] # nobody yet\n",
			changes: []model.Change{add("alice", ""), add("bob", "")},
			want:    "users::usernames: [alice, bob] # nobody yet\n",
		},
		{
			name:   "tfvars-list: only the variable is rewritten",
			target: model.Target{Format: model.TFVarsList, Key: "role_poweruser_user_arns", Path: "common.tfvars"},
			in: "# Power users\nrole_poweruser_user_arns = [\"arn:aws:iam::123456789012:user/a\", \"arn:aws:iam::123456789012:user/b\"]\n" +
				"other = \"x\" # untouched\n",
			changes: []model.Change{remove("arn:aws:iam::123456789012:user/a"), add("arn:aws:iam::123456789012:user/c", "C")},
			want: "# Power users\nrole_poweruser_user_arns = [\n  \"arn:aws:iam::123456789012:user/b\",\n  \"arn:aws:iam::123456789012:user/c\",\n]\n" +
				"other = \"x\" # untouched\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rewrite(&tt.target, []byte(tt.in), tt.changes)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseRefusesToGuess: a file prodaccess cannot read for certain is an
// error, never an empty or shorter list.
func TestParseRefusesToGuess(t *testing.T) {
	tests := []struct {
		name   string
		target model.Target
		in     string
		want   string
	}{
		{"recipients: a short key id", model.Target{Format: model.GPGRecipients}, fpA + "\n89ABCDEF01234567 # Eve\n",
			`line 2: "89ABCDEF01234567" is a short key id, which can be forged; give the full 40-digit fingerprint; prodaccess only manages full fingerprints and will not guess`},
		{"gpg-id: an email address", model.Target{Format: model.GPGID}, fpA + "\nalice@example.gov.uk\n",
			`line 2: "alice@example.gov.uk" is not a 40-digit fingerprint written without spaces; prodaccess only manages full fingerprints and will not guess`},
		{"yaml-list: key missing", model.Target{Format: model.YAMLList, Key: "users::usernames"}, "users::other: []\n",
			"no top-level key users::usernames"},
		{"yaml-list: not a list", model.Target{Format: model.YAMLList, Key: "users"}, "users: alice\n",
			"line 1: users is not a list"},
		{"yaml-list: an item that is not a string", model.Target{Format: model.YAMLList, Key: "users"}, "users:\n  - alice\n  - {name: bob}\n",
			"line 3: an item of users is not a plain string; prodaccess will not guess what it means"},
		{"yaml-list: not YAML", model.Target{Format: model.YAMLList, Key: "users"}, "users: [alice\n",
			"not valid YAML: yaml: line 1: did not find expected ',' or ']'"},
		{"tfvars: a reference, not strings", model.Target{Format: model.TFVarsList, Key: "arns", Path: "x.tfvars"}, "arns = [var.admins]\n",
			`line 1: arns is not a list of plain strings: x.tfvars:1,9-12: Variables not allowed; Variables may not be used here.`},
		{"tfvars: variable missing", model.Target{Format: model.TFVarsList, Key: "arns", Path: "x.tfvars"}, "other = []\n",
			"no variable arns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := formatFor(&tt.target)
			if err != nil {
				t.Fatal(err)
			}
			entries, err := f.parse([]byte(tt.in))
			if err == nil {
				t.Fatalf("no error; entries %v", entries)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
