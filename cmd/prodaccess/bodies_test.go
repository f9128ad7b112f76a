package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/render"
)

// TestFirstAdoptionFitsGitHub: a first adoption of 300 people makes
// descriptions far longer than the 65,536 characters GitHub takes. Every
// body prodaccess sends fits: the pull request of the file targets and
// the record's say first what they change and where the whole is (a file
// on their own branch, beside the target files, which it does not
// change), and the upcoming-changes issue where the job summary holds the
// whole. A second apply on the same day writes nothing: the whole text
// changes only when the changes do.
func TestFirstAdoptionFitsGitHub(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	peopleRepo, secrets, records := filepath.Join(dir, "people-repo"), filepath.Join(dir, "secrets"), filepath.Join(dir, "records")
	if err := devstack.NewRepo(secrets, map[string]string{
		"hiera.rcp":   "# production hieradata\n" + keepKey + " # puppet master\n",
		"common.yaml": "users::usernames: []\nother: kept\n",
	}); err != nil {
		t.Fatal(err)
	}
	if err := devstack.NewRepo(records, map[string]string{"signon.txt": "# Who holds Super Admin in Signon\n"}); err != nil {
		t.Fatal(err)
	}
	gh := fakegithub.New(t, "alphagov")
	gh.Token = testToken
	london, _ := time.LoadLocation("Europe/London")
	today := model.DayOf(time.Now(), london)
	files := map[string]string{"prodaccess.yaml": fmt.Sprintf(`people: people
people_repo: alphagov/govuk-people
targets:
  - {name: hieradata, type: file, repo: %[1]s, github_repo: alphagov/govuk-secrets, path: hiera.rcp, format: gpg-recipients, keep: [%[2]q]}
  - {name: ssh, type: file, repo: %[1]s, github_repo: alphagov/govuk-secrets, path: common.yaml, format: yaml-list, key: "users::usernames"}
  - name: signon
    type: manual
    instructions: Grant Super Admin in production Signon, and tell them where the runbook is
    record: {repo: %[3]s, github_repo: alphagov/access-records, path: signon.txt}
`, secrets, keepKey, records)}
	for i := range 300 {
		name := fmt.Sprintf("Person %03d Of The First Adoption With A Name Long Enough To Fill The Tables Of Every Description That prodaccess Writes For People To Read", i)
		files[fmt.Sprintf("people/person-%03d.yaml", i)] = permanentFile(name, fmt.Sprintf("person-%03d-gh", i), 0, fmt.Sprintf("%040X", 0xA0000+i),
			fmt.Sprintf("user%03d", i), fmt.Sprintf("last_day: %s\n", today+7))
	}
	if err := devstack.NewRepo(peopleRepo, nil); err != nil {
		t.Fatal(err)
	}
	if err := devstack.CommitAt(peopleRepo, files, "People", time.Now().Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	summary := filepath.Join(dir, "step-summary.md")
	env := []string{"GITHUB_API_URL=" + gh.URL(), "GITHUB_TOKEN=" + testToken, appLoginEnv, "GITHUB_STEP_SUMMARY=" + summary,
		"GITHUB_SERVER_URL=https://github.example", "GITHUB_REPOSITORY=alphagov/govuk-people"}
	run := func(args ...string) result {
		t.Helper()
		r := prodaccessEnv(t, peopleRepo, env, args...)
		if strings.Contains(r.stdout+r.stderr, testToken) {
			t.Fatalf("the token appears in the output of %v", args)
		}
		return r
	}

	must(t, run("apply"), 0, "apply")
	for _, pr := range []struct {
		repo, dir, branch, file, summary string
	}{
		{"alphagov/govuk-secrets", secrets, "prodaccess/sync", ".prodaccess/sync.md", "This pull request makes 600 changes (hieradata: 300 additions; ssh: 300 additions)."},
		{"alphagov/access-records", records, "prodaccess/record", ".prodaccess/record.md", "This pull request lists the work to do by hand: 300 changes (signon: 300 grants)."},
	} {
		prs := gh.OpenPulls(pr.repo)
		if len(prs) != 1 {
			t.Fatalf("%s: %d pull requests", pr.repo, len(prs))
		}
		body := prs[0].Body
		if n := utf8.RuneCountInString(body); n > render.MaxBodyChars {
			t.Errorf("%s: the body has %d characters", pr.repo, n)
		}
		want := pr.summary + "\n\n> **This description is cut to fit GitHub's limit of 65,536 characters.** The whole description is in `" + pr.file + "` on this pull request's branch (`" + pr.branch + "`), a file that changes no access."
		if !strings.HasPrefix(body, want) {
			t.Errorf("%s: the body does not start with\n%s\n%.600s", pr.repo, want, body)
		}
		whole := show(t, pr.dir, pr.branch, pr.file)
		if n := utf8.RuneCountInString(whole); n <= render.MaxBodyChars || !strings.Contains(whole, "person-299 (Person 299 Of The First Adoption") || strings.Contains(body, "person-299 (Person 299") {
			t.Errorf("%s: the whole description (%d characters) is not the whole, or the body is not cut", pr.repo, n)
		}
		changed := strings.Fields(strings.TrimSpace(mustGit(t, pr.dir, "diff", "--name-only", "main", pr.branch)))
		if got, want := strings.Join(changed, " "), pr.file+" "+map[string]string{"alphagov/govuk-secrets": "common.yaml hiera.rcp", "alphagov/access-records": "signon.txt"}[pr.repo]; got != want {
			t.Errorf("%s: the branch changes %q, want %q", pr.repo, got, want)
		}
	}
	recipients := show(t, secrets, "prodaccess/sync", "hiera.rcp")
	if n := strings.Count(recipients, "\n"); n != 302 || !strings.Contains(recipients, fmt.Sprintf("%040X", 0xA0000+299)) {
		t.Errorf("the recipients file has %d lines", n)
	}

	gh.ResetRequests()
	must(t, run("apply"), 0, "apply again")
	if n := gh.Writes(); n != 0 {
		t.Errorf("a second apply on the same day made %d writes", n)
	}

	// The upcoming-changes issue: every leaver, a week ahead.
	must(t, run("upcoming", "--issue"), 0, "upcoming --issue")
	issues := gh.OpenIssues("alphagov/govuk-people")
	if len(issues) != 1 {
		t.Fatalf("%d issues", len(issues))
	}
	body := issues[0].Body
	want := "<!-- prodaccess:upcoming -->\n300 changes of production access are coming; the first ones follow.\n\n> **This description is cut to fit GitHub's limit of 65,536 characters.** " +
		"The whole list is in the job summary of the workflow run that last updated this issue (https://github.example/alphagov/govuk-people/actions)."
	if n := utf8.RuneCountInString(body); n > render.MaxBodyChars || !strings.HasPrefix(body, want) {
		t.Errorf("the issue's body (%d characters) does not start with\n%s\n%.500s", n, want, body)
	}
	data, err := os.ReadFile(summary)
	if err != nil || !strings.Contains(string(data), "@person-299-gh") || utf8.RuneCount(data) <= render.MaxBodyChars {
		t.Errorf("the job summary does not hold the whole issue (%d characters, %v)", utf8.RuneCount(data), err)
	}
}

func mustGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := devstack.Git(dir, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
