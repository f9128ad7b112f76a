package personfile

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/model"
)

// head is the start of every person file in these tests.
const head = "name: Jo Example\nemail: jo@example.gov.uk\nprogramme: govuk\nrole: developer\nemployment: contractor\nclearance: bpss\n"

func TestEditApply(t *testing.T) {
	grant := func(t *testing.T, reason string) Edit {
		return AppendEntry("temporary_access",
			DayField("start", day(t, "2026-12-01")), DayField("end", day(t, "2026-12-31")),
			TextField("approved_by", "alex-lead"), TextField("supervisor", "sam-senior"),
			BoolField("agreed", false), TextField("reason", reason))
	}
	shift := func(t *testing.T) Edit {
		return AppendEntry("shifts", TextField("type", "primary"), DayField("start", day(t, "2026-12-14")), DayField("end", day(t, "2026-12-18")))
	}
	endAbsence := func(t *testing.T, i int) Edit {
		return SetEntryField("absences", i, DayField("end", day(t, "2026-10-30")))
	}
	held := func(t *testing.T) Edit {
		return AddMapping("held_before_adoption", TextField("level", "permanent"), DayField("since", day(t, "2026-11-30")),
			TextField("approved_by", "alex-lead"), ListField("targets", "github-production", "hieradata"))
	}
	for _, tc := range []struct {
		name       string
		edit       func(t *testing.T) Edit
		file, want string
	}{{
		name: "block entries with comments keep every other byte",
		edit: func(t *testing.T) Edit { return grant(t, "Migrating search") },
		file: "# Chris.\n" + head + "start_date: 2026-10-05\ntemporary_access:\n  # the first one\n  - start: 2026-11-16\n    end: 2026-11-30   # short\n    approved_by: alex-lead\n    supervisor: sam-senior\n    agreed: true\n    reason: Migrating search\n\n# absences follow\nabsences:\n  - start: 2026-01-05\n    end: 2026-01-09\n",
		want: "# Chris.\n" + head + "start_date: 2026-10-05\ntemporary_access:\n  # the first one\n  - start: 2026-11-16\n    end: 2026-11-30   # short\n    approved_by: alex-lead\n    supervisor: sam-senior\n    agreed: true\n    reason: Migrating search\n  - start: 2026-12-01\n    end: 2026-12-31\n    approved_by: alex-lead\n    supervisor: sam-senior\n    agreed: false\n    reason: Migrating search\n\n# absences follow\nabsences:\n  - start: 2026-01-05\n    end: 2026-01-09\n",
	}, {
		name: "flow entries, in the key order of the others",
		edit: shift,
		file: head + "shifts:\n  - {start: 2026-01-05, end: 2026-01-09, type: shadow}\n  - {start: 2026-02-02, end: 2026-02-06, type: shadow}\n",
		want: head + "shifts:\n  - {start: 2026-01-05, end: 2026-01-09, type: shadow}\n  - {start: 2026-02-02, end: 2026-02-06, type: shadow}\n  - {start: 2026-12-14, end: 2026-12-18, type: primary}\n",
	}, {
		name: "padded flow entries after an indentless dash",
		edit: shift,
		file: head + "shifts:\n-   { type: shadow, start: 2026-01-05, end: 2026-01-09 }\n",
		want: head + "shifts:\n-   { type: shadow, start: 2026-01-05, end: 2026-01-09 }\n-   { type: primary, start: 2026-12-14, end: 2026-12-18 }\n",
	}, {
		name: "CRLF line endings",
		edit: shift,
		file: strings.ReplaceAll(head+"shifts:\n  - type: shadow\n    start: 2026-01-05\n    end: 2026-01-09\n", "\n", "\r\n"),
		want: strings.ReplaceAll(head+"shifts:\n  - type: shadow\n    start: 2026-01-05\n    end: 2026-01-09\n  - type: primary\n    start: 2026-12-14\n    end: 2026-12-18\n", "\n", "\r\n"),
	}, {
		name: "a new list in the style of the file's other list, after the field before it",
		edit: func(t *testing.T) Edit { return grant(t, "Cover") },
		file: head + "start_date: 2026-10-05\nshifts:\n    -  {type: shadow, start: 2026-01-05, end: 2026-01-09}\n# what follows is about absence\nabsences:\n    -  {start: 2026-03-02, end: 2026-03-06}\n",
		want: head + "start_date: 2026-10-05\nshifts:\n    -  {type: shadow, start: 2026-01-05, end: 2026-01-09}\ntemporary_access:\n    -  {start: 2026-12-01, end: 2026-12-31, approved_by: alex-lead, supervisor: sam-senior, agreed: false, reason: Cover}\n# what follows is about absence\nabsences:\n    -  {start: 2026-03-02, end: 2026-03-06}\n",
	}, {
		name: "a new list in a file without lists, in the example files' style",
		edit: shift,
		file: head + "start_date: 2026-10-05\n# no shifts yet\n",
		want: head + "start_date: 2026-10-05\nshifts:\n  - type: primary\n    start: 2026-12-14\n    end: 2026-12-18\n# no shifts yet\n",
	}, {
		name: "an empty flow list becomes a block list, keeping its comment",
		edit: shift,
		file: head + "shifts: [] # none yet\nabsences: []\n",
		want: head + "shifts: # none yet\n  - type: primary\n    start: 2026-12-14\n    end: 2026-12-18\nabsences: []\n",
	}, {
		name: "a one-line flow list grows inside its brackets",
		edit: shift,
		file: head + "shifts: [{type: shadow, start: 2026-01-05, end: 2026-01-09}]  # all of them\n",
		want: head + "shifts: [{type: shadow, start: 2026-01-05, end: 2026-01-09}, {type: primary, start: 2026-12-14, end: 2026-12-18}]  # all of them\n",
	}, {
		name: "quoted dates stay quoted, and text that needs quotes gets them",
		edit: func(t *testing.T) Edit { return grant(t, "Fix: the #1 incident") },
		file: head + "start_date: \"2026-10-05\"\n",
		want: head + "start_date: \"2026-10-05\"\ntemporary_access:\n  - start: \"2026-12-01\"\n    end: \"2026-12-31\"\n    approved_by: alex-lead\n    supervisor: sam-senior\n    agreed: false\n    reason: \"Fix: the #1 incident\"\n",
	}, {
		name: "the file's single quotes, and a reason YAML 1.1 would read as a boolean",
		edit: func(t *testing.T) Edit { return grant(t, "yes") },
		file: head + "ssh_username: 'jo'\n",
		want: head + "temporary_access:\n  - start: 2026-12-01\n    end: 2026-12-31\n    approved_by: alex-lead\n    supervisor: sam-senior\n    agreed: false\n    reason: 'yes'\nssh_username: 'jo'\n",
	}, {
		name: "a flow entry quotes a comma",
		edit: func(t *testing.T) Edit { return grant(t, "Search, and the cache") },
		file: head + "temporary_access:\n  - {start: 2026-01-05, end: 2026-01-09, approved_by: alex-lead, supervisor: sam-senior, agreed: true, reason: Cover}\n",
		want: head + "temporary_access:\n  - {start: 2026-01-05, end: 2026-01-09, approved_by: alex-lead, supervisor: sam-senior, agreed: true, reason: Cover}\n  - {start: 2026-12-01, end: 2026-12-31, approved_by: alex-lead, supervisor: sam-senior, agreed: false, reason: \"Search, and the cache\"}\n",
	}, {
		name: "a file without a final line ending keeps it so",
		edit: shift,
		file: head + "shifts:\n  - type: shadow\n    start: 2026-01-05\n    end: 2026-01-09",
		want: head + "shifts:\n  - type: shadow\n    start: 2026-01-05\n    end: 2026-01-09\n  - type: primary\n    start: 2026-12-14\n    end: 2026-12-18",
	}, {
		name: "a reason over several lines in the last entry",
		edit: func(t *testing.T) Edit { return grant(t, "Cover") },
		file: head + "temporary_access:\n  - start: 2026-01-05\n    end: 2026-01-09\n    approved_by: alex-lead\n    supervisor: sam-senior\n    agreed: true\n    reason: >-\n      Cover for\n      the search team\nabsences:\n  - start: 2026-03-02\n",
		want: head + "temporary_access:\n  - start: 2026-01-05\n    end: 2026-01-09\n    approved_by: alex-lead\n    supervisor: sam-senior\n    agreed: true\n    reason: >-\n      Cover for\n      the search team\n  - start: 2026-12-01\n    end: 2026-12-31\n    approved_by: alex-lead\n    supervisor: sam-senior\n    agreed: false\n    reason: Cover\nabsences:\n  - start: 2026-03-02\n",
	}, {
		name: "last_day goes after start_date",
		edit: func(t *testing.T) Edit { return SetField(DayField("last_day", day(t, "2027-03-31"))) },
		file: head + "start_date: 2026-10-05\nprobation_passed: 2027-01-05\n",
		want: head + "start_date: 2026-10-05\nlast_day: 2027-03-31\nprobation_passed: 2027-01-05\n",
	}, {
		name: "a value on the first line after a byte-order mark",
		edit: func(t *testing.T) Edit { return SetField(DayField("last_day", day(t, "2027-03-31"))) },
		file: "\ufefflast_day: 2027-02-28 # moved?\n" + head,
		want: "\ufefflast_day: 2027-03-31 # moved?\n" + head,
	}, {
		name: "last_day changes in place, quoted as it was, comment kept",
		edit: func(t *testing.T) Edit { return SetField(DayField("last_day", day(t, "2027-03-31"))) },
		file: head + "last_day: '2027-02-28'  # moved?\n",
		want: head + "last_day: '2027-03-31'  # moved?\n",
	}, {
		name: "the open absence ends: a block entry gains a line",
		edit: func(t *testing.T) Edit { return endAbsence(t, 1) },
		file: head + "absences:\n  - start: 2026-01-05\n    end: 2026-01-09\n  - start: 2026-09-01\n    # still away\n\nreinstated: []\n",
		want: head + "absences:\n  - start: 2026-01-05\n    end: 2026-01-09\n  - start: 2026-09-01\n    # still away\n    end: 2026-10-30\n\nreinstated: []\n",
	}, {
		name: "the open absence ends: a flow entry gains a field",
		edit: func(t *testing.T) Edit { return endAbsence(t, 0) },
		file: head + "absences:\n  - { start: 2026-09-01 }\n",
		want: head + "absences:\n  - { start: 2026-09-01, end: 2026-10-30 }\n",
	}, {
		name: "an end already there is replaced",
		edit: func(t *testing.T) Edit { return endAbsence(t, 0) },
		file: head + "absences: [{start: 2026-09-01, end: 2026-12-01}]\n",
		want: head + "absences: [{start: 2026-09-01, end: 2026-10-30}]\n",
	}, {
		name: "access held before adoption goes last, indented as the file's lists",
		edit: held,
		file: head + "shifts:\n    - {type: shadow, start: 2026-01-05, end: 2026-01-09}\n",
		want: head + "shifts:\n    - {type: shadow, start: 2026-01-05, end: 2026-01-09}\nheld_before_adoption:\n    level: permanent\n    since: 2026-11-30\n    approved_by: alex-lead\n    targets: [github-production, hieradata]\n",
	}, {
		name: "access held before adoption in a file without lists, before a trailing comment",
		edit: held,
		file: head + "start_date: 2026-10-05\n# found by prodaccess adopt\n",
		want: head + "start_date: 2026-10-05\nheld_before_adoption:\n  level: permanent\n  since: 2026-11-30\n  approved_by: alex-lead\n  targets: [github-production, hieradata]\n# found by prodaccess adopt\n",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.edit(t).Apply("people/jo.yaml", []byte(tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if p := ParsePerson(&model.Person{ID: "jo", File: "people/jo.yaml"}, got); len(p.Problems) > 0 {
				t.Errorf("the result has problems: %v", p.Problems)
			}
		})
	}
}

func TestEditRefuses(t *testing.T) {
	shift := AppendEntry("shifts", TextField("type", "primary"), DayField("start", day(t, "2026-12-14")), DayField("end", day(t, "2026-12-18")))
	for _, tc := range []struct {
		name, file string
		edit       Edit
		want       string
	}{{
		name: "a file with problems",
		file: head + "github: no\n",
		edit: shift,
		want: "people/jo.yaml has problems; fix them before changing it:\npeople/jo.yaml:7:9: github: unquoted no is read as a boolean by some YAML tools; put it in quotes (\"no\") if it is meant as text",
	}, {
		name: "a flow list over several lines",
		file: head + "shifts: [\n  {type: shadow, start: 2026-01-05, end: 2026-01-09}]\n",
		edit: shift,
		want: "people/jo.yaml: line 7: shifts is a flow list ([...]) written over several lines; add the entry by hand",
	}, {
		name: "a reason that is not one line",
		file: head,
		edit: AppendEntry("temporary_access", TextField("reason", "two\nlines")),
		want: "reason: holds a line break (character 4); write the value on one line",
	}, {
		name: "a blank reason",
		file: head,
		edit: AppendEntry("temporary_access", TextField("reason", "  ")),
		want: "reason: the value is blank",
	}, {
		name: "a change the loader refuses",
		file: head,
		edit: AppendEntry("shifts", TextField("type", "primary"), DayField("start", day(t, "2026-12-14")), DayField("end", day(t, "2026-12-01"))),
		want: "the change would make people/jo.yaml invalid, so it is not made:\npeople/jo.yaml:10:10: shifts[0].end: 2026-12-01 is before start 2026-12-14",
	}, {
		name: "an end written as a block scalar",
		file: head + "last_day: >-\n  2027-01-01\n",
		edit: SetField(DayField("last_day", day(t, "2027-03-31"))),
		want: "people/jo.yaml: line 7: the value of last_day is not written on one line; change it by hand",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.edit.Apply("people/jo.yaml", []byte(tc.file))
			if err == nil {
				t.Fatalf("no error; wrote:\n%s", got)
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewPersonFile(t *testing.T) {
	got, err := NewPersonFile("people/jo-new.yaml", []FieldValue{
		TextField("role", "developer"), TextField("name", "Jo New"), TextField("email", "jo.new@example.gov.uk"),
		TextField("github", "jonew-gds"), FieldValue{Name: "gpg_fingerprint", Value: "0123456789ABCDEF0123456789ABCDEF01234567", Kind: QuotedValue},
		TextField("programme", "govuk"), TextField("employment", "civil_servant"), TextField("clearance", "sc"),
		DayField("start_date", day(t, "2027-01-04")),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "name: Jo New\nemail: jo.new@example.gov.uk\ngithub: jonew-gds\ngpg_fingerprint: \"0123456789ABCDEF0123456789ABCDEF01234567\"\nprogramme: govuk\nrole: developer\nemployment: civil_servant\nclearance: sc\nstart_date: 2027-01-04\n"
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	_, err = NewPersonFile("people/jo-new.yaml", []FieldValue{TextField("name", "Jo"), TextField("email", "not an address")})
	if err == nil || !strings.Contains(err.Error(), `email: "not an address" is not an email address`) {
		t.Errorf("a bad email: %v", err)
	}
}

// TestPlainText: what is written without quotes reads back as the same
// text in YAML 1.2 and 1.1 alike.
func TestPlainText(t *testing.T) {
	for s, want := range map[string]bool{
		"Migrating search": true, "alex-lead": true, "no": false, "on": false, "0123": false, "1e3": false,
		"null": false, "~": false, "2026-12-01": false, "- list": false, "a: b": false, "a #b": false,
		"[x]": false, "x, y": true, "trailing:": false, "'q'": false, "%x": false, "@x": false, "café": true,
	} {
		if got := plainText(s, false); got != want {
			t.Errorf("plainText(%q) = %v, want %v", s, got, want)
		}
	}
	if plainText("x, y", true) {
		t.Error(`plainText("x, y") in a flow mapping`)
	}
}

// TestCheckResultCatchesOtherChanges: a result that changes more than the
// edit, or less, is refused.
func TestCheckResultCatchesOtherChanges(t *testing.T) {
	before := []byte(head + "start_date: 2026-10-05\n")
	edit := SetField(DayField("last_day", day(t, "2027-03-31")))
	for name, out := range map[string]string{
		"another field changed too": head + "start_date: 2026-10-06\nlast_day: 2027-03-31\n",
		"the field not set":         head + "start_date: 2026-10-05\n",
		"another value":             head + "start_date: 2026-10-05\nlast_day: 2027-03-30\n",
	} {
		err := checkResult("people/jo.yaml", "jo", before, []byte(out), edit.applyTo)
		if err == nil || !strings.Contains(err.Error(), "would not read back as intended") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := checkResult("people/jo.yaml", "jo", before, []byte(head+"start_date: 2026-10-05\nlast_day: 2027-03-31\n"), edit.applyTo); err != nil {
		t.Errorf("the intended result: %v", err)
	}
}

// FuzzEditApply: whatever the file, every edit either is refused or gives
// a file the loader reads back with exactly the change (Apply checks that
// itself); none panics.
func FuzzEditApply(f *testing.F) {
	for _, seed := range []string{
		head + "shifts:\n  - {type: shadow, start: 2026-01-05, end: 2026-01-09}\nabsences:\n  - start: 2026-09-01\n",
		head + "temporary_access: []\nlast_day: \"2027-01-01\"\n",
		"---\n" + head + "shifts: [{type: shadow, start: 2026-01-05, end: 2026-01-09}]\r\nabsences: [{start: 2026-09-01}]",
		"\ufeff" + head + "last_day: 2027-01-01 # x\n",
	} {
		f.Add([]byte(seed))
	}
	d := model.DayFromDate(2026, 12, 1)
	edits := []Edit{
		AppendEntry("temporary_access", DayField("start", d), DayField("end", d+30), TextField("approved_by", "alex-lead"),
			TextField("supervisor", "sam-senior"), BoolField("agreed", false), TextField("reason", "Cover: the #1, 'quoted' [x]")),
		AppendEntry("shifts", TextField("type", "primary"), DayField("start", d), DayField("end", d+4)),
		AppendEntry("absences", DayField("start", d)),
		SetField(DayField("last_day", d)),
		SetEntryField("absences", 0, DayField("end", d)),
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, e := range edits {
			out, err := e.Apply("people/jo.yaml", data)
			if err != nil {
				continue
			}
			if p := ParsePerson(&model.Person{ID: "jo", File: "people/jo.yaml"}, out); len(p.Problems) > 0 {
				t.Fatalf("the result has problems: %v\n%s", p.Problems, out)
			}
		}
	})
}

// TestWritePersonFile: a file adopted from the targets begins with a
// comment, may hold access held before adoption, and as a draft may lack
// the fields nothing found, but nothing else may be wrong with it.
func TestWritePersonFile(t *testing.T) {
	held := MappingField("held_before_adoption", TextField("level", "permanent"), DayField("since", day(t, "2026-11-30")),
		TextField("approved_by", "alex-lead"), ListField("targets", "github-production", "hieradata"))
	got, err := WritePersonFile("people/jo-found.yaml", []string{"Adopted on 2026-12-01 from github-production.", "", "Fill in: email."},
		[]FieldValue{held, TextField("github", "jo-gh"), TextField("name", "Jo Found"), {Name: "github_id", Value: "4242", Kind: NumberValue}}, true)
	if err != nil {
		t.Fatal(err)
	}
	want := "# Adopted on 2026-12-01 from github-production.\n#\n# Fill in: email.\nname: Jo Found\ngithub: jo-gh\ngithub_id: 4242\n" +
		"held_before_adoption:\n  level: permanent\n  since: 2026-11-30\n  approved_by: alex-lead\n  targets: [github-production, hieradata]\n"
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := WritePersonFile("people/jo-found.yaml", nil, []FieldValue{TextField("name", "Jo Found")}, false); err == nil {
		t.Error("a file without its required fields is written when it is not a draft")
	}
	_, err = WritePersonFile("people/jo-found.yaml", nil, []FieldValue{TextField("name", "Jo"), TextField("github", "-jo")}, true)
	if err == nil || !strings.Contains(err.Error(), "github: ") {
		t.Errorf("a draft with a bad login: %v", err)
	}
}
