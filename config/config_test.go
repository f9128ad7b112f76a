package config

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/internal/strictyaml"
	"github.com/prodaccess/prodaccess/model"
)

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig("prodaccess.yaml", []byte(`
people: staff/
timezone: America/New_York
policy:
  shadow_shifts_required: 3
  absence_limit_days: 28
  max_temporary_days: 30
safety:
  max_removal_fraction: 0.5
  max_revocation_wait: 36h30m
targets:
  - name: team
    type: github-team
    org: alphagov
    team: gov-uk-production
    keep: [deploy-bot]
    child_teams:
      - {team: gov-uk-production-oncall, reason: the on-call rota}
  - name: recipients
    type: file
    repo: git@github.com:alphagov/govuk-secrets.git
    path: puppet_aws/gpg_recipients/production_hiera_gpg.rcp
    format: gpg-recipients
    keep: ["f00d f00d f00d f00d f00d f00d f00d f00d f00d f00d"]
    levels: [permanent]
  - name: users
    type: file
    repo: /srv/git/puppet
    github_repo: alphagov/govuk-puppet
    branch: production
    path: hieradata/common.yaml
    format: yaml-list
    key: users::usernames
  - name: signon
    type: manual
    instructions: Grant Super Admin in Signon
  - name: paas
    type: manual
    instructions: Grant SpaceDeveloper
    record:
      repo: https://github.com/alphagov/access-records.git
      path: paas/space-developers.txt
    owners: [alphagov/paas-admins, lee-lead]
    keep: [break-glass@example.gov.uk]
`[1:]))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Location.String() != "America/New_York" || cfg.People != "staff/" {
		t.Errorf("timezone %s, people %s", cfg.Location, cfg.People)
	}
	wantPolicy := model.DefaultPolicy()
	wantPolicy.ShadowShiftsRequired, wantPolicy.AbsenceLimitDays, wantPolicy.MaxTemporaryDays = 3, 28, 30
	if diff := cmp.Diff(wantPolicy, cfg.Policy); diff != "" {
		t.Errorf("policy (-want +got):\n%s", diff)
	}
	if cfg.Safety.MaxRemovalFraction != 0.5 || cfg.Safety.MaxRevocationWait != 36*time.Hour+30*time.Minute {
		t.Errorf("max_removal_fraction %v, max_revocation_wait %v", cfg.Safety.MaxRemovalFraction, cfg.Safety.MaxRevocationWait)
	}
	want := []Target{
		{Name: "team", Type: model.GitHubTeam, Org: "alphagov", Team: "gov-uk-production", Branch: "main",
			Keep: []string{"deploy-bot"}, ChildTeams: []ChildTeam{{Team: "gov-uk-production-oncall", Reason: "the on-call rota"}}, Levels: model.AccessLevels, Pos: model.Pos{Line: 11, Col: 5}},
		{Name: "recipients", Type: model.FileTarget, Repo: "git@github.com:alphagov/govuk-secrets.git", GitHubRepo: "alphagov/govuk-secrets",
			Branch: "main", Path: "puppet_aws/gpg_recipients/production_hiera_gpg.rcp", Format: GPGRecipients,
			Keep: []string{"F00DF00DF00DF00DF00DF00DF00DF00DF00DF00D"}, Levels: []model.Level{model.Permanent}, Pos: model.Pos{Line: 18, Col: 5}},
		{Name: "users", Type: model.FileTarget, Repo: "/srv/git/puppet", GitHubRepo: "alphagov/govuk-puppet", Branch: "production",
			Path: "hieradata/common.yaml", Format: YAMLList, Key: "users::usernames", Levels: model.AccessLevels, Pos: model.Pos{Line: 25, Col: 5}},
		{Name: "signon", Type: model.Manual, Branch: "main", Instructions: "Grant Super Admin in Signon", Levels: model.AccessLevels, Pos: model.Pos{Line: 33, Col: 5}},
		{Name: "paas", Type: model.Manual, Branch: "main", Instructions: "Grant SpaceDeveloper", Levels: model.AccessLevels, Pos: model.Pos{Line: 36, Col: 5},
			Record: &Record{Repo: "https://github.com/alphagov/access-records.git", GitHubRepo: "alphagov/access-records", Branch: "main", Path: "paas/space-developers.txt"},
			Owners: []string{"alphagov/paas-admins", "lee-lead"}, Keep: []string{"break-glass@example.gov.uk"}},
	}
	if diff := cmp.Diff(want, cfg.Targets); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}
}

func TestParseConfigDefaults(t *testing.T) {
	cfg, err := ParseConfig("prodaccess.yaml", []byte("targets: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(model.DefaultPolicy(), cfg.Policy); diff != "" {
		t.Errorf("policy (-want +got):\n%s", diff)
	}
	if cfg.Timezone != "Europe/London" || cfg.People != "people" || cfg.Safety.MaxRemovalFraction != 0.25 || cfg.Safety.MaxRevocationWait != 48*time.Hour {
		t.Errorf("defaults: %q %q %v %v", cfg.Timezone, cfg.People, cfg.Safety.MaxRemovalFraction, cfg.Safety.MaxRevocationWait)
	}
}

func TestParseConfigProblems(t *testing.T) {
	tests := []struct {
		name, config string
		want         []string
	}{
		{"git credentials for GitHub, or its token", "git_credentials:\n  - {host: GitHub.com, username_env: U, password_env: P}\n  - {host: git.example.org, username_env: U, password_env: GITHUB_TOKEN}\n",
			[]string{
				`prodaccess.yaml:2:12: git_credentials[0].host: github.com gets GITHUB_TOKEN; list only other hosts here`,
				`prodaccess.yaml:3:60: git_credentials[1].password_env: GITHUB_TOKEN goes only to GitHub; give this host a credential of its own`,
			}},
		{"git credentials twice, or not a host", "git_credentials:\n  - {host: git.example.org, username_env: U, password_env: P}\n  - {host: GIT.example.org:443, username_env: U, password_env: P}\n  - {host: \"https://x\", username_env: U, password_env: P}\n",
			[]string{
				`prodaccess.yaml:3:5: git_credentials[1].host: host git.example.org:443 is already listed at line 2`,
				`prodaccess.yaml:4:12: git_credentials[2].host: "https://x" is not a host name, with :port if not 443 (such as git.example.org)`,
			}},
		{"target file where prodaccess keeps descriptions", "targets:\n  - {name: r, type: file, repo: r, path: .prodaccess/sync.md, format: gpg-id}\n",
			[]string{`prodaccess.yaml:2:42: targets[0].path: .prodaccess/ is where prodaccess keeps the whole description of a pull request too long for GitHub; keep the file elsewhere`}},
		{"people branch under refs/", "people_branch: refs/heads/main\n",
			[]string{`prodaccess.yaml:1:16: people_branch: "refs/heads/main" is not a branch name: give the name without refs/ or refs/heads/`}},
		{"target branch git refuses", "targets:\n  - {name: r, type: file, repo: r, path: p, format: gpg-id, branch: \"main..x\"}\n",
			[]string{`prodaccess.yaml:2:69: targets[0].branch: "main..x" is not a branch name: it holds ..`}},
		{"text too long", "targets:\n  - {name: m, type: manual, instructions: " + strings.Repeat("x", 1001) + "}\n",
			[]string{`prodaccess.yaml:2:43: targets[0].instructions: is 1001 characters long; at most 1000 are allowed`}},
		{"unknown time zone", "timezone: Europe/Londn\n",
			[]string{`prodaccess.yaml:1:11: timezone: unknown time zone "Europe/Londn"; use an IANA name such as Europe/London`}},
		{"unknown policy field", "policy:\n  shadow_shifts: 2\n",
			[]string{`prodaccess.yaml:2:3: policy: unknown field "shadow_shifts"`}},
		{"policy out of range", "policy:\n  absence_limit_days: 0\n",
			[]string{`prodaccess.yaml:2:23: policy.absence_limit_days: 0 is out of range: it must be from 1 to 3660`}},
		{"policy quoted number", "policy:\n  max_temporary_days: \"90\"\n",
			[]string{`prodaccess.yaml:2:23: policy.max_temporary_days: expected a whole number written in decimal digits without quotes, found "90"`}},
		{"a signer that is not a key", "policy:\n  evidence_signers: [\"ssh-ed25519 not-base64 me\"]\n",
			[]string{`prodaccess.yaml:2:22: policy.evidence_signers[0]: not an SSH public key in the authorized_keys form ("ssh-ed25519 AAAA... comment")`}},
		{"a signer with options", "policy:\n  evidence_signers: [\"no-pty " + testSigner + "\"]\n",
			[]string{`prodaccess.yaml:2:22: policy.evidence_signers[0]: an authorized_keys line with options; give the key alone ("ssh-ed25519 AAAA... comment")`}},
		{"a signer listed twice", "policy:\n  evidence_signers:\n    - \"" + testSigner + "\"\n    - \"" + testSigner + " again\"\n",
			[]string{`prodaccess.yaml:4:7: policy.evidence_signers[1]: this key is already listed at line 3`}},
		{"fraction above one", "safety:\n  max_removal_fraction: 25\n",
			[]string{`prodaccess.yaml:2:25: safety.max_removal_fraction: expected a fraction from 0 to 1 such as 0.25, found "25"`}},
		{"target without type fields", "targets:\n  - name: team\n    type: github-team\n",
			[]string{
				`prodaccess.yaml:2:5: targets[0]: missing required field "org" for a github-team target`,
				`prodaccess.yaml:2:5: targets[0]: missing required field "team" for a github-team target`,
			}},
		{"field of another target type", "targets:\n  - name: signon\n    type: manual\n    instructions: Grant it\n    repo: x\n",
			[]string{`prodaccess.yaml:5:11: targets[0].repo: not used by manual targets`}},
		{"yaml-list without key", "targets:\n  - {name: ssh, type: file, repo: r, path: p.yaml, format: yaml-list}\n",
			[]string{`prodaccess.yaml:2:5: targets[0]: missing required field "key": a yaml-list target needs the key that holds the list`}},
		{"unknown format", "targets:\n  - {name: ssh, type: file, repo: r, path: p, format: csv}\n",
			[]string{`prodaccess.yaml:2:55: targets[0].format: unknown value "csv"; expected one of gpg-recipients, gpg-id, yaml-list, tfvars-list`}},
		{"duplicate target name", "targets:\n  - {name: m, type: manual, instructions: a}\n  - {name: m, type: manual, instructions: b}\n",
			[]string{`prodaccess.yaml:3:5: targets[1].name: target "m" is already declared at line 2`}},
		{"keep fingerprint too short", "targets:\n  - {name: r, type: file, repo: r, path: p, format: gpg-id, keep: [\"ABCDEF0123456789\"]}\n",
			[]string{`prodaccess.yaml:2:68: targets[0].keep[0]: "ABCDEF0123456789" is a short key id, which can be forged; give the full 40-digit fingerprint`}},
		{"path outside the repository", "targets:\n  - {name: r, type: file, repo: r, path: ../etc/x, format: gpg-id}\n",
			[]string{`prodaccess.yaml:2:42: targets[0].path: "../etc/x" must be a path inside the repository`}},
		{"level none", "targets:\n  - {name: m, type: manual, instructions: a, levels: [none]}\n",
			[]string{`prodaccess.yaml:2:55: targets[0].levels[0]: unknown value "none"; expected one of temporary_supervised, supervised, permanent`}},
		{"empty levels", "targets:\n  - {name: m, type: manual, instructions: a, levels: []}\n",
			[]string{`prodaccess.yaml:2:54: targets[0].levels: lists no level; remove the field to include all three`}},
		{"github_repo that climbs out", "targets:\n  - {name: r, type: file, repo: r, path: p, format: gpg-id, github_repo: alphagov/..}\n",
			[]string{`prodaccess.yaml:2:74: targets[0].github_repo: "alphagov/.." is not a GitHub owner/name: the owner is a GitHub login, the name letters, digits, '.', '-' and '_' (and not . or ..)`}},
		{"github_repo of a dot", "targets:\n  - {name: r, type: file, repo: r, path: p, format: gpg-id, github_repo: alphagov/.}\n",
			[]string{`prodaccess.yaml:2:74: targets[0].github_repo: "alphagov/." is not a GitHub owner/name: the owner is a GitHub login, the name letters, digits, '.', '-' and '_' (and not . or ..)`}},
		{"github_repo with a bad owner", "targets:\n  - {name: r, type: file, repo: r, path: p, format: gpg-id, github_repo: -alphagov/x}\n",
			[]string{`prodaccess.yaml:2:74: targets[0].github_repo: "-alphagov/x" is not a GitHub owner/name: the owner is a GitHub login, the name letters, digits, '.', '-' and '_' (and not . or ..)`}},
		{"github_repo with three parts", "targets:\n  - {name: r, type: file, repo: r, path: p, format: gpg-id, github_repo: a/b/c}\n",
			[]string{`prodaccess.yaml:2:74: targets[0].github_repo: "a/b/c" is not a GitHub owner/name: the owner is a GitHub login, the name letters, digits, '.', '-' and '_' (and not . or ..)`}},
		{"a GitHub URL that climbs out", "targets:\n  - {name: r, type: file, repo: \"https://github.com/alphagov/..\", path: p, format: gpg-id}\n",
			[]string{`prodaccess.yaml:2:33: targets[0].repo: "https://github.com/alphagov/.." does not name a GitHub repository that pull requests can be opened in ("alphagov/.." is not owner/name)`}},
		{"child_teams on a file target", "targets:\n  - {name: r, type: file, repo: r, path: p, format: gpg-id, child_teams: []}\n",
			[]string{`prodaccess.yaml:2:74: targets[0].child_teams: not used by file targets`}},
		{"child team problems", `targets:
  - name: t
    type: github-team
    org: alphagov
    team: prod
    child_teams:
      - oncall
      - {team: oncall}
      - {team: oncall, reason: ""}
      - {team: "../admin", reason: why}
      - {team: prod, reason: why}
      - {team: on-call, reason: the rota}
      - {team: ON-CALL, reason: again}
      - {team: x, reason: why, extra: z}
`,
			[]string{
				`prodaccess.yaml:7:9: targets[0].child_teams[0]: expected a child team (a mapping of fields), found the value "oncall"`,
				`prodaccess.yaml:8:9: targets[0].child_teams[1]: missing required field "reason"`,
				`prodaccess.yaml:9:32: targets[0].child_teams[2].reason: the value is blank`,
				`prodaccess.yaml:10:16: targets[0].child_teams[3].team: "../admin" is not a GitHub team slug`,
				`prodaccess.yaml:11:16: targets[0].child_teams[4].team: "prod" is the target's own team, not a child team`,
				`prodaccess.yaml:13:16: targets[0].child_teams[6].team: child team "ON-CALL" is listed twice`,
				`prodaccess.yaml:14:32: targets[0].child_teams[7]: unknown field "extra"`,
			}},
		{"revocation wait in days", "safety:\n  max_revocation_wait: 2d\n",
			[]string{`prodaccess.yaml:2:24: safety.max_revocation_wait: expected a duration in hours and minutes such as 48h or 36h30m, found "2d"`}},
		{"revocation wait too short", "safety:\n  max_revocation_wait: 30m\n",
			[]string{`prodaccess.yaml:2:24: safety.max_revocation_wait: 30m is out of range: it must be from 1h to 2160h`}},
		{"record without path", "targets:\n  - name: m\n    type: manual\n    instructions: a\n    record: {repo: r}\n",
			[]string{`prodaccess.yaml:5:13: targets[0].record: missing required field "path"`}},
		{"record of another format", "targets:\n  - name: m\n    type: manual\n    instructions: a\n    record: {repo: r, path: p, format: yaml-list}\n",
			[]string{`prodaccess.yaml:5:40: targets[0].record.format: unknown value "yaml-list"; expected one of lines`}},
		{"record outside the repository", "targets:\n  - name: m\n    type: manual\n    instructions: a\n    record: {repo: r, path: /etc/x}\n",
			[]string{`prodaccess.yaml:5:29: targets[0].record.path: "/etc/x" must be a path inside the repository`}},
		{"owners without a record", "targets:\n  - name: m\n    type: manual\n    instructions: a\n    owners: [alex]\n    keep: [a@example.gov.uk]\n",
			[]string{
				`prodaccess.yaml:5:5: targets[0].owners: given without record; give record too`,
				`prodaccess.yaml:6:11: targets[0].keep: keep entries stay in a record; give the target a record, or remove keep`,
			}},
		{"owners of a record not on GitHub", "targets:\n  - name: m\n    type: manual\n    instructions: a\n    record: {repo: /srv/records, path: p}\n    owners: [alex]\n",
			[]string{`prodaccess.yaml:6:13: targets[0].owners: owners are asked to review pull requests on GitHub, and the record's repository is not on GitHub: give record.github_repo`}},
		{"owners from another organisation", "targets:\n  - name: m\n    type: manual\n    instructions: a\n    record: {repo: r, github_repo: o/r, path: p}\n    owners: [other/team]\n",
			[]string{`prodaccess.yaml:6:14: targets[0].owners[0]: GitHub asks only teams of o to review pull requests in o/r; other/team is a team of other`}},
		{"owners that are neither logins nor teams", "targets:\n  - name: m\n    type: manual\n    instructions: a\n    record: {repo: r, github_repo: o/r, path: p}\n    owners: [\"-x\", \"o/t/u\", alex, Alex]\n",
			[]string{
				`prodaccess.yaml:6:14: targets[0].owners[0]: "-x" is not a GitHub login, nor a team written as org/team`,
				`prodaccess.yaml:6:20: targets[0].owners[1]: "o/t/u" is not a GitHub team written as org/team`,
				`prodaccess.yaml:6:35: targets[0].owners[3]: Alex is listed twice`,
			}},
		{"unknown shift evidence", "policy:\n  shift_evidence: strict\n",
			[]string{`prodaccess.yaml:2:19: policy.shift_evidence: unknown value "strict"; expected one of required, warn, off`}},
		{"rota without schedules", "rota:\n  match: email\n",
			[]string{`prodaccess.yaml:2:3: rota: missing required field "schedules"`}},
		{"rota with an empty list", "rota:\n  schedules: []\n",
			[]string{`prodaccess.yaml:2:14: rota.schedules: lists no schedule; name at least one, or remove the rota section`}},
		{"rota schedule problems", `rota:
  schedules:
    - {id: PABC123, shift: primary}
    - {id: PABC123, shift: shadow}
    - {id: "P/../x", shift: primary}
    - {id: PDEF456, shift: tertiary}
    - {id: PGHI789}
    - PJKL012
  match: github
  since: 2026-13-01
  retention_days: 0
`,
			[]string{
				`prodaccess.yaml:4:7: rota.schedules[1].id: schedule PABC123 is already listed at line 3`,
				`prodaccess.yaml:5:12: rota.schedules[2].id: "P/../x" is not a PagerDuty schedule id (letters, digits, _ and -)`,
				`prodaccess.yaml:6:28: rota.schedules[3].shift: unknown value "tertiary"; expected one of shadow, primary, secondary`,
				`prodaccess.yaml:7:7: rota.schedules[4]: missing required field "shift"`,
				`prodaccess.yaml:8:7: rota.schedules[5]: expected a schedule (id and shift) (a mapping of fields), found the value "PJKL012"`,
				`prodaccess.yaml:9:10: rota.match: unknown value "github"; expected one of email, pagerduty_id`,
				`prodaccess.yaml:10:10: rota.since: 2026-13-01 is not a day of the calendar`,
				`prodaccess.yaml:11:19: rota.retention_days: 0 is out of range: it must be from 1 to 3660`,
			}},
		{"two documents", "people: people\n---\npeople: other\n",
			[]string{`prodaccess.yaml:2:1: a second YAML document starts here; the file must hold exactly one`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig("prodaccess.yaml", []byte(tt.config))
			if err == nil {
				t.Fatal("no error")
			}
			if diff := cmp.Diff(strings.Join(tt.want, "\n"), err.Error()); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://github.com/alphagov/govuk-secrets.git", "https://github.com/alphagov/govuk-secrets.git"},
		{"https://x-access-token:ghp_abc@github.com/alphagov/x.git", "https://github.com/alphagov/x.git"},
		{"https://ghp_abc@github.com/alphagov/x.git", "https://github.com/alphagov/x.git"},
		{"http://user:p%zzass@host/x.git", "http://host/x.git"},
		{"git@github.com:alphagov/x.git", "git@github.com:alphagov/x.git"},
		{"ssh://git@github.com/alphagov/x.git", "ssh://git@github.com/alphagov/x.git"},
		{"ssh://git:secret@github.com/alphagov/x.git", "ssh://github.com/alphagov/x.git"},
		{"../secrets", "../secrets"},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// testSigner is an ed25519 public key.
const testSigner = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl reconcile@example"

func TestEvidenceSigners(t *testing.T) {
	c, err := ParseConfig("prodaccess.yaml", []byte("policy:\n  evidence_signers:\n    - "+testSigner+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{testSigner}, c.Policy.EvidenceSigners); diff != "" {
		t.Errorf("signers (-want +got):\n%s", diff)
	}
}

func TestRota(t *testing.T) {
	c, err := ParseConfig("prodaccess.yaml", []byte(`policy:
  shift_evidence: required
rota:
  schedules:
    - id: PABC123
      shift: primary
    - {id: PDEF456, shift: shadow}
  match: pagerduty_id
  since: 2026-06-01
  retention_days: 400
`))
	if err != nil {
		t.Fatal(err)
	}
	since := model.DayFromDate(2026, 6, 1)
	want := model.Rota{Schedules: []model.RotaSchedule{{ID: "PABC123", Shift: model.Primary}, {ID: "PDEF456", Shift: model.Shadow}},
		Match: model.MatchPagerDutyID, Since: &since, RetentionDays: 400}
	if diff := cmp.Diff(want, c.Policy.Rota); diff != "" {
		t.Errorf("rota (-want +got):\n%s", diff)
	}
	if c.Policy.ShiftEvidence != model.EvidenceRequired || !c.Policy.ChecksShifts() {
		t.Errorf("shift_evidence %q, checks shifts %t", c.Policy.ShiftEvidence, c.Policy.ChecksShifts())
	}
	// Without a rota, warn checks nothing: there is nothing to check
	// against.
	c, err = ParseConfig("prodaccess.yaml", []byte("people: people\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Policy.ChecksShifts() {
		t.Error("the default policy with no rota checks shifts")
	}
}

// TestLazyPatternsCompile compiles every pattern the package compiles only
// when first used, so that one that does not compile fails here rather
// than in a run that first reads such a value.
func TestLazyPatternsCompile(t *testing.T) {
	for _, p := range []strictyaml.Pattern{githubRepoName, ownerNamePattern, ownerPattern, pagerDutyID} {
		p.MatchString("x")
	}
	if m := githubURL().FindStringSubmatch("https://github.com/alphagov/people.git"); len(m) != 2 || m[1] != "alphagov/people" {
		t.Errorf("githubURL of https://github.com/alphagov/people.git: %q", m)
	}
}
