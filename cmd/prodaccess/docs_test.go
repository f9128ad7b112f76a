package main

import (
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// document is one markdown file of the repository's documentation.
type document struct {
	path string // relative to the repository root, with slashes
	text string
}

// documents reads README.md, SECURITY.md and every docs/*.md.
func documents(t *testing.T) []document {
	t.Helper()
	paths := []string{"README.md", "SECURITY.md"}
	more, err := fs.Glob(os.DirFS(repoRoot), "docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	paths = append(paths, more...)
	var docs []document
	for _, p := range paths {
		data, err := os.ReadFile(filepath.Join(repoRoot, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, document{path: p, text: string(data)})
	}
	return docs
}

// line is a line of markdown outside fenced code blocks, with its number.
type line struct {
	n    int
	text string
}

var fence = regexp.MustCompile("^ {0,3}(```|~~~)")

// prose returns the lines of a document outside fenced code blocks.
func prose(text string) []line {
	var out []line
	open := ""
	for i, l := range strings.Split(text, "\n") {
		if m := fence.FindStringSubmatch(l); m != nil {
			switch {
			case open == "":
				open = m[1]
			case open == m[1]:
				open = ""
			}
			continue
		}
		if open == "" {
			out = append(out, line{i + 1, l})
		}
	}
	return out
}

var (
	codeSpan = regexp.MustCompile("`+[^`]*`+")
	link     = regexp.MustCompile(`\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)`)
	linkDef  = regexp.MustCompile(`^ {0,3}\[([^\]]+)\]:\s*<?([^\s>]+)>?`)
	heading  = regexp.MustCompile(`^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$`)
	scheme   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)
)

// anchors returns the anchors GitHub gives a document's headings.
func anchors(text string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	for _, l := range prose(text) {
		m := heading.FindStringSubmatch(l.text)
		if m == nil {
			continue
		}
		a := anchor(m[1])
		if n := seen[a]; n > 0 {
			out[fmt.Sprintf("%s-%d", a, n)] = true
		} else {
			out[a] = true
		}
		seen[a]++
	}
	return out
}

// anchor is the anchor GitHub makes of a heading: its text without
// markup, in lower case, with spaces turned into hyphens and every
// character but letters, digits, hyphens and underscores left out.
func anchor(h string) string {
	h = link.ReplaceAllString(h, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '-', r == '_':
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestDocLinks checks that every relative link in the documentation
// (inline, or a reference's definition) leads to a file or folder of the
// repository, and that an anchor names a heading of the markdown file it
// points into.
func TestDocLinks(t *testing.T) {
	t.Parallel()
	docs := documents(t)
	byPath := map[string]document{}
	for _, d := range docs {
		byPath[d.path] = d
	}
	headings := map[string]map[string]bool{}
	for _, d := range docs {
		for _, l := range prose(d.text) {
			text := codeSpan.ReplaceAllString(l.text, "")
			for _, m := range append(link.FindAllStringSubmatch(text, -1), linkDef.FindAllStringSubmatch(text, -1)...) {
				target := m[2]
				if target == "" || scheme.MatchString(target) || strings.HasPrefix(target, "//") {
					continue
				}
				file, frag, _ := strings.Cut(target, "#")
				if p, err := url.PathUnescape(file); err == nil {
					file = p
				}
				at := fmt.Sprintf("%s:%d: link %q", d.path, l.n, target)
				dest := d.path
				if file != "" {
					if strings.HasPrefix(file, "/") {
						t.Errorf("%s: use a path relative to %s, not an absolute one", at, d.path)
						continue
					}
					dest = path.Clean(path.Join(path.Dir(d.path), file))
					if dest == ".." || strings.HasPrefix(dest, "../") {
						t.Errorf("%s: leads outside the repository", at)
						continue
					}
					if _, err := os.Stat(filepath.Join(repoRoot, filepath.FromSlash(dest))); err != nil {
						t.Errorf("%s: %s does not exist", at, dest)
						continue
					}
				}
				if frag == "" || !strings.HasSuffix(dest, ".md") {
					continue
				}
				if headings[dest] == nil {
					target, ok := byPath[dest]
					if !ok {
						data, err := os.ReadFile(filepath.Join(repoRoot, filepath.FromSlash(dest)))
						if err != nil {
							t.Fatal(err)
						}
						target.text = string(data)
					}
					headings[dest] = anchors(target.text)
				}
				if !headings[dest][frag] {
					t.Errorf("%s: %s has no heading with the anchor #%s", at, dest, frag)
				}
			}
		}
	}
}

func TestAnchor(t *testing.T) {
	t.Parallel()
	tests := []struct{ heading, want string }{
		{"Running it for real", "running-it-for-real"},
		{"`tfvars-list`: a Terraform variable holding a list of strings", "tfvars-list-a-terraform-variable-holding-a-list-of-strings"},
		{"The policy: `policy.evidence`", "the-policy-policyevidence"},
		{"1. The GitHub App", "1-the-github-app"},
		{"Child teams: `child_teams`", "child-teams-child_teams"},
		{"Faults, crashes and races", "faults-crashes-and-races"},
		{"See [setup](setup.md) first", "see-setup-first"},
	}
	for _, tt := range tests {
		if got := anchor(tt.heading); got != tt.want {
			t.Errorf("anchor(%q) = %q, want %q", tt.heading, got, tt.want)
		}
	}
	got := anchors("# A\n```\n# not a heading\n```\n## A\n### B ###\n")
	if want := map[string]bool{"a": true, "a-1": true, "b": true}; !maps.Equal(got, want) {
		t.Errorf("anchors: got %v, want %v", got, want)
	}
}

// cliCommands returns every command of the command line, as a user runs
// it: cobra's completion command included, its help command and hidden
// commands left out.
func cliCommands() []*cobra.Command {
	root := newRoot(&options{})
	root.InitDefaultVersionFlag()
	root.InitDefaultCompletionCmd()
	var out []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		out = append(out, c)
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "help" {
				continue
			}
			walk(sub)
		}
	}
	walk(root)
	return out
}

// mentions reports whether text names the command path (such as
// "prodaccess audit at") as a word, with any spacing between the words.
func mentions(text, commandPath string) bool {
	words := strings.Fields(commandPath)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(`(^|[^\w-])` + strings.Join(words, `\s+`) + `($|[^\w-])`).MatchString(text)
}

// mentionsFlag reports whether text names --name, and not only a longer
// flag that starts with it.
func mentionsFlag(text, name string) bool {
	return regexp.MustCompile(`(^|[^\w-])--` + regexp.QuoteMeta(name) + `($|[^\w-])`).MatchString(text)
}

// TestEveryCommandAndFlagIsDocumented checks that the documentation names
// every command of the command line (as "prodaccess audit at"), and every
// flag in a document that names its command: a flag of "prodaccess plan"
// must be in a document that says "prodaccess plan". The flags of the
// root command (--config, --people, --version) may be in any document.
func TestEveryCommandAndFlagIsDocumented(t *testing.T) {
	t.Parallel()
	docs := documents(t)
	for _, c := range cliCommands() {
		var in []document
		for _, d := range docs {
			if mentions(d.text, c.CommandPath()) {
				in = append(in, d)
			}
		}
		if len(in) == 0 {
			t.Errorf("command %q is in no document: name it as %q in README.md or docs/, where it is explained", c.CommandPath(), c.CommandPath())
			continue
		}
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if f.Name == "help" || f.Hidden {
				return
			}
			if !slices.ContainsFunc(in, func(d document) bool { return mentionsFlag(d.text, f.Name) }) {
				var names []string
				for _, d := range in {
					names = append(names, d.path)
				}
				t.Errorf("flag --%s of %q is in none of the documents that name the command (%s)", f.Name, c.CommandPath(), strings.Join(names, ", "))
			}
		})
	}
}

func TestMentions(t *testing.T) {
	t.Parallel()
	command, flag := mentions, mentionsFlag
	tests := []struct {
		match     func(text, s string) bool
		text, arg string
		want      bool
	}{
		{command, "run `prodaccess audit at 2021-03-15`", "prodaccess audit at", true},
		{command, "run prodaccess audit\nat DAY", "prodaccess audit at", true},
		{command, "run `prodaccess audit attach`", "prodaccess audit at", false},
		{command, "`prodaccess who-knows`", "prodaccess who", false},
		{command, "`prodaccess explain ID`", "prodaccess who", false},
		{flag, "with `--to DAY`", "to", true},
		{flag, "`--to=HEAD`", "to", true},
		{flag, "`--to-do`", "to", false},
		{flag, "`--top`", "to", false},
		{flag, "----to", "to", false},
	}
	for _, tt := range tests {
		if got := tt.match(tt.text, tt.arg); got != tt.want {
			t.Errorf("%q in %q: got %v, want %v", tt.arg, tt.text, got, tt.want)
		}
	}
}

var (
	testName = regexp.MustCompile(`\b(?:Test|Benchmark|Fuzz)[A-Z0-9]\w*`)
	testFunc = regexp.MustCompile(`(?m)^func ((?:Test|Benchmark|Fuzz)\w*)\(`)
)

// TestDocTestNames checks that every test, benchmark and fuzz target the
// documentation names (as proof of a claim, or in a command that runs it)
// is in the code: by its name, or as the start of names, as a -run or
// -bench pattern such as TestReencrypt matches them.
func TestDocTestNames(t *testing.T) {
	t.Parallel()
	var funcs []string
	err := filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata" || d.Name() == "node_modules"):
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(p, "_test.go"):
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range testFunc.FindAllStringSubmatch(string(data), -1) {
			funcs = append(funcs, m[1])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range documents(t) {
		for i, l := range strings.Split(d.text, "\n") {
			for _, name := range testName.FindAllString(l, -1) {
				if !slices.ContainsFunc(funcs, func(f string) bool { return strings.HasPrefix(f, name) }) {
					t.Errorf("%s:%d: %s is no test, benchmark or fuzz target in the code, nor the start of one's name", d.path, i+1, name)
				}
			}
		}
	}
}

// TestReadmeCommandsRun: every prodaccess command the README shows, in a
// sh or console block, runs as printed from the top of the clone, as a
// newcomer pastes it.
func TestReadmeCommandsRun(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	in := false
	var commands []string
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "```sh") || strings.HasPrefix(line, "```console"):
			in = true
			continue
		case strings.HasPrefix(line, "```"):
			in = false
			continue
		}
		if !in {
			continue
		}
		cmd, _, _ := strings.Cut(strings.TrimPrefix(line, "$ "), "#")
		if cmd = strings.TrimSpace(cmd); strings.HasPrefix(cmd, "prodaccess ") {
			commands = append(commands, cmd)
		}
	}
	if len(commands) < 4 {
		t.Fatalf("found only %d commands in README.md: %q", len(commands), commands)
	}
	for _, c := range commands {
		args := strings.Fields(strings.TrimPrefix(c, "prodaccess "))
		r := prodaccessEnv(t, repoRoot, []string{"GITHUB_TOKEN="}, args...)
		if r.code != 0 {
			t.Errorf("%s: exit %d\n%s\n%s", c, r.code, r.stdout, r.stderr)
		}
	}
}
