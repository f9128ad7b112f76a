package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/internal/fakepagerduty"
	"github.com/prodaccess/prodaccess/model"
)

// The on-call rota proves shifts: each test runs the binary on a people
// repository whose pull requests the GitHub stand-in knows, with a rota
// the PagerDuty stand-in serves.

const rotaConfig = `people: people
people_repo: alphagov/people
policy:
  evidence: required
  shift_evidence: required
rota:
  schedules:
    - {id: PPRIMRY, shift: primary}
    - {id: PSHADOW, shift: shadow}%s
safety:
  max_removal_fraction: 0.5
targets:
  - name: github-production
    type: github-team
    org: alphagov
    team: gov-uk-production
  - name: deploy
    type: github-team
    org: alphagov
    team: gov-uk-deploy
    levels: [permanent]
`

// gitaFile is a developer with both shadow shifts and probation behind
// her: supervised, and permanent once a primary shift counts.
const gitaFile = `name: Gita Developer
email: gita.dev@example.gov.uk
github: gita-gh
github_id: 44
programme: govuk
role: developer
employment: civil_servant
clearance: bpss
probation_passed: 2019-01-01
shifts:
  - {type: shadow, start: 2019-02-04, end: 2019-02-08}
  - {type: shadow, start: 2019-03-04, end: 2019-03-08}
`

const pdToken = "pd_test_key_must_never_be_printed"

type rotaStack struct {
	*evidenceStack
	pd   *fakepagerduty.Server
	gita *fakegithub.User
	loc  *time.Location
}

// newRotaStack is an evidence stack under shift_evidence required, with
// Gita, a PagerDuty account whose rota has a primary and a shadow
// schedule, and a team (deploy) for permanent access alone. rotaMore is
// added to the rota section.
func newRotaStack(t *testing.T, rotaMore string) *rotaStack {
	t.Helper()
	s := &rotaStack{evidenceStack: newEvidenceStackWith(t, fmt.Sprintf(rotaConfig, rotaMore), map[string]string{"gita": gitaFile})}
	s.loc, _ = time.LoadLocation("Europe/London")
	s.gita = s.gh.AddUser("gita-gh", 44, true)
	s.gh.SetMember("gov-uk-production", "gita-gh", "member")
	s.gh.AddTeam("gov-uk-deploy", "")
	s.gh.SetMember("gov-uk-deploy", "alexlead-gds", "member")
	s.gh.SetMember("gov-uk-deploy", "sam-gh", "member")
	s.pd = fakepagerduty.New(t)
	s.pd.Token = pdToken
	s.env = []string{"PAGERDUTY_API_URL=" + s.pd.URL(), "PAGERDUTY_TOKEN=" + pdToken}
	s.secrets = []string{pdToken}
	s.pd.AddUser("PGITA01", "Gita Developer", "gita.dev@example.gov.uk")
	s.pd.AddUser("PALEX01", "Alex Lead", "alex.lead@example.gov.uk")
	s.pd.AddUser("PZED001", "Zed Outsider", "zed@example.org")
	s.pd.AddSchedule("PPRIMRY", "2nd line primary", "Europe/London")
	s.pd.AddSchedule("PSHADOW", "2nd line shadow", "Europe/London")
	s.pd.AddPolicy("PEPOL01", "2nd line", []string{"PPRIMRY"}, []string{"PSHADOW"})
	return s
}

// week is the Monday to Friday n weeks from this one, in London.
func (s *rotaStack) week(n int) model.Range {
	today := model.DayOf(time.Now(), s.loc)
	monday := today - model.Day((int(today.Time().Weekday())+6)%7) + model.Day(7*n)
	return model.Range{Start: monday, End: monday + 4}
}

// onCall puts a user on call on a schedule for the working hours of each
// day of r, as an in-hours 2nd line rota does.
func (s *rotaStack) onCall(schedule, user string, r model.Range) {
	for d := r.Start; d <= r.End; d++ {
		y, m, dd := d.Time().Date()
		s.pd.AddEntry(schedule, user, time.Date(y, m, dd, 9, 30, 0, 0, s.loc), time.Date(y, m, dd, 17, 30, 0, 0, s.loc))
	}
}

// addShift merges a pull request, by Gita and approved by Sam (no lead),
// that adds a shift to her file.
func (s *rotaStack) addShift(file string, shifts ...string) *fakegithub.PullRequest {
	s.t.Helper()
	body := file + strings.Join(shifts, "")
	pr, err := devstack.MergePull(s.people, s.gh, devstack.Pull{Repo: "alphagov/people", Branch: fmt.Sprintf("shift-%d", s.gh.NextNumber("alphagov/people")), Title: "Gita's shift",
		Author: s.gita, Method: devstack.Squash, MergedBy: s.sam,
		Commits: []devstack.PullCommit{{Files: map[string]string{"people/gita.yaml": body}, Message: "Shift", Author: s.gita}}})
	if err != nil {
		s.t.Fatal(err)
	}
	s.push()
	s.review(pr, s.sam, "APPROVED", pr.Commits[0].SHA)
	return pr
}

func shiftLine(typ string, r model.Range) string {
	return fmt.Sprintf("  - {type: %s, start: %s, end: %s}\n", typ, r.Start, r.End)
}

// permanent reports whether a plan adds Gita to the team for permanent
// access, and its output.
func (s *rotaStack) permanent(dir string) (bool, string) {
	return s.planAdds(dir, "+ gita-gh gita") // only the deploy team lacks her
}

// TestShiftsProvenByTheRota: under shift_evidence required, a primary
// shift typed by hand that the rota does not show gives no permanent
// access, and the plan says why; the shift the rota shows counts. apply
// records what the rota showed in the signed notes: a warm plan asks
// PagerDuty nothing, and an auditor's clone shows where the shift came
// from.
func TestShiftsProvenByTheRota(t *testing.T) {
	s := newRotaStack(t, "")
	typed, worked := s.week(-2), s.week(-1)
	s.onCall("PPRIMRY", "PALEX01", typed)
	s.onCall("PPRIMRY", "PGITA01", worked)

	s.addShift(gitaFile, shiftLine("primary", typed))
	got, out := s.permanent("")
	if got {
		t.Fatalf("a primary shift the rota does not show gave permanent access:\n%s", out)
	}
	want := fmt.Sprintf("gita's primary shift %s is not proven (not in the rota: PagerDuty schedule PPRIMRY (2nd line primary), read on %s, shows gita.dev@example.gov.uk on call on none of its days), and does not count until it is",
		typed, model.DayOf(time.Now(), s.loc))
	if !strings.Contains(out, want) {
		t.Errorf("the plan does not say\n  %s\n%s", want, out)
	}
	if s.pd.Count("/oncalls") == 0 {
		t.Error("the plan did not read the rota")
	}

	pr := s.addShift(gitaFile, shiftLine("primary", typed), shiftLine("primary", worked))
	if got, out := s.permanent(""); !got {
		t.Fatalf("the primary shift the rota shows did not count:\n%s", out)
	}

	if r := s.run("", "apply"); r.code != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	clone := s.freshClone()
	// The note of the merged commit holds what the rota showed.
	note, err := devstack.Git(clone, "notes", "--ref", "prodaccess", "show", pr.MergeCommitSHA)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"version": 3`, `"kind": "shift"`, `"schedules": [`, `"id": "PPRIMRY"`, `"user": "PGITA01"`, `"looked_up_at": `, "-----BEGIN SSH SIGNATURE-----"} {
		if !strings.Contains(note, want) {
			t.Errorf("the note of %s does not hold %s:\n%s", pr.MergeCommitSHA, want, note)
		}
	}
	s.pd.ResetRequests()
	r := s.run(clone, "plan")
	if r.code != 0 {
		t.Errorf("the plan after apply: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if n := s.pd.Count(""); n != 0 {
		t.Errorf("a warm plan made %d PagerDuty request(s): %v", n, s.pd.Requests())
	}
	if !strings.Contains(r.stdout, ", 0 to remove,") {
		t.Errorf("a warm plan removes access:\n%s", r.stdout)
	}

	// An auditor, with no token, sees the typed shift among the findings,
	// and not the shifts the adopting commit holds.
	review := prodaccess(t, clone, "audit", "review")
	if !strings.Contains(review.stdout, fmt.Sprintf("gita's primary shift %s: not in the rota", typed)) || strings.Contains(review.stdout, "shadow shift 2019") {
		t.Errorf("audit review's findings:\n%s\n%s", review.stdout, review.stderr)
	}
	// An auditor, with no token, sees the source of the counted shift.
	at := prodaccess(t, clone, "audit", "at", model.DayOf(time.Now(), s.loc).String())
	if at.code != 0 {
		t.Fatalf("audit at: exit %d\n%s", at.code, at.stderr)
	}
	for _, want := range []string{
		fmt.Sprintf("after-primary-shift: primary shift %s completed", worked),
		"evidence for the shift: in the rota: PagerDuty schedule PPRIMRY (2nd line primary) shows Gita Developer <gita.dev@example.gov.uk> on call on every day, 5 on-call(s)",
	} {
		if !strings.Contains(squash(at.stdout), squash(want)) {
			t.Errorf("audit at does not say %q:\n%s", want, at.stdout)
		}
	}
}

// TestShiftClaimedThroughAnotherIdentity: a pull request that changes
// Gita's email to that of someone on call and claims their shift proves
// nothing: she is looked for in the rota by the email of the branch
// before it.
func TestShiftClaimedThroughAnotherIdentity(t *testing.T) {
	s := newRotaStack(t, "")
	worked := s.week(-1)
	s.onCall("PPRIMRY", "PZED001", worked)
	s.addShift(strings.Replace(gitaFile, "gita.dev@example.gov.uk", "zed@example.org", 1), shiftLine("primary", worked))
	got, out := s.permanent("")
	if got {
		t.Fatalf("a shift claimed through another's email counted:\n%s", out)
	}
	if want := "shows gita.dev@example.gov.uk on call on none of its days"; !strings.Contains(out, want) {
		t.Errorf("the plan does not say %q:\n%s", want, out)
	}
}

// TestShiftBeforeTheRotaNeedsALead: a shift from before the rota became
// the record (rota.since) counts only with the approving review of a lead
// of record before the pull request that wrote it, as a reinstatement
// does; a colleague's approval is not enough.
func TestShiftBeforeTheRotaNeedsALead(t *testing.T) {
	s := newRotaStack(t, fmt.Sprintf("\n  since: %s", time.Now().AddDate(0, 0, -30).Format(time.DateOnly)))
	old := s.week(-8)
	pr := s.addShift(gitaFile, shiftLine("primary", old))
	got, out := s.permanent("")
	if got {
		t.Fatalf("a shift before rota.since counted with no lead's approval:\n%s", out)
	}
	if want := "it starts before the rota became the record of 2nd line"; !strings.Contains(out, want) || !strings.Contains(out, "needs an approving review by a lead of record") {
		t.Errorf("the plan does not say why:\n%s", out)
	}
	if s.pd.Count("/oncalls") != 0 {
		t.Errorf("a shift before rota.since was looked for in the rota: %v", s.pd.Requests())
	}
	s.review(pr, s.alex, "APPROVED", pr.Commits[0].SHA)
	if got, out := s.permanent(""); !got {
		t.Fatalf("the lead's approval did not make the shift count:\n%s", out)
	}
}

// TestRotaSync: rota sync proposes, one pull request each, exactly the
// completed shifts the rota shows that the files lack, lists the
// PagerDuty users no file matches, changes nothing on a second run, and
// once a proposal is merged the shift counts and its branch goes.
func TestRotaSync(t *testing.T) {
	s := newRotaStack(t, "")
	s.onCall("PPRIMRY", "PGITA01", s.week(-1))
	s.onCall("PPRIMRY", "PALEX01", s.week(-3))
	s.onCall("PSHADOW", "PZED001", s.week(-1))
	s.onCall("PPRIMRY", "PALEX01", s.week(1)) // to come: not proposed
	today := model.DayOf(time.Now(), s.loc)
	s.onCall("PSHADOW", "PGITA01", model.Range{Start: today - 1, End: today}) // under way: not proposed

	r := s.run("", "rota", "sync")
	if r.code != 0 {
		t.Fatalf("rota sync: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	pulls := s.gh.OpenPulls("alphagov/people")
	heads := map[string]string{}
	for _, pr := range pulls {
		heads[pr.Head] = pr.Title
	}
	want := map[string]string{
		"rota/alex": fmt.Sprintf("Shifts of alex from the on-call rota: primary %s", s.week(-3)),
		"rota/gita": fmt.Sprintf("Shifts of gita from the on-call rota: primary %s", s.week(-1)),
	}
	if fmt.Sprint(heads) != fmt.Sprint(want) {
		t.Errorf("pull requests %v, want %v\n%s", heads, want, r.stdout)
	}
	if !strings.Contains(r.stdout, fmt.Sprintf("Zed Outsider <zed@example.org> (PagerDuty user PZED001): shadow shift %s", s.week(-1))) {
		t.Errorf("the unknown PagerDuty user is not listed:\n%s", r.stdout)
	}
	if diff := show(t, s.origin, "rota/gita", "people/gita.yaml"); diff != gitaFile+shiftLine("primary", s.week(-1)) {
		t.Errorf("rota/gita holds:\n%s", diff)
	}

	// Again: nothing to push, nothing to write.
	before := branchHead(t, s.origin)
	s.gh.ResetRequests()
	r = s.run("", "rota", "sync")
	if r.code != 0 || s.gh.Writes() != 0 || strings.Count(r.stdout, "is up to date") != 2 {
		t.Errorf("a second rota sync: exit %d, %d write(s)\n%s\n%s", r.code, s.gh.Writes(), r.stdout, r.stderr)
	}
	if after := branchHead(t, s.origin); after != before {
		t.Errorf("a second rota sync moved main from %s to %s", before, after)
	}

	// Gita's is merged: her shift counts, and her branch goes.
	var gita int
	for _, pr := range pulls {
		if pr.Head == "rota/gita" {
			gita = pr.Number
		}
	}
	if _, err := devstack.Git(s.people, "pull", "-q", "--ff-only", "origin", "main"); err != nil {
		t.Fatal(err)
	}
	if _, err := devstack.MergeOpened(s.people, s.gh, "alphagov/people", gita, s.sam, time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, out := s.permanent(""); !got {
		t.Errorf("the shift rota sync proposed, merged, does not count:\n%s", out)
	}
	r = s.run("", "rota", "sync")
	if r.code != 0 {
		t.Fatalf("rota sync after the merge: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if out, _ := devstack.Git(s.origin, "branch", "--list", "rota/*"); strings.TrimSpace(out) != "rota/alex" {
		t.Errorf("origin's rota branches after the merge: %q", out)
	}
	if strings.Contains(r.stdout, "gita: pull request") {
		t.Errorf("the merged shift is proposed again:\n%s", r.stdout)
	}
}

// TestRotaSyncLeavesOthersPullRequests: a pull request that another
// account opened from a rota branch is neither pushed to, rewritten nor
// closed; rota sync names it, fails for that person only, and proposes
// the others' shifts.
func TestRotaSyncLeavesOthersPullRequests(t *testing.T) {
	s := newRotaStack(t, "")
	s.onCall("PPRIMRY", "PGITA01", s.week(-1))
	s.onCall("PPRIMRY", "PALEX01", s.week(-3))
	const planted = "Merge me: the rota says so."
	s.gh.AddPull("alphagov/people", &fakegithub.PullRequest{Head: "rota/gita", Base: "main", Title: "Shifts of gita", Body: planted, Author: s.mallory})

	r := s.run("", "rota", "sync")
	want := "gita: the open pull request #1 (" + fakegithub.WebURL + "/alphagov/people/pull/1) from rota/gita was opened by mallory, not by prodaccess[bot]"
	if r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Errorf("rota sync with mallory's pull request: exit %d, want %q\n%s\n%s", r.code, want, r.stdout, r.stderr)
	}
	heads := map[string]string{}
	for _, pr := range s.gh.OpenPulls("alphagov/people") {
		heads[pr.Head] = pr.Body
	}
	if len(heads) != 2 || heads["rota/gita"] != planted || heads["rota/alex"] == "" {
		t.Errorf("open pull requests after rota sync: %v", heads)
	}
	if out, _ := devstack.Git(s.origin, "branch", "--list", "rota/gita"); strings.TrimSpace(out) != "" {
		t.Errorf("rota sync pushed to the branch of mallory's pull request")
	}
}

// TestRotaSyncGolden: what rota sync would propose for files of each
// style (block entries with comments, a flow list on one line, CRLF line
// endings), as diffs with minimal edits; a shift under way, a shift the
// file holds and a user no file matches are not proposed, and the last
// is listed.
func TestRotaSyncGolden(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "people-repo")
	files := map[string]string{
		"prodaccess.yaml": `people: people
timezone: Europe/London
policy:
  shift_evidence: required
rota:
  schedules:
    - {id: PPRIMRY, shift: primary}
    - {id: PSECOND, shift: secondary}
    - {id: PSHADOW, shift: shadow}
`,
		"people/alex-lead.yaml": alexFile,
		"people/dan.yaml":       blockStyle["dan"],
		"people/lee.yaml":       flowStyle["lee"],
		"people/nadia.yaml":     strings.ReplaceAll(blockStyle["nadia"], "\n", "\r\n"),
	}
	if err := devstack.NewRepo(dir, files); err != nil {
		t.Fatal(err)
	}
	pd := fakepagerduty.New(t)
	pd.Token = pdToken
	for _, u := range [][3]string{{"PALEX01", "Alex Lead", "Alex.Lead@example.gov.uk"}, {"PDAN001", "Dan Shadow", "dan@example.gov.uk"}, {"PLEE001", "Lee Away", "lee@example.gov.uk"},
		{"PNADIA1", "Nadia Notreinstated", "nadia@example.gov.uk"}, {"PZED001", "Zed Outsider", "zed@example.org"}} {
		pd.AddUser(u[0], u[1], u[2])
	}
	for _, sc := range [][2]string{{"PPRIMRY", "2nd line primary"}, {"PSECOND", "2nd line secondary"}, {"PSHADOW", "2nd line shadow"}} {
		pd.AddSchedule(sc[0], sc[1], "Europe/London")
	}
	pd.AddPolicy("PEPOL01", "2nd line", []string{"PPRIMRY"}, []string{"PSECOND"}, []string{"PSHADOW"})
	loc, _ := time.LoadLocation("Europe/London")
	s := &rotaStack{pd: pd, loc: loc}
	days := func(from, to string) model.Range {
		a, _ := model.ParseDay(from)
		b, _ := model.ParseDay(to)
		return model.Range{Start: a, End: b}
	}
	s.onCall("PSHADOW", "PDAN001", days("2026-11-02", "2026-11-06"))
	s.onCall("PPRIMRY", "PDAN001", days("2026-11-16", "2026-11-20"))
	s.onCall("PPRIMRY", "PDAN001", days("2026-11-26", "2026-11-27")) // under way today
	s.onCall("PSHADOW", "PDAN001", days("2026-11-30", "2026-12-04")) // in the file, and to come
	s.onCall("PSECOND", "PLEE001", days("2026-11-09", "2026-11-13"))
	s.onCall("PPRIMRY", "PNADIA1", days("2026-10-19", "2026-10-23"))
	s.onCall("PSHADOW", "PZED001", days("2026-11-16", "2026-11-20"))
	// Alex's out-of-hours week: on call from Monday 17:30 to the next
	// Monday 09:30, with a hand-over to Nadia on the Wednesday night.
	pd.AddEntry("PPRIMRY", "PALEX01", time.Date(2026, 11, 2, 17, 30, 0, 0, loc), time.Date(2026, 11, 4, 20, 0, 0, 0, loc))
	pd.AddEntry("PPRIMRY", "PNADIA1", time.Date(2026, 11, 4, 20, 0, 0, 0, loc), time.Date(2026, 11, 5, 8, 0, 0, 0, loc))
	pd.AddEntry("PPRIMRY", "PALEX01", time.Date(2026, 11, 5, 8, 0, 0, 0, loc), time.Date(2026, 11, 9, 9, 30, 0, 0, loc))

	env := map[string]string{"PAGERDUTY_API_URL": pd.URL(), "PAGERDUTY_TOKEN": pdToken}
	r := runAt(t, dir, env, "rota", "sync", "--dry-run")
	if r.code != 0 {
		t.Fatalf("rota sync --dry-run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	golden(t, "rota-sync.golden", r.stdout)
	if out, _ := devstack.Git(dir, "status", "--porcelain"); out != "" {
		t.Errorf("--dry-run changed the working tree:\n%s", out)
	}
	if out, _ := devstack.Git(dir, "branch", "--list", "rota/*"); out != "" {
		t.Errorf("--dry-run made branches:\n%s", out)
	}
}

// TestUpcomingPlannedShifts: upcoming lists the changes a shift the rota
// plans, and the files lack, would make if it is worked: the shadow-shift
// access during it, and supervised access after it.
func TestUpcomingPlannedShifts(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "prodaccess.yaml"), "people: people\nrota:\n  schedules:\n    - {id: PSHADOW, shift: shadow}\n")
	write(t, filepath.Join(dir, "people", "dan.yaml"), blockStyle["dan"])
	pd := fakepagerduty.New(t)
	pd.Token = pdToken
	pd.AddUser("PDAN001", "Dan Shadow", "dan@example.gov.uk")
	pd.AddSchedule("PSHADOW", "2nd line shadow", "Europe/London")
	pd.AddPolicy("PEPOL01", "2nd line", []string{"PSHADOW"})
	loc, _ := time.LoadLocation("Europe/London")
	s := &rotaStack{pd: pd, loc: loc}
	first, _ := model.ParseDay("2026-11-30")
	planned, _ := model.ParseDay("2026-12-08")
	s.onCall("PSHADOW", "PDAN001", model.Range{Start: first, End: first + 4})     // in the file
	s.onCall("PSHADOW", "PDAN001", model.Range{Start: planned, End: planned + 3}) // not yet

	r := runAt(t, dir, map[string]string{"PAGERDUTY_API_URL": pd.URL(), "PAGERDUTY_TOKEN": pdToken}, "upcoming", "--days", "16")
	if r.code != 0 {
		t.Fatalf("upcoming: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	golden(t, "upcoming-rota.golden", r.stdout)
	// Without the key, what the files say, and a word on the stderr.
	r = runAt(t, dir, nil, "upcoming", "--days", "16")
	if r.code != 0 || strings.Contains(r.stdout, "rota plans") || !strings.Contains(r.stderr, "PAGERDUTY_TOKEN is not set") {
		t.Errorf("upcoming without PAGERDUTY_TOKEN: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}
