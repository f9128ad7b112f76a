package main

import (
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/internal/testgpg"
	"github.com/prodaccess/prodaccess/internal/testkeys"
)

// secretsStack is a people repository with public keys, and a secrets
// repository whose hieradata and pass store were written by the real gpg
// and pass for alice, carol (who has left) and the puppet master, before
// bob joined.
type secretsStack struct {
	t               *testing.T
	people, secrets string
	gh              *fakegithub.Server
	keys            map[string]*testkeys.Key
	homes           map[string]*testgpg.GnuPG // each person's own GnuPG home, with their secret key
}

const hieraBefore = "---\n# production secrets: only the ENC blocks are managed by prodaccess\ngovuk::db::password: >\n%s\ngovuk::api::token: ENC[GPG,%s] # inline\ngovuk::plain: not a secret\n"

func newSecretsStack(t *testing.T) *secretsStack {
	t.Helper()
	if _, err := exec.LookPath("pass"); err != nil {
		t.Skip("pass is not installed (Debian package pass)")
	}
	dir := t.TempDir()
	s := &secretsStack{t: t, people: filepath.Join(dir, "people-repo"), secrets: filepath.Join(dir, "secrets")}
	s.gh = fakegithub.New(t, "alphagov")
	t.Cleanup(s.gh.Close)
	s.gh.Token = testToken
	s.keys, s.homes = personKeys(t, "alice", "bob", "carol", "puppet")
	sender := testgpg.New(t)
	sender.ImportPublic(s.keys["alice"], s.keys["bob"], s.keys["carol"], s.keys["puppet"])
	before := []*testkeys.Key{s.keys["alice"], s.keys["carol"], s.keys["puppet"]}
	folded := base64.StdEncoding.EncodeToString(sender.Encrypt("db-password", before))
	var lines []string
	for ; len(folded) > 64; folded = folded[64:] {
		lines = append(lines, folded[:64])
	}
	lines = append(lines, folded)
	files := map[string]string{
		"hiera.rcp": fmt.Sprintf("%s # puppet master\n%s # Alice\n%s # Carol\n", s.keys["puppet"].Fingerprint, s.keys["alice"].Fingerprint, s.keys["carol"].Fingerprint),
		"hieradata/production.yaml": fmt.Sprintf(hieraBefore, "    ENC[GPG,"+strings.Join(lines, "\n    ")+"]",
			base64.StdEncoding.EncodeToString(sender.Encrypt("api-token", before))),
		"pass/.gpg-id": s.keys["alice"].Fingerprint + "\n" + s.keys["carol"].Fingerprint + "\n",
	}
	if err := devstack.NewRepo(s.secrets, files); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("pass", "insert", "--multiline", "production/db")
	cmd.Env = append(os.Environ(), "GNUPGHOME="+sender.Home, "PASSWORD_STORE_DIR="+filepath.Join(s.secrets, "pass"), "PASSWORD_STORE_GPG_OPTS=--trust-model=always")
	cmd.Stdin = strings.NewReader("pass-db-password\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pass insert: %v\n%s", err, out)
	}
	if err := devstack.Commit(s.secrets, nil, "Add a secret with pass"); err != nil {
		t.Fatal(err)
	}

	people := map[string]string{
		"prodaccess.yaml": fmt.Sprintf(`people: people
targets:
  - name: hieradata
    type: file
    repo: %[1]s
    github_repo: alphagov/govuk-secrets
    path: hiera.rcp
    format: gpg-recipients
    keep: [%[2]q]
    secrets:
      - {glob: "hieradata/**/*.yaml", format: eyaml-gpg}
  - name: pass-store
    type: file
    repo: %[1]s
    github_repo: alphagov/govuk-secrets
    path: pass/.gpg-id
    format: gpg-id
`, s.secrets, s.keys["puppet"].Fingerprint),
		"people/alice.yaml": permanentFile("Alice Able", "alice-gh", 0, s.keys["alice"].Fingerprint, "alice", ""),
		"people/bob.yaml":   permanentFile("Bob Brown", "bob-gh", 0, s.keys["bob"].Fingerprint, "bob", ""),
		"people/carol.yaml": permanentFile("Carol Gone", "carol-gh", 0, s.keys["carol"].Fingerprint, "carol", "last_day: 2020-12-31\n"),
		"keys/keep/" + s.keys["puppet"].Fingerprint + ".asc": string(s.keys["puppet"].Public()),
	}
	for _, name := range []string{"alice", "bob", "carol"} {
		people["keys/"+name+".asc"] = string(s.keys[name].Public())
	}
	if err := devstack.NewRepo(s.people, nil); err != nil {
		t.Fatal(err)
	}
	if err := devstack.CommitAt(s.people, people, "People", time.Now().Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	return s
}

// run runs the built binary in the people repository as person, with
// their GnuPG home.
func (s *secretsStack) run(person string, args ...string) result {
	s.t.Helper()
	r := prodaccessEnv(s.t, s.people, []string{"GITHUB_API_URL=" + s.gh.URL(), "GITHUB_TOKEN=" + testToken, appLoginEnv, "GNUPGHOME=" + s.homes[person].Home}, args...)
	if strings.Contains(r.stdout+r.stderr, testToken) {
		s.t.Fatalf("the token appears in the output of %v", args)
	}
	return r
}

// TestSecretsRevocation is the whole story: a leaver's secrets are listed
// as stale, the plan and its pull request say which to rotate, a current
// recipient re-encrypts them, the leaver can decrypt none and everyone
// entitled all, and the status is clean.
func TestSecretsRevocation(t *testing.T) {
	s := newSecretsStack(t)
	puppet := "keep " + s.keys["puppet"].Fingerprint

	status := s.run("alice", "secrets", "status")
	must(t, status, 2, "secrets status")
	out := squash(status.stdout)
	for _, want := range []string{
		"hieradata: 2 secrets: 0 current, 2 stale, 2 missing, 0 unknown, 0 unreadable",
		"should read them: alice, bob, " + puppet,
		"stale,missing hieradata/production.yaml:4 govuk::db::password readable by carol, not entitled; not readable by bob",
		"stale,missing hieradata/production.yaml:11 govuk::api::token readable by carol, not entitled; not readable by bob",
		"pass-store: 1 secret: 0 current, 1 stale, 1 missing",
		"stale,missing pass/production/db.gpg:1 readable by carol, not entitled; not readable by bob",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, status.stdout)
		}
	}
	js := s.run("alice", "secrets", "status", "--target", "pass-store", "--format", "json")
	must(t, js, 2, "secrets status --format json")
	if !strings.Contains(js.stdout, `"stale": [`+"\n"+`            "carol"`) {
		t.Errorf("json:\n%s", js.stdout)
	}

	// The access review flags carol, who left long ago and can still read
	// them.
	review := s.run("alice", "audit", "review", "--secrets")
	must(t, review, 0, "audit review")
	if !strings.Contains(review.stdout, "| carol (Carol Gone) | none |") || !strings.Contains(review.stdout, "has had no access since 2021-01-01 and can still read secrets (2 in hieradata, 1 in pass-store)") ||
		!strings.Contains(review.stdout, "2 people have production access;") || !strings.Contains(review.stdout, "; 1 person without access is flagged too") {
		t.Errorf("review:\n%s", review.stdout)
	}

	// The plan and the pull request name the values to rotate.
	plan := s.run("alice", "plan")
	must(t, plan, 2, "plan")
	if !strings.Contains(squash(plan.stdout), "rotate hieradata/production.yaml: govuk::db::password: carol can read it") {
		t.Errorf("plan:\n%s", plan.stdout)
	}
	must(t, s.run("alice", "apply"), 0, "apply")
	prs := s.gh.OpenPulls("alphagov/govuk-secrets")
	if len(prs) != 1 {
		t.Fatalf("pull requests: %+v", prs)
	}
	for _, want := range []string{
		"**Rotate these** once re-encrypted",
		"- [ ] `hieradata/production.yaml: govuk::api::token` (line 11): carol (removed by this pull request)",
		"- [ ] `pass/production/db.gpg` (line 1): carol (removed by this pull request)",
		"**Cannot read yet**",
		"- `pass/production/db.gpg` (line 1): bob",
	} {
		if !strings.Contains(prs[0].Body, want) {
			t.Errorf("the pull request body lacks %q:\n%s", want, prs[0].Body)
		}
	}

	// Carol cannot re-encrypt: she is not entitled, though she can still
	// decrypt; nothing is pushed.
	refused := s.run("carol", "secrets", "reencrypt", "--target", "hieradata", "--push", "--widen", "hieradata/production.yaml")
	must(t, refused, 1, "reencrypt by a leaver")
	if !strings.Contains(refused.stderr, "only a current recipient may re-encrypt them, so nothing was re-encrypted") {
		t.Errorf("refusal:\n%s\n%s", refused.stdout, refused.stderr)
	}
	if _, err := devstack.Git(s.secrets, "rev-parse", "--verify", "-q", "refs/heads/prodaccess/reencrypt-hieradata"); err == nil {
		t.Error("a refused re-encryption pushed a branch")
	}

	// Alice re-encrypts, naming the files that bob, who joined, is to
	// read; the pull request says what to rotate.
	for _, tw := range [][2]string{{"hieradata", "hieradata/production.yaml"}, {"pass-store", "pass/production/db.gpg"}} {
		target, widen := tw[0], tw[1]
		r := s.run("alice", "secrets", "reencrypt", "--target", target, "--push", "--widen", widen)
		must(t, r, 0, "reencrypt "+target)
		if !strings.Contains(r.stdout, "Rotate these values") || !strings.Contains(r.stderr, "still lists carol ("+s.keys["carol"].Fingerprint) {
			t.Errorf("reencrypt %s:\n%s\n%s", target, r.stdout, r.stderr)
		}
	}
	var heads []string
	for _, pr := range s.gh.OpenPulls("alphagov/govuk-secrets") {
		heads = append(heads, pr.Head)
		if pr.Head == "prodaccess/reencrypt-hieradata" && !strings.Contains(pr.Body, "### Rotate these") {
			t.Errorf("re-encryption pull request:\n%s", pr.Body)
		}
	}
	if diff := cmp.Diff([]string{"prodaccess/sync", "prodaccess/reencrypt-hieradata", "prodaccess/reencrypt-pass-store"}, heads); diff != "" {
		t.Errorf("pull requests (-want +got):\n%s", diff)
	}

	// Carol can decrypt none of them; alice, bob and the puppet master all.
	hiera := show(t, s.secrets, "prodaccess/reencrypt-hieradata", "hieradata/production.yaml")
	db := show(t, s.secrets, "prodaccess/reencrypt-pass-store", "pass/production/db.gpg")
	messages := map[string][]byte{"pass-db-password": []byte(db)}
	blocks := strings.Split(hiera, "ENC[GPG,")[1:]
	for i, value := range []string{"db-password", "api-token"} {
		inner, _, _ := strings.Cut(blocks[i], "]")
		msg, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(inner), ""))
		if err != nil {
			t.Fatal(err)
		}
		messages[value] = msg
	}
	for value, msg := range messages {
		// The puppet master is a keep entry of hieradata only.
		puppetReads := value != "pass-db-password"
		for person, want := range map[string]bool{"alice": true, "bob": true, "puppet": puppetReads, "carol": false} {
			if got := s.homes[person].Decrypts(msg, value); got != want {
				t.Errorf("%s decrypts %s: %v, want %v", person, value, got, want)
			}
		}
	}
	// Nothing but the blocks changed.
	old := show(t, s.secrets, "main", "hieradata/production.yaml")
	strip := func(s string) string {
		parts := strings.Split(s, "ENC[GPG,")
		for i := 1; i < len(parts); i++ {
			_, rest, _ := strings.Cut(parts[i], "]")
			parts[i] = rest
		}
		return strings.Join(parts, "ENC[GPG,]")
	}
	if diff := cmp.Diff(strip(old), strip(hiera)); diff != "" {
		t.Errorf("the eyaml file changed outside its blocks (-old +new):\n%s", diff)
	}

	// Once merged, with the recipients change, the status is clean.
	for _, branch := range []string{"prodaccess/sync", "prodaccess/reencrypt-hieradata", "prodaccess/reencrypt-pass-store"} {
		if out, err := devstack.Git(s.secrets, "merge", "-q", "--no-edit", branch); err != nil {
			t.Fatalf("merge %s: %v\n%s", branch, err, out)
		}
	}
	// Every secret is current, and what carol could read is still to
	// rotate: the status and the access review say so.
	clean := s.run("alice", "secrets", "status")
	must(t, clean, 2, "secrets status after merging")
	if !strings.Contains(clean.stdout, "hieradata: 2 secrets: 2 current, 0 stale, 0 missing, 0 unknown, 0 unreadable; 2 to rotate") {
		t.Errorf("status:\n%s", clean.stdout)
	}
	review = s.run("alice", "audit", "review", "--secrets")
	if strings.Contains(review.stdout, "can still read secrets") || !strings.Contains(review.stdout, "could read values not yet rotated more than 7 days after they became due (2 in hieradata, due since 2021-01-01; 1 in pass-store, due since 2021-01-01)") {
		t.Errorf("review after re-encryption:\n%s", review.stdout)
	}
}

// TestSecretKeyWithHiddenCharacters: an eyaml key that hides characters
// (tag characters make "govuk::db::password" of another key) is read as a
// problem, never as current, and is shown escaped.
func TestSecretKeyWithHiddenCharacters(t *testing.T) {
	s := newSecretsStack(t)
	data, err := os.ReadFile(filepath.Join(s.secrets, "hieradata", "production.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_, inline, _ := strings.Cut(string(data), "govuk::api::token: ")
	inline, _, _ = strings.Cut(inline, " # inline")
	tagged := "govuk::db::password\U000E0078"
	if err := devstack.Commit(s.secrets, map[string]string{"hieradata/staging.yaml": "---\n" + tagged + ": " + inline + "\n"}, "A key with a tag character"); err != nil {
		t.Fatal(err)
	}
	status := s.run("alice", "secrets", "status", "--target", "hieradata")
	must(t, status, 1, "secrets status")
	out := squash(status.stdout)
	if want := `unreadable hieradata/staging.yaml:2 govuk::db::password\udb40\udc78 cannot be read: its key holds the invisible character U+E0078 (character 20); only visible text is allowed`; !strings.Contains(out, want) {
		t.Errorf("status lacks %q:\n%s", want, status.stdout)
	}
	if strings.Contains(status.stdout, tagged) {
		t.Errorf("status writes the key raw:\n%s", status.stdout)
	}
	if !strings.Contains(status.stderr, "1 secret(s) cannot be read") {
		t.Errorf("stderr: %s", status.stderr)
	}
}
