package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/prodaccess/prodaccess/internal/devstack"
	"github.com/prodaccess/prodaccess/internal/fakegithub"
	"github.com/prodaccess/prodaccess/internal/testkeys"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/personfile"
)

// runAdopt is the demo of adopting prodaccess (make demo-adopt, and the
// walk-through of docs/adopting.md): the example people hold their access
// the old way, in the targets alone, with a CI bot in the team, a key
// nobody holds in the Pass store, and a recipients comment that names the
// wrong person. The configuration and the lead's file are committed;
// adopt writes everyone else's file in one pull request, the lead
// approves it, and the first plan adds nobody.
func runAdopt(bin, peopleDir string, keep bool) error {
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "prodaccess-adopt-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Printf("(keeping %s)\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	loc, _ := time.LoadLocation("Europe/London")
	today := model.DayOf(time.Now(), loc)
	ppl, err := personfile.LoadPeople(os.DirFS(peopleDir), "people")
	if err != nil {
		return err
	}
	roster := model.NewRoster(ppl, model.DefaultPolicy())
	var holders []*model.Person
	for _, dc := range roster.Evaluate(today) {
		if dc.Level != model.None {
			holders = append(holders, dc.Person)
		}
	}

	// Everyone's key, made the same on every run; the puppet master's;
	// and a key nobody holds any more.
	keys := map[string]*testkeys.Key{}
	for _, p := range append(holders, roster.Person("hannah-head")) {
		if keys[p.ID], err = testkeys.NewFixed(p.Name, p.Email); err != nil {
			return err
		}
	}
	master, err := testkeys.NewFixed("puppet master", "puppet@example.gov.uk")
	if err != nil {
		return err
	}
	gone, err := testkeys.NewFixed("Former Contractor", "former.contractor@example.gov.uk")
	if err != nil {
		return err
	}

	// GitHub: the team holds everyone, and the CI bot.
	gh := fakegithub.NewUnchecked("alphagov")
	defer gh.Close()
	gh.Token = "demo-token-not-secret"
	gh.RulesetWriter = true
	gh.AddTeam("gov-uk-production", "")
	for i, p := range roster.People {
		u := gh.AddUser(p.GitHub, p.GitHubID, true)
		u.Name = p.Name
		if i%2 == 0 {
			u.Email = p.Email // half show their email on their profile
		}
	}
	for _, p := range holders {
		gh.SetMember("gov-uk-production", p.GitHub, "member")
	}
	bot := gh.AddUser("govuk-ci-bot", 1000999, true)
	bot.Name = "GOV.UK CI"
	gh.SetMember("gov-uk-production", "govuk-ci-bot", "member")

	// The target repositories. One comment is wrong: it names Alex on
	// Sam's key, whose user id says it is Sam's.
	var rcp, gpgID, users, arns, holdersLines []string
	secretFiles := map[string]string{}
	for _, p := range holders {
		comment := p.Name + " <" + p.Email + ">"
		if p.ID == "sam-senior" {
			comment = "Alex Lead"
			secretFiles["gpg_public_keys/"+p.SSHUsername+".asc"] = string(keys[p.ID].Public())
		}
		rcp = append(rcp, keys[p.ID].Fingerprint+" # "+comment)
		gpgID = append(gpgID, keys[p.ID].Fingerprint)
		if p.SSHUsername != "" {
			users = append(users, "  - "+p.SSHUsername)
		}
		if p.AWSUserARN != "" {
			arns = append(arns, fmt.Sprintf("  %q,", p.AWSUserARN))
		}
		holdersLines = append(holdersLines, fmt.Sprintf("%s  # %s", p.Email, p.Name))
	}
	gpgID = append(gpgID, gone.Fingerprint)
	secretFiles["puppet_aws/gpg_recipients/production_hiera_gpg.rcp"] = "# Recipients of production hieradata\n" + master.Fingerprint + " # puppet master\n" + strings.Join(rcp, "\n") + "\n"
	secretFiles["pass/2ndline/.gpg-id"] = strings.Join(gpgID, "\n") + "\n"
	secrets, puppet, aws, records := filepath.Join(dir, "govuk-secrets"), filepath.Join(dir, "govuk-puppet"), filepath.Join(dir, "govuk-aws-data"), filepath.Join(dir, "govuk-production-access-records")
	recordFiles := map[string]string{}
	for _, f := range []string{"gcp/storage-admin.txt", "signon/super-admin.txt", "paas/govuk-development-space-developer.txt"} {
		recordFiles[f] = "# Who holds this access, one email a line.\n" + strings.Join(holdersLines, "\n") + "\n"
	}
	for _, r := range []struct {
		dir   string
		files map[string]string
	}{
		{secrets, secretFiles},
		{puppet, map[string]string{"hieradata_aws/common.yaml": "---\nusers::usernames:\n" + strings.Join(users, "\n") + "\n"}},
		{aws, map[string]string{"data/infra-security/production/common.tfvars": "role_poweruser_user_arns = [\n" + strings.Join(arns, "\n") + "\n]\n"}},
		{records, recordFiles},
	} {
		if err := devstack.NewRepo(r.dir, r.files); err != nil {
			return err
		}
	}

	// The people repository: the configuration, adopted today, and the
	// files of the two who approve, written by hand with what is known
	// of them.
	signingKey, signer, err := newSigningKey()
	if err != nil {
		return err
	}
	cfg := strings.Replace(demoConfig(secrets, puppet, aws, records, master.Fingerprint, signer), "  evidence: required\n", "  evidence: required\n  adopted_on: "+today.String()+"\n", 1)
	files := map[string]string{"prodaccess.yaml": cfg}
	for _, id := range []string{"alex-lead", "hannah-head"} {
		b, err := os.ReadFile(filepath.Join(peopleDir, id+".yaml"))
		if err != nil {
			return err
		}
		files["people/"+id+".yaml"] = string(fingerprintLine.ReplaceAll(b, []byte(fmt.Sprintf("gpg_fingerprint: %q", keys[id].Fingerprint))))
	}
	repo, origin := filepath.Join(dir, "govuk-people"), filepath.Join(dir, "govuk-people-origin.git")
	if err := devstack.NewRepo(repo, nil); err != nil {
		return err
	}
	if err := devstack.CommitAt(repo, files, "Adopt prodaccess: the configuration and the leads", time.Now().Add(-2*time.Hour)); err != nil {
		return err
	}
	for _, args := range [][]string{
		{"init", "-q", "--bare", "-b", "main", origin},
		{"-C", repo, "remote", "add", "origin", origin},
		{"-C", repo, "push", "-q", "origin", "main"},
	} {
		if _, err := devstack.Git(repo, args...); err != nil {
			return err
		}
	}
	gh.SetRepoDir(peopleRepo, repo)
	gh.SetRules(peopleRepo, "main", []fakegithub.RuleInForce{{Type: "pull_request", RulesetID: 1, Parameters: map[string]any{
		"required_approving_review_count": 1, "require_code_owner_review": true, "require_last_push_approval": true, "dismiss_stale_reviews_on_push": true}}},
		fakegithub.Ruleset{ID: 1, Name: "people"})

	env := append(os.Environ(), "GITHUB_API_URL="+gh.URL(), "GITHUB_TOKEN="+gh.Token, "PRODACCESS_SIGNING_KEY="+signingKey,
		"PRODACCESS_GITHUB_LOGIN=prodaccess[bot]") // an App's token, as the workflows run it
	cmd := func(args ...string) error {
		fmt.Printf("\n$ prodaccess %s\n", strings.Join(args, " "))
		c := exec.Command(bin, args...)
		c.Dir, c.Env, c.Stdout, c.Stderr = repo, env, os.Stdout, os.Stdout
		err := c.Run()
		if ee, ok := err.(*exec.ExitError); ok {
			fmt.Printf("(exit status %d)\n", ee.ExitCode())
			return nil
		}
		return err
	}
	steps := 0
	step := func(format string, args ...any) {
		steps++
		fmt.Printf("\n\033[1m%d. "+format+"\033[0m\n", append([]any{steps}, args...)...)
	}
	fmt.Printf("\033[1mprodaccess adopt demo, %s: the example people hold their access the old way, and only alex-lead's and hannah-head's files exist\033[0m\n", today)
	adopt := []string{"adopt", "--approver", "alex-lead", "--programme", "govuk", "--role", "developer", "--employment", "civil_servant", "--clearance", "bpss"}

	step("adopt --dry-run: who is who across the targets, and the files it would write")
	if err := cmd(append(adopt[:1:1], append([]string{"--dry-run"}, adopt[1:]...)...)...); err != nil {
		return err
	}
	step("adopt: the files on a branch, and a pull request that asks alex-lead to review it")
	if err := cmd(adopt...); err != nil {
		return err
	}
	prs := gh.OpenPulls(peopleRepo)
	if len(prs) != 1 {
		return fmt.Errorf("adopt opened %d pull requests", len(prs))
	}
	fmt.Printf("\npull request %s#%d: %s (review requested from %s)\n\n%s\n", peopleRepo, prs[0].Number, prs[0].Title, strings.Join(prs[0].RequestedReviewers, ", "), prs[0].Body)

	step("alex-lead approves the pull request, someone merges it, and the CI bot's keep entry is added")
	lead := gh.Users["alexlead-gds"]
	merged := time.Now().Add(-10 * time.Minute)
	if _, err := devstack.Git(repo, "fetch", "-q", "origin", prs[0].Head+":"+prs[0].Head); err != nil {
		return err
	}
	pr, err := devstack.MergeOpen(repo, gh, peopleRepo, prs[0].Number, nil, lead, merged)
	if err != nil {
		return err
	}
	gh.AddReview(peopleRepo, pr.Number, fakegithub.Review{User: lead, State: "APPROVED", CommitID: pr.Commits[len(pr.Commits)-1].SHA, SubmittedAt: merged.Add(-time.Minute)})
	cfg = strings.Replace(cfg, "    team: gov-uk-production\n", "    team: gov-uk-production\n    keep: [govuk-ci-bot]   # GOV.UK CI, as adopt proposed\n", 1)
	if err := devstack.Commit(repo, map[string]string{"prodaccess.yaml": cfg}, "Keep the CI bot in the production team"); err != nil {
		return err
	}
	if _, err := devstack.Git(repo, "push", "-q", "origin", "main"); err != nil {
		return err
	}
	if err := cmd("validate"); err != nil {
		return err
	}
	step("the first plan after adoption: nobody added, and only the key nobody holds removed")
	if err := cmd("plan"); err != nil {
		return err
	}
	step("apply, which records the approval as signed evidence; the access review lists everyone resting on access held before adoption")
	if err := cmd("apply"); err != nil {
		return err
	}
	if err := cmd("audit", "review"); err != nil {
		return err
	}
	step("adopt again: nothing to write")
	return cmd(adopt...)
}
