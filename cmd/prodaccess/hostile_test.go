package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestHostileTextIsShownNotActed: text from target files and person files
// reaches the terminal with its control characters escaped, and markdown
// output with its markup escaped.
func TestHostileTextIsShownNotActed(t *testing.T) {
	t.Parallel()
	w := newStack(t, map[string]string{
		"alice": permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", ""),
		"mallory": strings.Replace(permanentFile("Mallory <img src=x onerror=alert(1)>", "mallory-gh", 0, fingerprint('F'), "mallory", ""),
			"email: mallory.<img.src=x.onerror=alert(1)>@", "email: mallory@", 1),
	}, []string{fingerprint('A')}, []string{"alice", `"\e[2J\e[31mroot\rok"`, `"\u202Eexe.txt"`})
	w.gh.AddUser("alice-gh", 1, true)
	w.gh.SetMember("gov-uk-production", "alice-gh", "member")
	w.gh.AddUser("mallory-gh", 2, true)
	for _, format := range []string{"text", "markdown", "json"} {
		r := w.run("plan", "--allow-mass-removal", "--format", format)
		must(t, r, 2, "plan --format "+format)
		for _, bad := range []string{"\x1b", "\r", "\u202e", "<img"} {
			if strings.Contains(r.stdout+r.stderr, bad) {
				t.Errorf("plan --format %s writes %q:\n%s", format, bad, r.stdout)
			}
		}
		if format != "json" && !strings.Contains(r.stdout, `\u001b`) {
			t.Errorf("plan --format %s does not show the escape character as \\u001b:\n%s", format, r.stdout)
		}
	}
	must(t, w.run("apply", "--allow-mass-removal"), 0, "apply")
	for _, pr := range w.gh.OpenPulls("alphagov/govuk-secrets") {
		if strings.Contains(pr.Body, "<img") {
			t.Errorf("the pull request body holds raw HTML:\n%s", pr.Body)
		}
	}
}

// TestHugePersonFile: one committed person file far larger than any
// person file is a problem of that file, and the run goes on for
// everyone else: the leaver is still removed.
func TestHugePersonFile(t *testing.T) {
	t.Parallel()
	w := newStack(t, map[string]string{
		"alice": permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", ""),
		"bob":   permanentFile("Bob Brown", "bob-gh", 0, fingerprint('B'), "bob", ""),
		"carol": permanentFile("Carol Gone", "carol-gh", 0, fingerprint('C'), "carol", "last_day: 2020-12-31\n"),
		"huge":  "name: Huge\n# " + strings.Repeat("x", 17<<20) + "\n",
	}, []string{fingerprint('A'), fingerprint('B')}, []string{"alice", "bob"})
	for i, login := range []string{"alice-gh", "bob-gh", "carol-gh"} {
		w.gh.AddUser(login, int64(i+1), true)
		w.gh.SetMember("gov-uk-production", login, "member")
	}
	r := w.run("plan")
	must(t, r, 2, "plan with a huge person file")
	if !strings.Contains(squash(r.stdout), "- carol-gh carol") {
		t.Errorf("the leaver is not removed:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "people/huge.yaml:1:1: the file is larger than 64 KiB") {
		t.Errorf("the huge file is not named:\n%s", r.stdout)
	}
}

// TestInvisibleCharactersRefused: a name, a reason, a value of the
// configuration or a key of a secret that hides characters (a Hangul
// filler, tag characters, an invisible separator) is refused where it is
// read, naming the character and where it is; nobody is granted anything
// under a name that shows as nothing, and no value is written raw.
func TestInvisibleCharactersRefused(t *testing.T) {
	t.Parallel()
	named := func(id, name, login string, fp byte) string {
		return strings.Replace(permanentFile("Someone", login, 0, fingerprint(fp), id, ""), "name: Someone\nemail: someone@", "name: "+name+"\nemail: "+id+"@", 1)
	}
	w := newStack(t, map[string]string{
		"alice":  permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", ""),
		"ghost":  named("ghost", "\u3164", "ghost-gh", 'B'),
		"tagged": named("tagged", "Tess\U000E0041\U000E0042", "tess-gh", 'C'),
		"filler": named("filler", "Fay\u115F\u1160\uFFA0", "fay-gh", 'D'),
	}, []string{fingerprint('A')}, []string{"alice"})
	w.gh.AddUser("alice-gh", 1, true)
	w.gh.SetMember("gov-uk-production", "alice-gh", "member")
	for i, login := range []string{"ghost-gh", "tess-gh", "fay-gh"} {
		w.gh.AddUser(login, int64(10+i), true)
	}
	r := w.run("validate")
	must(t, r, 1, "validate")
	want := "people/filler.yaml:1:7: name: holds the invisible character U+115F (character 4); only visible text is allowed\n" +
		"people/ghost.yaml:1:7: name: holds the invisible character U+3164 (character 1); only visible text is allowed\n" +
		"people/tagged.yaml:1:7: name: holds the invisible character U+E0041 (character 5); only visible text is allowed\n"
	if diff := cmp.Diff(want, r.stdout); diff != "" {
		t.Errorf("validate (-want +got):\n%s", diff)
	}
	r = w.run("plan")
	must(t, r, 0, "plan")
	for _, login := range []string{"ghost-gh", "tess-gh", "fay-gh"} {
		if strings.Contains(r.stdout, "add "+login) {
			t.Errorf("plan grants %s:\n%s", login, r.stdout)
		}
	}
	if strings.ContainsAny(r.stdout+r.stderr, "\u3164\U000E0041\u115F") {
		t.Errorf("plan writes the invisible characters raw:\n%s%s", r.stdout, r.stderr)
	}

	// The configuration, and a reason given on the command line.
	dir := requestDir(t, blockStyle)
	write(t, filepath.Join(dir, "prodaccess.yaml"), strings.Replace(requestConfig, "Grant Super Admin", "Grant\u2063Super Admin", 1))
	r = prodaccess(t, dir, "validate")
	if want := "prodaccess.yaml:4:48: targets[1].instructions: holds the invisible character U+2063 (character 6); only visible text is allowed\n"; r.code != 1 || r.stdout != want {
		t.Errorf("validate with an invisible separator in the configuration: exit %d\n%s\nwant:\n%s", r.code, r.stdout, want)
	}
	dir = requestDir(t, blockStyle)
	r = prodaccess(t, dir, "grant", "chris", "--from", "2099-12-01", "--to", "2099-12-20", "--approver", "alex-lead", "--supervisor", "sam-senior",
		"--reason", "Cover\U000E0020for Sam")
	if r.code != 1 || !strings.Contains(r.stderr, "reason: holds the invisible character U+E0020 (character 6); only visible text is allowed") {
		t.Errorf("a reason with a tag character: exit %d\n%s", r.code, r.stderr)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "people", "chris.yaml")); string(got) != blockStyle["chris"] {
		t.Errorf("chris.yaml was changed:\n%s", got)
	}
}

// TestMentionsAreInert: a name written to mention a team or a person
// after punctuation (.@acme/gov-uk-production-admin, x-@lead-gh), or to
// carry a bare URL, pings nobody and links nowhere in the pull request:
// GitHub links an @ after punctuation, and http://, https:// and www.
// without markup.
func TestMentionsAreInert(t *testing.T) {
	t.Parallel()
	name := "Mallory .@acme/gov-uk-production-admin x-@lead-gh (@alexlead) https://evil.example www.evil.example"
	w := newStack(t, map[string]string{
		"alice":   permanentFile("Alice Able", "alice-gh", 0, fingerprint('A'), "alice", ""),
		"mallory": strings.Replace(permanentFile("Mallory", "mallory-gh", 0, fingerprint('F'), "mallory", ""), "name: Mallory\n", "name: "+name+"\n", 1),
	}, []string{fingerprint('A')}, []string{"alice"})
	w.gh.AddUser("alice-gh", 1, true)
	w.gh.SetMember("gov-uk-production", "alice-gh", "member")
	w.gh.AddUser("mallory-gh", 2, true)
	must(t, w.run("apply"), 0, "apply")
	prs := w.gh.OpenPulls("alphagov/govuk-secrets")
	if len(prs) != 1 {
		t.Fatalf("%d pull requests", len(prs))
	}
	body := prs[0].Body
	if !strings.Contains(body, "Mallory .@\u200bacme/gov-uk-production-admin x-@\u200blead-gh (@\u200balexlead) https\u200b://evil.example www\u200b.evil.example") {
		t.Errorf("the body does not show the name, inert:\n%s", body)
	}
	linked := regexp.MustCompile(`(?i)@[\p{L}\p{N}_-]|https?://|www\.`)
	if m := linked.FindAllString(body, -1); len(m) > 0 {
		t.Errorf("the body holds %q, which GitHub links:\n%s", m, body)
	}
}
