// Command demo runs prodaccess end to end on the example people with no
// credentials and no network: it builds a throwaway world in a temporary
// folder (a people repository, local git repositories holding the GPG
// recipients, the Pass store's .gpg-id, puppet's user list, the AWS role's
// tfvars and the records of the systems changed by hand) and an in-memory GitHub stand-in on localhost, then runs
// the real prodaccess binary against it: plan, apply, and apply again; and
// with a PagerDuty stand-in, a shift typed by hand that the on-call rota
// does not show, and the one rota sync proposes from it.
//
// It is what `make demo` runs. Like `vault server -dev`, it is a
// development mode: nothing in it is real, and it leaves nothing behind
// unless asked to (-keep).
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/personfile"
	"golang.org/x/crypto/ssh"
)

func main() {
	bin := flag.String("bin", "bin/prodaccess", "the prodaccess binary to run")
	people := flag.String("people", "people", "the example people")
	keep := flag.Bool("keep", false, "keep the temporary folder")
	adopt := flag.Bool("adopt", false, "show adopting prodaccess instead: the example people found in the targets, and their files written")
	flag.BoolVar(&verbose, "v", false, "show every command's whole output, and each pull request's description and diff")
	in := flag.String("dir", "", "build the world in this folder instead of a temporary one, and leave it there")
	logFile := flag.String("log", "", "write the whole story, as -v shows it, to this file as well")
	flag.Parse()
	closeLog, err := openTranscript(*logFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
	do := run
	switch {
	case *adopt:
		do = runAdopt
	case *in != "":
		do = func(bin, people string, _ bool) error { return runIn(bin, people, *in) }
	}
	err = do(*bin, *people, *keep)
	if cerr := closeLog(); err == nil && cerr != nil {
		err = fmt.Errorf("-log: %w", cerr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(bin, peopleDir string, keep bool) error {
	dir, err := os.MkdirTemp("", "prodaccess-demo-")
	if err != nil {
		return err
	}
	if keep {
		printf("(keeping %s)\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	return runIn(bin, peopleDir, dir)
}

// runIn builds the demo's world in dir and runs the binary against it.
func runIn(bin, peopleDir, dir string) error {
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}

	// Everyone's level today, to build a world that differs from it.
	loc, _ := time.LoadLocation("Europe/London")
	today := model.DayOf(time.Now(), loc)
	files, err := os.ReadDir(peopleDir)
	if err != nil {
		return err
	}
	ppl, err := personfile.LoadPeople(os.DirFS(peopleDir), "people")
	if err != nil {
		return err
	}
	roster := model.NewRoster(ppl, model.DefaultPolicy())
	var entitled []*model.Person
	for _, dc := range roster.Evaluate(today) {
		if dc.Level != model.None {
			entitled = append(entitled, dc.Person)
		}
	}
	if len(entitled) < 4 {
		return fmt.Errorf("only %d example people have access on %s; the demo needs at least 4", len(entitled), today)
	}
	// Real keys for everyone, and for the puppet master: the secrets
	// repository holds real encrypted secrets, so that secrets status has
	// something true to say.
	keys, err := demoKeys(roster.People)
	if err != nil {
		return err
	}
	leaver := roster.Person("pat-leaver")
	childOnly := roster.Person("femi-probation")
	// The world is a little behind: the newest entitled person is missing
	// everywhere, and the leaver is still everywhere.
	missing := entitled[len(entitled)-1]
	current := append(slices.DeleteFunc(slices.Clone(entitled[:len(entitled)-1]), func(p *model.Person) bool { return p.ID == granted }), leaver)

	// GitHub.
	gh := fakegithub.NewUnchecked("alphagov")
	defer gh.Close()
	gh.Token = "demo-token-not-secret"
	// The reconcile workflow's token may see who may bypass the people
	// branch's rules, as policy.evidence required needs.
	gh.RulesetWriter = true
	// The key that signs the evidence notes, as the reconcile workflow's
	// protected environment holds it; its public half is the one signer
	// the configuration lists.
	signingKey, signer, err := newSigningKey()
	if err != nil {
		return err
	}
	for _, p := range roster.People {
		gh.AddUser(p.GitHub, p.GitHubID, p != missing)
	}
	gh.AddTeam("gov-uk-production", "")
	gh.AddTeam("gov-uk-production-oncall", "gov-uk-production")
	for _, p := range current {
		gh.SetMember("gov-uk-production", p.GitHub, "member")
	}
	gh.SetMember("gov-uk-production-oncall", childOnly.GitHub, "member")

	// Target repositories.
	var rcp, gpgID, users, arns []string
	for _, p := range current {
		rcp = append(rcp, fmt.Sprintf("%s # %s <%s>", keys[p.ID].Fingerprint, p.Name, p.Email))
		gpgID = append(gpgID, keys[p.ID].Fingerprint)
		if p.SSHUsername != "" {
			users = append(users, "  - "+p.SSHUsername)
			arns = append(arns, fmt.Sprintf("  %q,", p.AWSUserARN))
		}
	}
	secrets, puppet, aws := filepath.Join(dir, "govuk-secrets"), filepath.Join(dir, "govuk-puppet"), filepath.Join(dir, "govuk-aws-data")
	secretFiles, err := demoSecrets(keys, current)
	if err != nil {
		return err
	}
	secretFiles["puppet_aws/gpg_recipients/production_hiera_gpg.rcp"] = "# Recipients of production hieradata\n" + keys[puppetMaster].Fingerprint + " # puppet master\n" + strings.Join(rcp, "\n") + "\n"
	secretFiles["pass/2ndline/.gpg-id"] = strings.Join(gpgID, "\n") + "\n"
	if err := devstack.NewRepo(secrets, secretFiles); err != nil {
		return err
	}
	if err := devstack.NewRepo(puppet, map[string]string{
		"hieradata_aws/common.yaml": "---\n# Managed in part by prodaccess: only users::usernames changes.\nusers::usernames:\n" + strings.Join(users, "\n") + "\n\nusers::shell: /bin/bash\n",
	}); err != nil {
		return err
	}
	if err := devstack.NewRepo(aws, map[string]string{
		"data/infra-security/production/common.tfvars": "# AWS PowerUser role\nrole_poweruser_user_arns = [\n" + strings.Join(arns, "\n") + "\n]\n\nrole_admin_user_arns = []\n",
	}); err != nil {
		return err
	}
	// The records of the three systems changed by hand, as the team
	// keeps them: who holds each access, one email a line.
	var holders []string
	for _, p := range current {
		holders = append(holders, fmt.Sprintf("%s  # %s", p.Email, p.Name))
	}
	records := filepath.Join(dir, "govuk-production-access-records")
	recordFiles := map[string]string{}
	for _, f := range []string{"gcp/storage-admin.txt", "signon/super-admin.txt", "paas/govuk-development-space-developer.txt"} {
		recordFiles[f] = "# Who holds this access. prodaccess changes this file through pull requests;\n# merge one once the work it lists is done.\n\n" + strings.Join(holders, "\n") + "\n"
	}
	if err := devstack.NewRepo(records, recordFiles); err != nil {
		return err
	}
	gh.AddTeam("gov-uk-production-admin", "")

	// The people repository: yesterday's commit, then today's.
	repo := filepath.Join(dir, "people-repo")
	peopleFiles := map[string]string{"prodaccess.yaml": demoConfig(secrets, puppet, aws, records, keys[puppetMaster].Fingerprint, signer)}
	for id, k := range keys {
		if id == puppetMaster {
			peopleFiles["keys/keep/"+k.Fingerprint+".asc"] = string(k.Public())
		} else {
			peopleFiles["keys/"+id+".asc"] = string(k.Public())
		}
	}
	personFile := func(id string) (string, error) {
		b, err := os.ReadFile(filepath.Join(peopleDir, id+".yaml"))
		if err != nil {
			return "", err
		}
		if k := keys[id]; k != nil {
			b = fingerprintLine.ReplaceAll(b, []byte(fmt.Sprintf("gpg_fingerprint: %q", k.Fingerprint)))
		}
		if id == rotaPerson {
			return withoutPrimary(string(b)), nil
		}
		return string(b), nil
	}
	for _, f := range files {
		if id, ok := strings.CutSuffix(f.Name(), ".yaml"); ok {
			if peopleFiles["people/"+f.Name()], err = personFile(id); err != nil {
				return err
			}
		}
	}
	// Two entries that need a lead's approval reach the branch through
	// pull requests, as the evidence policy requires: the reinstatement
	// in an approved one, the grant in one no lead has approved yet.
	withEntry := map[string]string{}
	for _, id := range []string{granted, reinstated} {
		withEntry[id] = peopleFiles["people/"+id+".yaml"]
		cut := strings.Index(withEntry[id], map[string]string{granted: "temporary_access:", reinstated: "reinstated:"}[id])
		peopleFiles["people/"+id+".yaml"] = withEntry[id][:cut]
	}
	// The leaver's last day is recorded a week after it: the history
	// starts a month before it, and every commit of it validates.
	leaverFile := peopleFiles["people/"+leaver.ID+".yaml"]
	peopleFiles["people/"+leaver.ID+".yaml"] = lastDayLine.ReplaceAllString(leaverFile, "")
	first, recorded := leaver.LastDay.Time().AddDate(0, 0, -30).Add(10*time.Hour), leaver.LastDay.Time().AddDate(0, 0, 7).Add(10*time.Hour)
	if yesterday := time.Now().Add(-40 * time.Hour); recorded.After(yesterday) {
		first, recorded = yesterday.Add(-2*time.Hour), yesterday.Add(-time.Hour)
	}
	if err := os.MkdirAll(repo, 0o755); err != nil {
		return err
	}
	if _, err := devstack.Git(repo, "init", "-q", "-b", "main"); err != nil {
		return err
	}
	if err := devstack.CommitAt(repo, peopleFiles, "The people, as prodaccess is adopted", first); err != nil {
		return err
	}
	if err := devstack.CommitAt(repo, map[string]string{"people/" + leaver.ID + ".yaml": leaverFile}, "Record "+leaver.Name+"'s last day", recorded); err != nil {
		return err
	}
	gh.SetRepoDir(peopleRepo, repo)
	gh.SetRules(peopleRepo, "main", []fakegithub.RuleInForce{{Type: "pull_request", RulesetID: 1, Parameters: map[string]any{
		"required_approving_review_count": 1, "require_code_owner_review": true, "require_last_push_approval": true, "dismiss_stale_reviews_on_push": true}}},
		fakegithub.Ruleset{ID: 1, Name: "people"})
	lead := gh.Users[strings.ToLower(roster.Person("alex-lead").GitHub)]
	pull := func(id, title string, method devstack.MergeMethod, when time.Time) (*fakegithub.PullRequest, error) {
		author := gh.Users[strings.ToLower(roster.Person(id).GitHub)]
		return devstack.MergePull(repo, gh, devstack.Pull{Repo: peopleRepo, Branch: "access/" + id, Title: title, Author: author, Method: method, MergedBy: lead, When: when,
			Commits: []devstack.PullCommit{{Files: map[string]string{"people/" + id + ".yaml": withEntry[id]}, Message: title, Author: author}}})
	}
	back, err := pull(reinstated, "Reinstate "+reinstated, devstack.MergeCommit, time.Now().Add(-38*time.Hour))
	if err != nil {
		return err
	}
	gh.AddReview(peopleRepo, back.Number, fakegithub.Review{User: lead, State: "APPROVED", CommitID: back.Commits[0].SHA, SubmittedAt: back.MergedAt.Add(-time.Minute)})
	grant, err := pull(granted, "Temporary production access for "+granted, devstack.Squash, time.Now().Add(-37*time.Hour))
	if err != nil {
		return err
	}

	// PagerDuty, whose on-call rota proves shifts once the configuration
	// asks for it.
	pd := newDemoRota(roster.People, loc)
	defer pd.Close()
	// The stand-in's token is prodaccess's GitHub App's, whose login GET
	// /user does not give: the environment names it, as the reconcile
	// workflow does.
	env := append(os.Environ(), "GITHUB_API_URL="+gh.URL(), "GITHUB_TOKEN="+gh.Token, "PRODACCESS_SIGNING_KEY="+signingKey,
		"PRODACCESS_GITHUB_LOGIN=prodaccess[bot]", "PAGERDUTY_API_URL="+pd.URL(), "PAGERDUTY_TOKEN="+pd.Token)
	say := func(format string, args ...any) { printf("\n\033[1m"+format+"\033[0m\n", args...) }
	cmd := func(args ...string) error {
		c := exec.Command(bin, args...)
		var out bytes.Buffer
		c.Dir, c.Env, c.Stdout, c.Stderr = repo, env, &out, &out
		err := c.Run()
		status := ""
		if ee, ok := err.(*exec.ExitError); ok {
			status, err = fmt.Sprintf("   # exit status %d", ee.ExitCode()), nil
		}
		printf("$ %s%s\n", commandLine(args), status)
		output(out.String(), gistLines)
		return err
	}

	steps := 0
	step := func(format string, args ...any) {
		steps++
		say(fmt.Sprintf("%d. ", steps)+format, args...)
	}
	say("prodaccess demo, %s: the example people against an in-memory GitHub and local git repositories", today)
	printf("The team and the files are a little behind: %s is missing everywhere and %s (who left) is still everywhere.\n", missing.ID, leaver.ID)
	printf("%s is in the child team gov-uk-production-oncall, which prodaccess never changes (the configuration lists it under child_teams, with why).\n", childOnly.ID)
	printf("%s's grant reached the files through pull request #%d, which no lead has approved yet: who shows what the files say; plan and apply also ask GitHub who approved it.\n", granted, grant.Number)
	if err := cmd("validate"); err != nil {
		return err
	}
	if err := cmd("who"); err != nil {
		return err
	}
	step("plan: what would change, and why (exit status 2 means there are changes)")
	if err := cmd("plan"); err != nil {
		return err
	}
	step("apply: revocations first, then pull requests, then grants, then the list for people")
	gh.ResetRequests()
	if err := cmd("apply"); err != nil {
		return err
	}
	step("%s's grant gave nothing: no lead approved pull request #%d, and policy.evidence is required. alex-lead approves it now; the next run finds the review", granted, grant.Number)
	gh.AddReview(peopleRepo, grant.Number, fakegithub.Review{User: lead, State: "APPROVED", CommitID: grant.Commits[0].SHA})
	if err := cmd("apply"); err != nil {
		return err
	}
	if out, err := devstack.Git(repo, "log", "--notes=prodaccess", "-1", "--format=%h %s%n%N", grant.MergeCommitSHA); err == nil {
		printf("$ git log --notes=prodaccess -1 %s   # the evidence apply recorded, for auditors\n", grant.MergeCommitSHA[:12])
		output(out, 0)
	}
	if err := cmd("audit", "review"); err != nil {
		return err
	}
	step("the team afterwards")
	printf("direct members: %s\n", strings.Join(gh.Members("gov-uk-production"), ", "))
	printf("pending invitations: %s\n", strings.Join(gh.Invited("gov-uk-production"), ", "))
	for _, r := range []string{"alphagov/govuk-secrets", "alphagov/govuk-puppet", "alphagov/govuk-aws-data", "alphagov/govuk-production-access-records"} {
		for _, pr := range gh.OpenPulls(r) {
			printf("pull request %s#%d: %s\n", r, pr.Number, pr.Title)
			if len(pr.RequestedTeams) > 0 {
				detail("(review requested from: %s)\n\n", strings.Join(pr.RequestedTeams, ", "))
			}
			detail("%s\n", pr.Body)
		}
	}
	for _, r := range []string{secrets, puppet, aws} {
		diff, err := devstack.Git(r, "diff", "main", "prodaccess/sync")
		if err != nil {
			return err
		}
		detail("$ git diff main prodaccess/sync   # in %s\n%s", filepath.Base(r), diff)
	}
	step("apply again: nothing to do, and no write request")
	gh.ResetRequests()
	if err := cmd("apply"); err != nil {
		return err
	}
	printf("GitHub requests by the second apply: %d, of which writes: %d\n", len(gh.Requests()), gh.Writes())

	step("plan now: nothing to do; it says what waits in which pull request (exit status 0)")
	if err := cmd("plan"); err != nil {
		return err
	}
	step("upcoming: what the person files already decide for the next 14 days")
	if err := cmd("upcoming"); err != nil {
		return err
	}

	step("the pull request is merged: %s is off the recipients, and can still read every secret already encrypted to them", leaver.ID)
	if _, err := devstack.Git(secrets, "merge", "-q", "--no-edit", "prodaccess/sync"); err != nil {
		return err
	}
	markMerged(gh, "alphagov/govuk-secrets", "prodaccess/sync", lead)
	if err := cmd("secrets", "status"); err != nil {
		return err
	}
	if err := demoGrant(repo, gh, today, step, cmd); err != nil {
		return err
	}
	grep := func(pattern string, args ...string) error { return grepOutput(bin, repo, env, pattern, args...) }
	account := func(id string) *fakegithub.User { return gh.Users[strings.ToLower(roster.Person(id).GitHub)] }
	if err := demoRota(repo, gh, loc, account, step, cmd, grep); err != nil {
		return err
	}
	if err := demoAudit(repo, filepath.Join(dir, "access-report.html"), bin, env, gh, step, cmd); err != nil {
		return err
	}
	if _, err := exec.LookPath("gpg"); err != nil {
		printf("%s\n", "(gpg is not installed: the demo stops before re-encrypting)")
		return nil
	}
	runner := entitled[0]
	step("%s, a current recipient, re-encrypts the hieradata with their own gpg: each value is decrypted once and encrypted to exactly today's recipients; the file is named with --widen because people who joined get to read it, which prodaccess never does unasked", runner.ID)
	home, err := demoGnuPG(keys[runner.ID])
	if err != nil {
		return err
	}
	defer os.RemoveAll(home)
	defer exec.Command("gpgconf", "--homedir", home, "--kill", "all").Run()
	env = append(env, "GNUPGHOME="+home)
	if err := cmd("secrets", "reencrypt", "--target", "hieradata", "--push", "--widen", demoHieradata); err != nil {
		return err
	}
	if _, err := devstack.Git(secrets, "merge", "-q", "--no-edit", "prodaccess/reencrypt-hieradata"); err != nil {
		return err
	}
	step("after merging the re-encryption, %s can decrypt none of the current hieradata; the old versions remain in git history, which their key still opens, so only new values end what they knew: the ledger lists the values to rotate", leaver.ID)
	if err := cmd("secrets", "status", "--target", "hieradata"); err != nil {
		return err
	}
	return cmd("secrets", "rotation", "--target", "hieradata", "--person", leaver.ID)
}

// The people of the demo whose entries reach the branch through pull
// requests, and the people repository on the stand-in.
const (
	granted    = "chris-contractor"
	reinstated = "morgan-returned"
	peopleRepo = "alphagov/govuk-people"
)

// newSigningKey makes the ed25519 key that signs the demo's notes: its
// OpenSSH private key text, and its public key as the configuration lists
// it.
func newSigningKey() (private, public string, err error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", err
	}
	block, err := ssh.MarshalPrivateKey(priv, "demo reconcile workflow")
	if err != nil {
		return "", "", err
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		return "", "", err
	}
	return string(pem.EncodeToMemory(block)), strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey()))) + " reconcile@demo", nil
}

func demoConfig(secrets, puppet, aws, records, puppetMaster, signer string) string {
	return fmt.Sprintf(`# The demo's configuration: the shipped prodaccess.yaml with local
# repositories in place of GitHub URLs.
people: people/
people_repo: `+peopleRepo+`
timezone: Europe/London
policy:
  evidence: required
  evidence_signers:
    - %[6]s
safety:
  max_removal_fraction: 0.25
targets:
  - name: hieradata
    type: file
    repo: %[1]s
    github_repo: alphagov/govuk-secrets
    path: puppet_aws/gpg_recipients/production_hiera_gpg.rcp
    format: gpg-recipients
    keep: [%[4]q]
    secrets:
      - {glob: "puppet_aws/hieradata_aws/**/*.yaml", format: eyaml-gpg}
  - name: pass-store
    type: file
    repo: %[1]s
    github_repo: alphagov/govuk-secrets
    path: pass/2ndline/.gpg-id
    format: gpg-id
  - name: github-production
    type: github-team
    org: alphagov
    team: gov-uk-production
    child_teams:
      - team: gov-uk-production-oncall
        reason: the on-call rota, whose members the 2nd line leads choose
  - name: ssh-puppet
    type: file
    repo: %[2]s
    github_repo: alphagov/govuk-puppet
    path: hieradata_aws/common.yaml
    format: yaml-list
    key: users::usernames
  - name: aws-poweruser
    type: file
    repo: %[3]s
    github_repo: alphagov/govuk-aws-data
    path: data/infra-security/production/common.tfvars
    format: tfvars-list
    key: role_poweruser_user_arns
  - name: gcp-storage-admin
    type: manual
    instructions: Grant the "Storage Admin" role in Google Cloud Platform
    record: {repo: %[5]s, github_repo: alphagov/govuk-production-access-records, path: gcp/storage-admin.txt}
    owners: [alphagov/gov-uk-production-admin]
  - name: signon-super-admin
    type: manual
    instructions: Grant "Super Admin" in production Signon
    record: {repo: %[5]s, github_repo: alphagov/govuk-production-access-records, path: signon/super-admin.txt}
    owners: [alphagov/gov-uk-production-admin]
  - name: paas-space-developer
    type: manual
    instructions: Grant "SpaceDeveloper" on every space of govuk_development in GOV.UK PaaS
    record: {repo: %[5]s, github_repo: alphagov/govuk-production-access-records, path: paas/govuk-development-space-developer.txt}
    owners: [alphagov/gov-uk-production-admin]
`, secrets, puppet, aws, puppetMaster, records, signer)
}
