package gitfile

import (
	"bytes"
	"crypto/sha1"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/internal/golden"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

var update = flag.Bool("update", false, "rewrite golden files with what the code produces")

// corpusCase is one list in one file of testdata/corpus. The files are
// written in the styles found in real repositories: GOV.UK's recipients
// and hieradata, pass stores, tfvars; and records of manual targets.
type corpusCase struct {
	file   string
	format config.FileFormat
	key    string
}

var corpus = []corpusCase{
	{"govuk_production_hiera_gpg.rcp", config.GPGRecipients, ""},
	{"sections_and_styles.rcp", config.GPGRecipients, ""},
	{"crlf.rcp", config.GPGRecipients, ""},
	{"no_final_newline.rcp", config.GPGRecipients, ""},
	{"plain.gpg-id", config.GPGID, ""},
	{"commented.gpg-id", config.GPGID, ""},
	{"crlf_comments.gpg-id", config.GPGID, ""},
	{"lower_0x.gpg-id", config.GPGID, ""},
	{"gpg_printed.gpg-id", config.GPGID, ""},
	{"hieradata_integration.yaml", config.YAMLList, "users::usernames"},
	{"hieradata_integration.yaml", config.YAMLList, "govuk_jenkins::jobs::athena_fastly_logs_check::databases"},
	{"hieradata_integration.yaml", config.YAMLList, "postfix::smarthost"},
	{"hieradata_integration.yaml", config.YAMLList, "govuk::node::s_api_lb::mapit_servers"},
	{"production_credentials.yaml", config.YAMLList, "users::usernames"},
	{"flow_lists.yaml", config.YAMLList, "users::usernames"},
	{"flow_lists.yaml", config.YAMLList, "monitoring::checks::rds::servers"},
	{"flow_lists.yaml", config.YAMLList, "govuk::node::s_backend_lb::aws_egress_nat_ips"},
	{"crlf_column_one.yaml", config.YAMLList, "users::usernames"},
	{"empty_key.yaml", config.YAMLList, "users::usernames"},
	{"empty_key.yaml", config.YAMLList, "users::sudo_usernames"},
	{"quoted_and_tagged.yaml", config.YAMLList, "users::usernames"},
	{"govuk_common.tfvars", config.TFVarsList, "role_poweruser_user_arns"},
	{"govuk_common.tfvars", config.TFVarsList, "role_user_user_arns"},
	{"oneline.tfvars", config.TFVarsList, "role_user_arns"},
	{"oneline.tfvars", config.TFVarsList, "role_poweruser_user_arns"},
	{"comments.tfvars", config.TFVarsList, "role_poweruser_user_arns"},
	{"comments.tfvars", config.TFVarsList, "role_user_user_arns"},
	{"crlf.tfvars", config.TFVarsList, "role_poweruser_user_arns"},
	{"wrapped.tfvars", config.TFVarsList, "role_poweruser_user_arns"},
	{"empty_lists.tfvars", config.TFVarsList, "role_poweruser_user_arns"},
	{"empty_lists.tfvars", config.TFVarsList, "role_user_user_arns"},
	{"signon_super_admins.txt", config.Lines, ""},
	{"crlf_no_final_newline.txt", config.Lines, ""},
}

func (c corpusCase) String() string {
	if c.key == "" {
		return c.file
	}
	return c.file + "." + strings.ReplaceAll(c.key, "::", "_")
}

func (c corpusCase) target() *config.Target {
	return &config.Target{Name: "corpus", Type: model.FileTarget, Format: c.format, Key: c.key, Path: c.file}
}

var corpusFiles sync.Map

func (c corpusCase) content(t testing.TB) []byte {
	if b, ok := corpusFiles.Load(c.file); ok {
		return b.([]byte)
	}
	b, err := os.ReadFile(filepath.Join("testdata", "corpus", c.file))
	if err != nil {
		t.Fatal(err)
	}
	corpusFiles.Store(c.file, b)
	return b
}

// newSubject is the i-th new entry for a format: a fingerprint made from
// salt, or a username or ARN.
func newSubject(f config.FileFormat, i int, salt string) string {
	sum := sha1.Sum([]byte(fmt.Sprint(salt, i)))
	switch f {
	case config.GPGRecipients, config.GPGID:
		return fmt.Sprintf("%X", sum)
	case config.YAMLList:
		if salt != "" && i == 0 {
			return salt
		}
		return fmt.Sprintf("user%x", sum[:4])
	case config.Lines:
		return fmt.Sprintf("new%x@example.gov.uk", sum[:4])
	}
	if salt != "" && i == 0 {
		return salt
	}
	return fmt.Sprintf("arn:aws:iam::622626885786:user/new%x@example.gov.uk", sum[:4])
}

func addition(subject string) outcome.Change {
	return outcome.Change{Action: outcome.Add, Subject: subject, Name: "New Starter", Email: "new.starter@example.gov.uk"}
}

// TestCorpusEdits removes one entry from each corpus list and adds one,
// and compares the result with testdata/golden (run with -update to
// rewrite them, then review the diff). Each result must change only the
// entries' lines, read back as intended, and need no further change. Every
// entry of every list must also be removable on its own.
func TestCorpusEdits(t *testing.T) {
	for _, c := range corpus {
		t.Run(c.String(), func(t *testing.T) {
			before := c.content(t)
			tg := c.target()
			entries, err := readEntries(mustFormat(t, tg), before)
			if err != nil {
				t.Fatal(err)
			}
			var changes []outcome.Change
			if len(entries) > 0 {
				changes = append(changes, outcome.Change{Action: outcome.Remove, Subject: entries[len(entries)/2].Subject})
			} else {
				changes = append(changes, addition(newSubject(c.format, 1, "")))
			}
			changes = append(changes, addition(newSubject(c.format, 0, "")))
			after, err := rewrite(tg, before, changes)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "golden", c.String()+".golden"), after, *update)
			if err := checkEdit(tg, before, after, changes); err != nil {
				t.Error(err)
			}
			again, err := rewrite(tg, after, nil)
			if err != nil || !bytes.Equal(again, after) {
				t.Errorf("a second rewrite with nothing to change gave %q, %v", again, err)
			}
			for _, e := range entries {
				rm := []outcome.Change{{Action: outcome.Remove, Subject: e.Subject}}
				out, err := rewrite(tg, before, rm)
				if err != nil {
					t.Errorf("remove %s: %v", e.Subject, err)
					continue
				}
				if err := checkEdit(tg, before, out, rm); err != nil {
					t.Errorf("remove %s: %v", e.Subject, err)
				}
			}
		})
	}
}

// FuzzEditCorpus removes a random set of entries from a corpus list and
// adds random new ones: the result must read back as intended and differ
// from the original only on the entries' lines. The seeds run in go test;
// make fuzz explores further.
func FuzzEditCorpus(f *testing.F) {
	for i := range corpus {
		f.Add(uint8(i), uint64(0b1010), uint8(2), "")
		f.Add(uint8(i), ^uint64(0), uint8(1), "o'brien")
		f.Add(uint8(i), uint64(1), uint8(3), "yes")
	}
	f.Fuzz(func(t *testing.T, which uint8, mask uint64, adds uint8, salt string) {
		c := corpus[int(which)%len(corpus)]
		tg := c.target()
		before := c.content(t)
		entries, err := readEntries(mustFormat(t, tg), before)
		if err != nil {
			t.Fatal(err)
		}
		var changes []outcome.Change
		for i, e := range entries {
			if mask>>(i%64)&1 == 1 {
				changes = append(changes, outcome.Change{Action: outcome.Remove, Subject: e.Subject})
			}
		}
		for i := range int(adds % 4) {
			changes = append(changes, addition(newSubject(c.format, i, salt)))
		}
		after, err := rewrite(tg, before, changes)
		if err != nil {
			if !utf8.ValidString(salt) {
				return // not a string any of these files can hold
			}
			t.Fatalf("%s: %v", c, err)
		}
		if err := checkEdit(tg, before, after, changes); err != nil {
			t.Fatalf("%s: %v\nbefore:\n%s\nafter:\n%s", c, err, before, after)
		}
	})
}

func mustFormat(t testing.TB, tg *config.Target) format {
	f, err := formatFor(tg)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// checkEdit checks an edit without trusting the code that made it. It
// takes from the reader only where each entry is written, then compares
// the two files line by line: only lines holding entries may change, in
// the ways each layout allows, and everything else must stay byte for
// byte, in order, with the file's own line ends.
func checkEdit(tg *config.Target, before, after []byte, changes []outcome.Change) error {
	f, err := formatFor(tg)
	if err != nil {
		return err
	}
	lb, err := f.scan(before)
	if err != nil {
		return err
	}
	la, err := f.scan(after)
	if err != nil {
		return fmt.Errorf("the result does not read back: %v", err)
	}
	removed := map[string]bool{}
	var want []string
	for _, c := range changes {
		if c.Action == outcome.Remove {
			removed[tg.SubjectKey(c.Subject)] = true
		} else {
			want = append(want, tg.SubjectKey(c.Subject))
		}
	}
	kept := map[string]int{}
	for _, it := range lb.items() {
		if !removed[tg.SubjectKey(it.Subject)] {
			want = append(want, tg.SubjectKey(it.Subject))
			kept[string(before[it.start:it.end])]++
		}
	}
	var got []string
	for _, it := range la.items() {
		got = append(got, tg.SubjectKey(it.Subject))
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		return fmt.Errorf("the result holds %v, not %v", got, want)
	}
	if !bytes.Contains(before, []byte("\r")) && bytes.Contains(after, []byte("\r")) ||
		bytes.Count(before, []byte("\n")) > 0 && bytes.Count(before, []byte("\n")) == bytes.Count(before, []byte("\r\n")) &&
			bytes.Count(after, []byte("\n")) != bytes.Count(after, []byte("\r\n")) {
		return fmt.Errorf("the result does not keep the file's line ends")
	}
	// Tokens: where each entry is written, and what it is to this edit.
	bLines := splitLines(before, lb.items(), func(it item) string {
		if removed[tg.SubjectKey(it.Subject)] {
			return "removed"
		}
		return "kept"
	})
	// A new entry may be written as a kept one is (the same name added
	// twice): the lines the comparison keeps hold kept entries first.
	aLines := splitLines(after, la.items(), func(item) string { return "" })
	hunks, same := diffLines(bLines, aLines)
	for _, pass := range []bool{true, false} {
		for i := range aLines {
			if same[i] != pass {
				continue
			}
			for k := range aLines[i].tokens {
				t := &aLines[i].tokens[k]
				t.class = "new"
				if kept[t.text] > 0 {
					kept[t.text]--
					t.class = "kept"
				}
			}
		}
	}
	for _, h := range hunks {
		if err := h.check(); err != nil {
			return err
		}
	}
	return nil
}

type token struct {
	text, class string
	at          int // offset in the line
}

type line struct {
	text   string // with its line end
	tokens []token
}

func splitLines(content []byte, items []item, class func(item) string) []line {
	var out []line
	i := 0
	for start := 0; start < len(content); {
		end := nextLine(content, start)
		l := line{text: string(content[start:end])}
		for ; i < len(items) && items[i].start < end; i++ {
			l.tokens = append(l.tokens, token{text: string(content[items[i].start:items[i].end]), class: class(items[i]), at: items[i].start - start})
		}
		out = append(out, l)
		start = end
	}
	return out
}

// ownLine is an entry alone on its line: indentation, a YAML "- ", the
// entry, a comma, a comment.
var (
	ownBefore = regexp.MustCompile(`^[ \t]*(-[ \t]+)?$`)
	ownAfter  = regexp.MustCompile(`^[ \t]*,?[ \t]*(#.*|//.*|/\*.*\*/[ \t]*)?\r?\n?$`)
	nullValue = regexp.MustCompile(`^(.*?:)[ \t]+(~|null|Null|NULL)([ \t]+#.*)?(\r?\n)?$`)
)

func (l line) own() bool {
	if len(l.tokens) != 1 {
		return false
	}
	t := l.tokens[0]
	return ownBefore.MatchString(l.text[:t.at]) && ownAfter.MatchString(l.text[t.at+len(t.text):])
}

func (l line) prefix() string { return l.text[:l.tokens[0].at] }
func (l line) suffix() string {
	t := l.tokens[len(l.tokens)-1]
	return l.text[t.at+len(t.text):]
}

// hunk is a run of lines deleted from the original and lines inserted in
// their place.
type hunk struct{ del, ins []*line }

// diffLines compares two files line by line (longest common subsequence)
// and returns the hunks, and which lines of b are kept from a.
func diffLines(a, b []line) ([]hunk, []bool) {
	n, m := len(a), len(b)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i].text == b[j].text {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []hunk
	var h hunk
	same := make([]bool, m)
	for i, j := 0, 0; i < n || j < m; {
		switch {
		case i < n && j < m && a[i].text == b[j].text:
			if len(h.del)+len(h.ins) > 0 {
				out = append(out, h)
				h = hunk{}
			}
			same[j] = true
			i, j = i+1, j+1
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			h.ins = append(h.ins, &b[j])
			j++
		default:
			h.del = append(h.del, &a[i])
			i++
		}
	}
	if len(h.del)+len(h.ins) > 0 {
		out = append(out, h)
	}
	return out, same
}

// check applies the rules for one hunk:
//   - kept entries are written exactly as before;
//   - a line without entries (comment, blank, another key) is never
//     changed, except a YAML key losing its null (~) when entries come;
//   - where entries are one a line, a removed entry's line goes, a new
//     entry gets a line of its own, and a kept entry's line stays (a comma
//     may follow it when a new entry comes after);
//   - where entries share a line, the text before the first entry and
//     after the last stays; emptied, the list keeps that text.
func (h hunk) check() error {
	keptDel, keptIns := map[string]int{}, map[string]int{}
	frame := false
	for _, ls := range [][]*line{h.del, h.ins} {
		for _, l := range ls {
			frame = frame || len(l.tokens) > 0 && !l.own()
		}
	}
	for _, l := range h.del {
		for _, t := range l.tokens {
			if t.class == "kept" {
				keptDel[t.text]++
			}
		}
	}
	for _, l := range h.ins {
		for _, t := range l.tokens {
			if t.class == "kept" {
				keptIns[t.text]++
			}
		}
	}
	if !maps.Equal(keptDel, keptIns) {
		return fmt.Errorf("kept entries were rewritten: %v became %v\n%s", keptDel, keptIns, h)
	}
	// Lines without entries.
	insFree := map[string]int{}
	var insTokens bool
	for _, l := range h.ins {
		if len(l.tokens) == 0 {
			insFree[l.text]++
		}
		insTokens = insTokens || len(l.tokens) > 0
	}
	var delTokens []*line
	for _, l := range h.del {
		if len(l.tokens) > 0 {
			delTokens = append(delTokens, l)
			continue
		}
		if insFree[l.text] > 0 {
			insFree[l.text]--
			continue
		}
		if nulled := nullValue.ReplaceAllString(l.text, "$1$3$4"); nulled != l.text && insFree[nulled] > 0 {
			insFree[nulled]--
			continue
		}
		if h.filled(l) {
			return nil
		}
		return fmt.Errorf("a line without entries was changed or lost: %q\n%s", l.text, h)
	}
	var rest []string
	for text, n := range insFree {
		for range n {
			rest = append(rest, text)
		}
	}
	if frame {
		return h.checkFrame(delTokens, rest, insTokens)
	}
	if len(rest) > 0 {
		return fmt.Errorf("lines without entries appeared: %q\n%s", rest, h)
	}
	ownIns := map[string]int{}
	for _, l := range h.ins {
		if len(l.tokens) == 1 && l.tokens[0].class == "kept" {
			ownIns[l.text]++
		}
	}
	for _, l := range delTokens {
		t := l.tokens[0]
		if t.class == "removed" {
			continue
		}
		// The line as it was; with a comma after the entry; with a line
		// end, when it was the file's last line and lines come after it.
		variants := []string{l.text, l.text[:t.at+len(t.text)] + "," + l.text[t.at+len(t.text):], l.text + "\n", l.text + "\r\n"}
		found := false
		for _, v := range variants {
			if !found && ownIns[v] > 0 {
				ownIns[v]--
				found = true
			}
		}
		if !found {
			return fmt.Errorf("the line of a kept entry changed: %q\n%s", l.text, h)
		}
	}
	return nil
}

// filled reports whether the empty inline list on line l ("key: []") now
// holds new entries only, with the text around them unchanged, and
// nothing else in the hunk changed.
func (h hunk) filled(l *line) bool {
	if len(h.del) != 1 || len(h.ins) != 1 || len(h.ins[0].tokens) == 0 {
		return false
	}
	ins := h.ins[0]
	for _, t := range ins.tokens {
		if t.class != "new" {
			return false
		}
	}
	return ins.prefix()+ins.suffix() == l.text
}

func (h hunk) checkFrame(del []*line, rest []string, insTokens bool) error {
	if len(del) == 0 {
		return fmt.Errorf("entries appeared on a line that held none\n%s", h)
	}
	first, last := del[0], del[len(del)-1]
	if !insTokens {
		want := strings.Join(strings.Fields(first.prefix()+strings.Replace(last.suffix(), ",", "", 1)), "")
		if got := strings.Join(strings.Fields(strings.Join(rest, "")), ""); got != want {
			return fmt.Errorf("the emptied list reads %q, not %q\n%s", got, want, h)
		}
		return nil
	}
	if len(rest) > 0 {
		return fmt.Errorf("lines without entries appeared: %q\n%s", rest, h)
	}
	var ins []*line
	for _, l := range h.ins {
		if len(l.tokens) > 0 {
			ins = append(ins, l)
		}
	}
	if first.prefix() != ins[0].prefix() || last.suffix() != ins[len(ins)-1].suffix() {
		return fmt.Errorf("the text around the list changed\n%s", h)
	}
	return nil
}

func (h hunk) String() string {
	var b strings.Builder
	for _, l := range h.del {
		fmt.Fprintf(&b, "-%q\n", l.text)
	}
	for _, l := range h.ins {
		fmt.Fprintf(&b, "+%q\n", l.text)
	}
	return b.String()
}
