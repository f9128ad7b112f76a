package main

import (
	"strings"
	"testing"
)

// TestHostileTextIsShownNotActed: text from target files and person files
// reaches the terminal with its control characters escaped, and markdown
// output with its markup escaped.
func TestHostileTextIsShownNotActed(t *testing.T) {
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
