package gitfile

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

const (
	fpA = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	fpB = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
	fpC = "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC"
)

func TestRewrite(t *testing.T) {
	add := func(subject, name string) outcome.Change {
		return outcome.Change{Action: outcome.Add, Subject: subject, Name: name, Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.gov.uk"}
	}
	remove := func(subject string) outcome.Change { return outcome.Change{Action: outcome.Remove, Subject: subject} }
	tests := []struct {
		name    string
		target  config.Target
		in      string
		changes []outcome.Change
		want    string
	}{
		{
			name:   "recipients: comments and blank lines stay, removed key goes, new key at the end",
			target: config.Target{Format: config.GPGRecipients, Path: "production_hiera_gpg.rcp"},
			in: "# Production hieradata recipients\n\n" +
				"AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA # Puppet master\n" +
				fpB + " # Bob Leaver <bob@example.gov.uk>\n",
			changes: []outcome.Change{remove("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"), add(fpC, "Cy New")},
			want: "# Production hieradata recipients\n\n" +
				"AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA # Puppet master\n" +
				fpC + " # Cy New <cy.new@example.gov.uk>\n",
		},
		{
			name:    "recipients: a file without a final newline keeps that shape",
			target:  config.Target{Format: config.GPGRecipients},
			in:      fpA + " # Al",
			changes: []outcome.Change{add(fpB, "Bo")},
			want:    fpA + " # Al\n" + fpB + " # Bo <bo@example.gov.uk>",
		},
		{
			name:    "gpg-id",
			target:  config.Target{Format: config.GPGID},
			in:      fpA + "\n" + fpB + "\n",
			changes: []outcome.Change{remove(fpA), add(fpC, "Cy")},
			want:    fpB + "\n" + fpC + "\n",
		},
		{
			name:    "yaml-list: block list, comments and other keys stay",
			target:  config.Target{Format: config.YAMLList, Key: "users::usernames"},
			in:      "---\n# Users with SSH access\nusers::usernames:\n  - alice   # on call\n  - bob\n  - carol\n\nusers::shell: /bin/bash\n",
			changes: []outcome.Change{remove("bob"), add("dave", ""), add("no", "")},
			want:    "---\n# Users with SSH access\nusers::usernames:\n  - alice   # on call\n  - carol\n  - dave\n  - \"no\"\n\nusers::shell: /bin/bash\n",
		},
		{
			name:    "yaml-list: list at column one",
			target:  config.Target{Format: config.YAMLList, Key: "users"},
			in:      "users:\n- alice\nother: 1\n",
			changes: []outcome.Change{add("bob", "")},
			want:    "users:\n- alice\n- bob\nother: 1\n",
		},
		{
			name:    "yaml-list: an empty inline list",
			target:  config.Target{Format: config.YAMLList, Key: "users::usernames"},
			in:      "users::usernames: [] # nobody yet\n",
			changes: []outcome.Change{add("alice", ""), add("bob", "")},
			want:    "users::usernames: [alice, bob] # nobody yet\n",
		},
		{
			name:   "tfvars-list: a list on one line stays on one line",
			target: config.Target{Format: config.TFVarsList, Key: "role_poweruser_user_arns", Path: "common.tfvars"},
			in: "# Power users\nrole_poweruser_user_arns = [\"arn:aws:iam::123456789012:user/a\", \"arn:aws:iam::123456789012:user/b\"]\n" +
				"other = \"x\" # untouched\n",
			changes: []outcome.Change{remove("arn:aws:iam::123456789012:user/a"), add("arn:aws:iam::123456789012:user/c", "C")},
			want: "# Power users\nrole_poweruser_user_arns = [\"arn:aws:iam::123456789012:user/b\", \"arn:aws:iam::123456789012:user/c\"]\n" +
				"other = \"x\" # untouched\n",
		},
		{
			name:    "lines: comments, blank lines and CRLF stay; a new entry is commented as the others are",
			target:  config.Target{Type: model.Manual, Format: config.Lines, Path: "signon.txt"},
			in:      "# Signon Super Admin\r\n\r\nal@example.gov.uk  # Al\r\nBo@Example.gov.uk # Bo\r\n\r\n# end\r\n",
			changes: []outcome.Change{remove("bo@example.gov.uk"), add("cy.new@example.gov.uk", "Cy New")},
			want:    "# Signon Super Admin\r\n\r\nal@example.gov.uk  # Al\r\ncy.new@example.gov.uk # Cy New\r\n\r\n# end\r\n",
		},
		{
			name:    "lines: plain entries stay plain, indented as the last one",
			target:  config.Target{Type: model.Manual, Format: config.Lines},
			in:      "  al@example.gov.uk\n",
			changes: []outcome.Change{add("bo@example.gov.uk", "Bo")},
			want:    "  al@example.gov.uk\n  bo@example.gov.uk\n",
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
		target config.Target
		in     string
		want   string
	}{
		{"recipients: a short key id", config.Target{Format: config.GPGRecipients}, fpA + "\n89ABCDEF01234567 # Eve\n",
			`line 2: "89ABCDEF01234567" is a short key id, which can be forged; give the full 40-digit fingerprint; prodaccess only manages full fingerprints and will not guess`},
		{"gpg-id: an email address", config.Target{Format: config.GPGID}, fpA + "\nalice@example.gov.uk\n",
			`line 2: "alice@example.gov.uk" is not a fingerprint: only hex digits and spaces are allowed; prodaccess only manages full fingerprints and will not guess`},
		{"yaml-list: key missing", config.Target{Format: config.YAMLList, Key: "users::usernames"}, "users::other: []\n",
			"no top-level key users::usernames"},
		{"yaml-list: not a list", config.Target{Format: config.YAMLList, Key: "users"}, "users: alice\n",
			"line 1: users is not a list"},
		{"yaml-list: an item that is not a string", config.Target{Format: config.YAMLList, Key: "users"}, "users:\n  - alice\n  - {name: bob}\n",
			"line 3: an item of users is not a plain string; prodaccess will not guess what it means"},
		{"yaml-list: not YAML", config.Target{Format: config.YAMLList, Key: "users"}, "users: [alice\n",
			"not valid YAML: yaml: line 1: did not find expected ',' or ']'"},
		{"tfvars: a reference, not strings", config.Target{Format: config.TFVarsList, Key: "arns", Path: "x.tfvars"}, "arns = [var.admins]\n",
			`line 1: arns is not a list of plain strings: x.tfvars:1,9-12: Variables not allowed; Variables may not be used here.`},
		{"tfvars: variable missing", config.Target{Format: config.TFVarsList, Key: "arns", Path: "x.tfvars"}, "other = []\n",
			"no variable arns"},
		{"recipients: a tab inside a fingerprint, which gpg does not read", config.Target{Format: config.GPGRecipients}, fpA + "\nBBBBBBBBBBBBBBBBBBBB\tBBBBBBBBBBBBBBBBBBBB # Bo\n",
			`line 2: "BBBBBBBBBBBBBBBBBBBB\tBBBBBBBBBBBBBBBBBBBB" is spaced in a way gpg does not read as a fingerprint; gpg reads the 40 digits written together, or in ten groups of four separated by single spaces; prodaccess only manages full fingerprints and will not guess`},
		{"gpg-id: 0x before a spaced fingerprint", config.Target{Format: config.GPGID}, "0xAAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA\n",
			`line 1: "0xAAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA" is not a fingerprint gpg reads: it reads 0x only before the 40 digits written together; prodaccess only manages full fingerprints and will not guess`},
		{"gpg-id: a last line without a line end, which pass skips", config.Target{Format: config.GPGID}, "# team\n" + fpA + "\n" + fpB,
			"line 3: the file does not end with a line feed, and pass ignores a last line without one; end the file with a line feed"},
		{"yaml-list: a list another key uses through an alias", config.Target{Format: config.YAMLList, Key: "users::usernames"},
			"users::usernames: &users\n  - alice\n  - bob\nusers::sudo_usernames: *users\n",
			"line 1: users::usernames carries the anchor &users, and users::sudo_usernames uses it at line 4 (*users): editing the list would change both keys; prodaccess changes exactly one key's list, so write the list of users::sudo_usernames out in full"},
		{"yaml-list: an item another key uses through an alias", config.Target{Format: config.YAMLList, Key: "users"},
			"users: [&lead alice, bob]\nleads:\n  - *lead\n",
			"line 1: users carries the anchor &lead, and leads uses it at line 3 (*lead): editing the list would change both keys; prodaccess changes exactly one key's list, so write the list of leads out in full"},
		{"yaml-list: the key is an alias", config.Target{Format: config.YAMLList, Key: "sudo"}, "users: &u [alice]\nsudo: *u\n",
			"line 2: sudo is an alias (*u) of a list written elsewhere; prodaccess edits a list only where it is written"},
		{"yaml-list: a plain yes, a boolean to puppet", config.Target{Format: config.YAMLList, Key: "users"}, "users:\n  - alice\n  - yes\n",
			"line 3: the item yes of users is a boolean or null to YAML 1.1 readers such as puppet; quote it"},
		{"yaml-list: an item over two lines", config.Target{Format: config.YAMLList, Key: "users"}, "users:\n  - alice\n    smith\n",
			"line 2: an item of users is written over several lines; prodaccess edits items written on one line"},
		{"yaml-list: a second document", config.Target{Format: config.YAMLList, Key: "users"}, "users: [alice]\n---\nusers: [eve]\n",
			"line 2: a second YAML document starts here; the file must hold exactly one"},
		{"yaml-list: comments between items that share lines", config.Target{Format: config.YAMLList, Key: "users"}, "users: [alice, # first\n  bob, carol]\n",
			"line 1: users has several items on a line and comments between them; prodaccess cannot edit it without moving a comment away from its item: write one item a line"},
		{"yaml-list: a carriage return alone", config.Target{Format: config.YAMLList, Key: "users"}, "users:\r  - alice\n",
			"line 1: a line break other than a line feed (U+000D); prodaccess cannot place lines in this file"},
		{"tfvars: an interpolated string", config.Target{Format: config.TFVarsList, Key: "arns", Path: "x.tfvars"}, "arns = [\"a\", \"${\"b\"}c\"]\n",
			"line 1: an item of arns is not a plain string; prodaccess will not guess what it means"},
		{"tfvars: a heredoc", config.Target{Format: config.TFVarsList, Key: "arns", Path: "x.tfvars"}, "arns = [\n  <<EOT\na\nEOT\n]\n",
			"line 2: an item of arns is not a plain string; prodaccess will not guess what it means"},
		{"tfvars: comments between items that share lines", config.Target{Format: config.TFVarsList, Key: "arns", Path: "x.tfvars"}, "arns = [\"a\", /* b */ \"b\"]\n",
			"line 1: arns has several items on a line and comments between them; prodaccess cannot edit it without moving a comment away from its item: write one item a line"},
		{"lines: two identities on a line", config.Target{Format: config.Lines}, "al@example.gov.uk\nbo@example.gov.uk cy@example.gov.uk\n",
			`line 2: "bo@example.gov.uk cy@example.gov.uk" holds more than one identity; write one a line, and a comment after a #`},
		{"lines: a comment without a blank before it", config.Target{Format: config.Lines}, "al@example.gov.uk#Al\n",
			`line 1: "al@example.gov.uk#Al" holds '#', which an identity in a record may not hold; prodaccess will not guess what it means`},
		{"lines: an invisible character", config.Target{Format: config.Lines}, "al@example.gov.uk\u200b\n",
			`line 1: "al@example.gov.uk\u200b" holds '\u200b', which an identity in a record may not hold; prodaccess will not guess what it means`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := formatFor(&tt.target)
			if err != nil {
				t.Fatal(err)
			}
			entries, err := readEntries(f, []byte(tt.in))
			if err == nil {
				t.Fatalf("no error; entries %v", entries)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestEveryEntryReadCanBeRemoved: reading and editing share one notion of
// which bytes are an entry, so whatever a file is read to hold can be
// removed from it; a file that cannot be edited is refused when read.
func TestEveryEntryReadCanBeRemoved(t *testing.T) {
	tests := []struct {
		name   string
		target config.Target
		in     string
	}{
		{"recipients: a tab inside a fingerprint", config.Target{Format: config.GPGRecipients}, fpA + " # Al\nBBBBBBBBBBBBBBBBBBBB\tBBBBBBBBBBBBBBBBBBBB # Bo\n"},
		{"recipients: tabs around a fingerprint", config.Target{Format: config.GPGRecipients}, "\t" + fpA + "\t# Al\n" + fpB + "\n"},
		{"recipients: spaced as gpg prints", config.Target{Format: config.GPGRecipients}, "AAAA AAAA AAAA AAAA AAAA  AAAA AAAA AAAA AAAA AAAA # Al\n" + fpB + "\n"},
		{"recipients: 0x and lower case", config.Target{Format: config.GPGRecipients}, "0x" + strings.ToLower(fpA) + " # Al\n" + fpB + "\n"},
		{"gpg-id: comments and CRLF", config.Target{Format: config.GPGID}, "# team\r\n" + fpA + " # Al\r\n\r\n" + fpB + "\r\n"},
		{"yaml-list: anchored, tagged and quoted items", config.Target{Format: config.YAMLList, Key: "k"}, "k:\n  - &a alice\n  - !!str bob\n  - 'c''d'\n  - \"e\\\"f\"\n"},
		{"yaml-list: a flow list over lines", config.Target{Format: config.YAMLList, Key: "k"}, "k: [a, b,\n  c]  # x\n"},
		{"lines: tabs, comments and a last line without a line end", config.Target{Format: config.Lines}, "\tal@example.gov.uk\t# Al\n# x\nbo@example.gov.uk"},
		{"tfvars: escapes and comments", config.Target{Format: config.TFVarsList, Key: "k", Path: "x.tfvars"}, "k = [\n  \"a\\\"b\", // one\n  \"$${x}\" /* two */\n]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := formatFor(&tt.target)
			if err != nil {
				t.Fatal(err)
			}
			entries, err := readEntries(f, []byte(tt.in))
			if err != nil {
				t.Logf("refused when read: %v", err)
				return
			}
			for _, e := range entries {
				if _, err := rewrite(&tt.target, []byte(tt.in), []outcome.Change{{Action: outcome.Remove, Subject: e.Subject}}); err != nil {
					t.Errorf("read %q, but cannot remove it: %v", e.Subject, err)
				}
			}
		})
	}
}

// TestRewriteRefusesControlCharactersInNames: a name is written into a
// comment; a line end in it would start a line of its own.
func TestRewriteRefusesControlCharactersInNames(t *testing.T) {
	target := config.Target{Format: config.GPGRecipients, Path: "hiera.rcp"}
	_, err := rewrite(&target, []byte(fpA+" # Al\n"), []outcome.Change{{Action: outcome.Add, Subject: fpB, Name: "Bo\n" + fpC + " # Eve"}})
	want := "the name \"Bo\\n" + fpC + " # Eve\" holds a control character; prodaccess will not write it into a file"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}
