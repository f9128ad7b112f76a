package config

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
	"golang.org/x/crypto/ssh"

	"github.com/prodaccess/prodaccess/internal/strictyaml"
	"github.com/prodaccess/prodaccess/model"
)

// Safety holds the limits checked before any change is applied.
type Safety struct {
	MaxRemovalFraction float64 // refuse a plan that removes more than this share of a target's members
	// ManualWindowDays is how many days a change to a manual target stays
	// listed after the day it happens (default 7), so that a run that
	// fails on that day does not lose it.
	ManualWindowDays int
	// MaxRevocationWait is how long a revocation may wait in an open pull
	// request before plan and apply fail (default 48 hours).
	MaxRevocationWait time.Duration
}

// FileFormat is the layout of a file target.
type FileFormat string

// File formats.
const (
	GPGRecipients FileFormat = "gpg-recipients" // "<FINGERPRINT> # Name" lines
	GPGID         FileFormat = "gpg-id"         // one fingerprint a line, as pass's .gpg-id
	YAMLList      FileFormat = "yaml-list"      // a list under a key in a YAML file
	TFVarsList    FileFormat = "tfvars-list"    // a Terraform variable holding a list of strings
	Lines         FileFormat = "lines"          // one identity a line: the record of a manual target
)

// Record is where a manual target's record is kept: a lines file in a git
// repository that says who holds the access. prodaccess changes it through
// a pull request, which is the ticket for the work done by hand.
type Record struct {
	Repo       string // a git URL or a local path
	GitHubRepo string // owner/name where pull requests are opened; may be empty
	Branch     string // the base branch
	Path       string // the file inside the repository
}

// Target is one system that production access means.
type Target struct {
	Name string
	Type model.TargetType

	Org, Team string // github-team

	Repo       string // file: a git URL or a local path
	GitHubRepo string // file: owner/name where pull requests are opened; may be empty
	Branch     string // file: the base branch
	Path       string // file: the file inside the repository
	Format     FileFormat
	Key        string // yaml-list and tfvars-list: where the list is

	Instructions string // manual
	// Record, for a manual target, is the file that records who holds the
	// access; nil: what the target holds is worked out from the person
	// files of the last days (the weaker mode, see reconciler.ManualHeld).
	Record *Record
	// Owners are asked to review the record's pull requests: GitHub
	// logins, and teams as org/team.
	Owners []string

	Keep   []string      // entries that are not people and always stay
	Levels []model.Level // the levels the target includes

	// Secrets are where a GPG target's encrypted secrets are (see
	// SecretGlobs for the default).
	Secrets []SecretGlob
	// SubStores say who may be in the sub-stores of a gpg-id target.
	SubStores []SubStore

	// ChildTeams are the child teams (github-team) whose members may hold
	// the team's access without being entitled to it. A member through any
	// other child team who is not entitled is an error.
	ChildTeams []ChildTeam

	Pos model.Pos
}

// ChildTeam is a child team whose members may keep the parent team's
// access, and why.
type ChildTeam struct {
	Team   string // the child team's slug
	Reason string
}

// ListedChildTeam returns the child_teams entry for the team slug, or nil.
func (t *Target) ListedChildTeam(slug string) *ChildTeam {
	for i := range t.ChildTeams {
		if strings.EqualFold(t.ChildTeams[i].Team, slug) {
			return &t.ChildTeams[i]
		}
	}
	return nil
}

// Includes reports whether the target gives access at level l.
func (t *Target) Includes(l model.Level) bool { return slices.Contains(t.Levels, l) }

// Identity is what the target writes for a person: a login, a fingerprint,
// a username, an ARN or an email address. It is empty when the person's
// file does not give it.
func (t *Target) Identity(p *model.Person) string {
	switch {
	case t.Type == model.GitHubTeam:
		return p.GitHub
	case t.Type == model.Manual:
		return p.Email
	case t.Format == GPGRecipients || t.Format == GPGID:
		return p.GPGFingerprint
	case t.Format == YAMLList:
		return p.SSHUsername
	case t.Format == TFVarsList:
		return p.AWSUserARN
	}
	return ""
}

// IdentityField names the person-file field that Identity reads.
func (t *Target) IdentityField() string {
	switch {
	case t.Type == model.GitHubTeam:
		return "github"
	case t.Type == model.Manual:
		return "email"
	case t.Format == GPGRecipients || t.Format == GPGID:
		return "gpg_fingerprint"
	case t.Format == YAMLList:
		return "ssh_username"
	case t.Format == TFVarsList:
		return "aws_user_arn"
	}
	return ""
}

// Config is prodaccess.yaml.
type Config struct {
	File   string // where it was read from, for messages
	People string // the people folder, relative to the config file's folder
	Keys   string // the folder of public keys (<id>.asc), relative to the config file's folder
	// PeopleRepo is the people repository on GitHub (owner/name), where
	// the evidence of approvals is looked up; empty: taken from the
	// repository's origin when that is on GitHub.
	PeopleRepo string
	// PeopleBranch is the branch of the people repository that pull
	// requests are merged into (default main).
	PeopleBranch string
	Timezone     string
	Location     *time.Location
	Policy       model.Policy
	Safety       Safety
	Secrets      SecretsSettings
	Targets      []Target
	Audit        Audit
	// GitCredentials are the credentials of git hosts other than
	// GitHub's; any other host gets none.
	GitCredentials []GitCredential
}

// DefaultConfig is the configuration used when there is no config file: the
// written rules, London time and no targets.
func DefaultConfig() *Config {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic("the time zone database has no Europe/London: " + err.Error())
	}
	return &Config{
		People:       "people",
		Keys:         "keys",
		PeopleBranch: "main",
		Timezone:     "Europe/London",
		Location:     loc,
		Policy:       model.DefaultPolicy(),
		Safety:       Safety{MaxRemovalFraction: 0.25, ManualWindowDays: 7, MaxRevocationWait: 48 * time.Hour},
		Secrets:      SecretsSettings{MaxPlaintextBytes: DefaultMaxPlaintextBytes, RotateWithinDays: DefaultRotateWithinDays},
		Audit:        DefaultAudit(),
	}
}

// Target returns the target with the given name, or nil.
func (c *Config) Target(name string) *Target {
	for i := range c.Targets {
		if c.Targets[i].Name == name {
			return &c.Targets[i]
		}
	}
	return nil
}

// The patterns with repeat counts ({1,100}) or many alternatives are
// compiled when first used: compiling them took about 1 ms of every
// command's start, most of which never read a GitHub address.
var (
	githubSlug     = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$`)
	githubRepoName = strictyaml.Lazy(`^[A-Za-z0-9._-]{1,100}$`)
	githubURL      = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?:https://github\.com/|git@github\.com:|ssh://git@github\.com/)([A-Za-z0-9-]+/[A-Za-z0-9._-]+?)(?:\.git)?/?$`)
	})
)

// ValidGitHubSlug reports whether s can be a GitHub organisation or team
// slug.
func ValidGitHubSlug(s string) bool {
	return len(s) <= slugShape.MaxLength && githubSlug.MatchString(s)
}

// ownerNamePattern is what SplitGitHubRepo accepts, for editors: it does
// not say that the owner is at most 39 characters, nor that the name is
// not . or ..
var ownerNamePattern = strictyaml.Lazy(strings.TrimSuffix(model.LoginPattern.String(), "$") + "/" + strings.TrimPrefix(githubRepoName.String(), "^"))

// SplitGitHubRepo splits "owner/name" and reports whether both parts
// follow GitHub's rules: the owner a login, the name letters, digits, '.',
// '-' and '_', and neither "." nor "..", which would climb out of the
// repository in an API path.
func SplitGitHubRepo(s string) (owner, name string, ok bool) {
	owner, name, found := strings.Cut(s, "/")
	if !found || !model.ValidGitHubLogin(owner) || !githubRepoName.MatchString(name) || name == "." || name == ".." {
		return "", "", false
	}
	return owner, name, true
}

// decoder reads the configuration: the strict YAML decoder, with the
// tables of the configuration's fields.
type decoder struct{ strictyaml.Decoder }

// ParseConfig reads prodaccess.yaml strictly. file is the name used in
// problems. Every problem is returned at once, as Problems, together with
// what could be read (defaults fill the rest), so that validate can go on to
// check the people; nothing else may use a config that came with an error.
func ParseConfig(file string, data []byte) (*Config, error) {
	c := DefaultConfig()
	c.File = file
	d := &decoder{Decoder: strictyaml.Decoder{File: file}}
	root := d.Document(data)
	if root != nil {
		d.config(root, c)
		d.checkStores(c)
	}
	d.Problems.Sort()
	return c, d.Problems.Err()
}

func (d *decoder) config(root *yaml.Node, c *Config) {
	d.Mapping(root, "", "the configuration", d.configFields(c))
}

// configTable is the fields of the configuration, for the schema.
func configTable() []strictyaml.Field { return new(decoder).configFields(DefaultConfig()) }

// configFields are the fields of the configuration, read into c.
func (d *decoder) configFields(c *Config) []strictyaml.Field {
	return []strictyaml.Field{
		d.TextField("people", false, peopleShape, &c.People, nil),
		d.TextField("people_repo", false, peopleRepoShape, &c.PeopleRepo, func(n *yaml.Node, path, v string) bool {
			if _, _, ok := SplitGitHubRepo(v); !ok {
				d.Problem(n, path, "%q is not a GitHub repository owner/name", v)
				return false
			}
			return true
		}),
		{Name: "people_branch", Is: peopleBranchShape, Read: func(n *yaml.Node, path string) { d.branch(n, path, &c.PeopleBranch) }},
		d.TextField("keys", false, keysShape, &c.Keys, nil),
		{Name: "timezone", Is: timezoneShape, Read: func(n *yaml.Node, path string) {
			v, ok := d.Text(n, path)
			if !ok {
				return
			}
			loc, err := time.LoadLocation(v)
			if err != nil || v == "" || v == "Local" {
				d.Problem(n, path, "unknown time zone %q; use an IANA name such as Europe/London", v)
				return
			}
			c.Timezone, c.Location = v, loc
		}},
		{Name: "policy", Is: policyShape, Read: func(n *yaml.Node, path string) {
			d.Mapping(n, path, "the policy", d.policyFields(&c.Policy))
		}},
		{Name: "rota", Is: rotaShape, Read: func(n *yaml.Node, path string) {
			d.Mapping(n, path, "the rota (schedules, and optionally match, since and retention_days)", d.rotaFields(&c.Policy.Rota))
		}},
		{Name: "safety", Is: safetyShape, Read: func(n *yaml.Node, path string) {
			d.Mapping(n, path, "the safety limits", d.safetyFields(&c.Safety))
		}},
		{Name: "secrets", Is: secretsSettingsShape, Read: func(n *yaml.Node, path string) {
			d.Mapping(n, path, "the secrets settings", d.secretsSettingsFields(&c.Secrets))
		}},
		{Name: "audit", Is: auditShape, Read: func(n *yaml.Node, path string) {
			d.Mapping(n, path, "the audit settings", d.auditFields(&c.Audit))
		}},
		{Name: "git_credentials", Is: gitCredentialsShape, Read: func(n *yaml.Node, path string) {
			c.GitCredentials = d.gitCredentials(n, path)
		}},
		{Name: "targets", Is: targetsShape, Read: func(n *yaml.Node, path string) {
			seen := map[string]int{}
			d.List(n, path, func(_ int, item *yaml.Node, path string) {
				t, ok := d.target(item, path)
				if !ok {
					return
				}
				if line, dup := seen[t.Name]; dup {
					d.Problem(item, path+".name", "target %q is already declared at line %d", t.Name, line)
					return
				}
				seen[t.Name] = item.Line
				c.Targets = append(c.Targets, t)
			})
		}},
	}
}

func policyTable() []strictyaml.Field { return new(decoder).policyFields(new(model.Policy)) }

func (d *decoder) policyFields(p *model.Policy) []strictyaml.Field {
	return []strictyaml.Field{
		{Name: "shadow_shifts_required", Is: shadowShiftsShape, Read: d.intInto(&p.ShadowShiftsRequired, shadowShiftsShape)},
		{Name: "absence_limit_days", Is: absenceLimitShape, Read: d.intInto(&p.AbsenceLimitDays, absenceLimitShape)},
		{Name: "max_temporary_days", Is: maxTemporaryShape, Read: d.intInto(&p.MaxTemporaryDays, maxTemporaryShape)},
		strictyaml.EnumField(&d.Decoder, "evidence", false, evidenceShape, &p.Evidence),
		strictyaml.EnumField(&d.Decoder, "shift_evidence", false, shiftEvidenceShape, &p.ShiftEvidence),
		{Name: "evidence_signers", Is: evidenceSignersShape, Read: func(n *yaml.Node, path string) {
			p.EvidenceSigners = []string{}
			seen := map[string]int{}
			d.List(n, path, func(_ int, item *yaml.Node, path string) {
				v, ok := d.Text(item, path)
				if !ok {
					return
				}
				key, comment, err := parseSigner(v)
				if err != "" {
					d.Problem(item, path, "%s", err)
					return
				}
				if line, dup := seen[key]; dup {
					d.Problem(item, path, "this key is already listed at line %d", line)
					return
				}
				seen[key] = item.Line
				p.EvidenceSigners = append(p.EvidenceSigners, strings.TrimSpace(key+" "+comment))
			})
		}},
		d.DayField("adopted_on", false, adoptedOnShape, &p.AdoptedOn),
	}
}

// parseSigner reads a signer of notes, a public key in the authorized_keys
// form ("ssh-ed25519 AAAA... comment", without options), and returns it as
// "type base64" and its comment, or why it is not one.
func parseSigner(v string) (key, comment, problem string) {
	k, c, options, rest, err := ssh.ParseAuthorizedKey([]byte(v))
	switch {
	case err != nil:
		return "", "", "not an SSH public key in the authorized_keys form (\"ssh-ed25519 AAAA... comment\")"
	case len(options) > 0:
		return "", "", "an authorized_keys line with options; give the key alone (\"ssh-ed25519 AAAA... comment\")"
	case len(rest) > 0:
		return "", "", "more than one key; list each key on its own"
	}
	if p := model.CheckFreeText(c); p != "" {
		return "", "", "the key's comment " + p
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))), c, ""
}

func safetyTable() []strictyaml.Field { return new(decoder).safetyFields(new(Safety)) }

func (d *decoder) safetyFields(s *Safety) []strictyaml.Field {
	return []strictyaml.Field{
		{Name: "max_removal_fraction", Is: removalFractionShape, Read: func(n *yaml.Node, path string) {
			if v, ok := d.fraction(n, path, removalFractionShape); ok {
				s.MaxRemovalFraction = v
			}
		}},
		{Name: "manual_window_days", Is: manualWindowShape, Read: d.intInto(&s.ManualWindowDays, manualWindowShape)},
		{Name: "max_revocation_wait", Is: revocationWaitShape, Read: d.durationInto(&s.MaxRevocationWait, time.Hour, 90*24*time.Hour)},
	}
}

// The shapes of the values in the configuration.
var (
	peopleShape     = strictyaml.Text("The folder of person files, relative to this file's folder.")
	peopleRepoShape = strictyaml.TextMatching(ownerNamePattern, 0,
		"a GitHub repository owner/name", "The people repository on GitHub (owner/name), where the evidence of approvals is looked up; by default the repository's origin when that is on GitHub.")
	peopleBranchShape    = strictyaml.Text("The branch of the people repository that pull requests are merged into (default main).")
	evidenceSignersShape = strictyaml.ListOf(strictyaml.Text("An SSH public key: type, base64 and a comment."),
		"The SSH public keys whose signature makes a git note evidence of approval (authorized_keys form, one key each). Only the reconcile workflow should hold a private key listed here; adding one needs a lead's approval.")
	keysShape     = strictyaml.Text("The folder of public keys (<id>.asc), relative to this file's folder.")
	timezoneShape = strictyaml.Text("The policy time zone, an IANA name such as Europe/London: dates in person files are days there.")
	policyShape   = strictyaml.MappingOf(policyTable, "The parameters of the written rules.")
	safetyShape   = strictyaml.MappingOf(safetyTable, "The limits checked before any change is applied.")

	shadowShiftsShape    = strictyaml.IntegerIn(0, 10, "Shadow shifts before supervised access (the rules say two).")
	absenceLimitShape    = strictyaml.IntegerIn(1, 3660, "An absence longer than this many days revokes access on the next day (the rules say six weeks: 42).")
	maxTemporaryShape    = strictyaml.IntegerIn(1, 3660, "The longest a temporary_access entry may last, in days.")
	adoptedOnShape       = strictyaml.Date("The day the organisation adopted prodaccess: a held_before_adoption entry in a person file needs a since before it. Moving it later needs a lead's approval.")
	evidenceShape        = strictyaml.OneOf("Whether an approval must be proven by a review of the pull request that wrote it: required (an unproven entry grants nothing), warn (it grants, and reports flag it; the default) or off.", model.EvidenceRequired, model.EvidenceWarn, model.EvidenceOff)
	shiftEvidenceShape   = strictyaml.OneOf("Whether a shift must be proven by the on-call rota (or, where the rota cannot show it, by a lead's approving review): required (an unproven shift does not count), warn (it counts, and reports flag it; the default) or off.", model.EvidenceRequired, model.EvidenceWarn, model.EvidenceOff)
	removalFractionShape = strictyaml.NumberIn(0, 1, "Refuse a plan that removes more than this share of a target's current members.")
	manualWindowShape    = strictyaml.IntegerIn(1, 90, "How many days a change to a manual target stays listed after the day it happens (default 7), so that a run that fails on that day does not lose it.")
	revocationWaitShape  = strictyaml.TextMatching(regexp.MustCompile(`^([0-9]+h([0-9]+m)?|[0-9]+m)$`), 0, "a duration in hours and minutes such as 48h or 36h30m",
		"How long a revocation may wait in an open pull request before plan and apply fail, from 1h to 2160h (default 48h).")

	targetsShape = strictyaml.ListOf(&strictyaml.Shape{Kind: strictyaml.KindMapping, Fields: targetTable, Rules: targetRules,
		Doc: "One system that production access means."}, "The systems that production access means.")
	targetNameShape = strictyaml.TextMatching(model.IDPattern, 64, "a valid target name: lower-case letters and digits in words joined by single hyphens",
		"The target's name, unique in this file.")
	targetTypeShape = strictyaml.OneOf("How the target is read and changed.", model.GitHubTeam, model.FileTarget, model.Manual)
	slugShape       = strictyaml.TextMatching(githubSlug, 255, "a GitHub organisation or team slug", "")
	orgShape        = slugShape.WithDoc("github-team: the organisation.")
	teamShape       = slugShape.WithDoc("github-team: the team's slug.")
	repoShape       = strictyaml.Text("file: the repository, a git URL or a local path.")
	githubRepoShape = strictyaml.TextMatching(ownerNamePattern, 0, "owner/name", "file: owner/name where pull requests are opened; derived from repo when it is a GitHub URL.")
	childTeamsShape = strictyaml.ListOf(strictyaml.MappingOf(childTeamTable, "A child team whose members may hold the team's access without being entitled to it, and why."),
		"github-team: child teams whose members may keep the access; a member through any other child team who is not entitled is an error.")
	childTeamShape    = slugShape.WithDoc("The child team's slug.")
	childReasonShape  = strictyaml.Text("Why its members may keep the access.")
	branchShape       = strictyaml.Text("file: the base branch (default main).")
	pathShape         = strictyaml.Text("file: the file, a path inside the repository.")
	formatShape       = strictyaml.OneOf("file: the layout of the file.", GPGRecipients, GPGID, YAMLList, TFVarsList)
	keyShape          = strictyaml.Text("file, yaml-list and tfvars-list formats: the key or Terraform variable that holds the list.")
	instructionsShape = strictyaml.Text("manual: what a person must do by hand.")
	recordShape       = strictyaml.MappingOf(recordTable, "manual: the file that records who holds the access (one identity a line), changed through a pull request that is the ticket for the work done by hand.")
	recordRepoShape   = strictyaml.Text("The repository of the record, a git URL or a local path.")
	recordGitHubShape = githubRepoShape.WithDoc("owner/name where the record's pull requests are opened; derived from repo when it is a GitHub URL.")
	recordBranchShape = strictyaml.Text("The base branch (default main).")
	recordPathShape   = strictyaml.Text("The record file, a path inside the repository.")
	recordFormatShape = strictyaml.OneOf("The record's layout: lines, one identity a line.", Lines)
	ownersShape       = &strictyaml.Shape{Kind: strictyaml.KindList, Items: strictyaml.TextMatching(ownerPattern, 0, "a GitHub login, or a team written as org/team", ""), MinItems: 1,
		With: []string{"record"}, Doc: "manual with a record: GitHub logins, and teams of the record repository's owner written org/team, asked to review its pull requests."}
	keepShape    = strictyaml.ListOf(strictyaml.Text(""), "Entries that are not people (such as a server's key): never removed.")
	secretsShape = strictyaml.ListOf(strictyaml.MappingOf(secretTable, "Files that hold secrets, and how they are encrypted."),
		"file, gpg-recipients and gpg-id formats: the secrets encrypted to the target's recipients (default for gpg-id: the pass store's *.gpg files).")
	levelsShape = &strictyaml.Shape{Kind: strictyaml.KindList, Items: strictyaml.OneOf("", model.TemporarySupervised.String(), model.Supervised.String(), model.Permanent.String()),
		MinItems: 1, Unique: true, Doc: "The levels the target includes (default all three)."}
)

// targetRules say which fields each type of target uses and requires, and
// what the format of a file target needs.
var targetRules = []strictyaml.Rule{
	{Field: "type", Values: []string{string(model.GitHubTeam)}, Require: []string{"org", "team"},
		Only: []string{"name", "type", "levels", "org", "team", "keep", "child_teams"}},
	{Field: "type", Values: []string{string(model.FileTarget)}, Require: []string{"repo", "path", "format"},
		Only: []string{"name", "type", "levels", "repo", "github_repo", "branch", "path", "format", "key", "keep", "secrets", "sub_stores"}},
	{Field: "type", Values: []string{string(model.Manual)}, Require: []string{"instructions"},
		Only: []string{"name", "type", "levels", "instructions", "record", "owners", "keep"}},
	{Field: "format", Values: []string{string(YAMLList), string(TFVarsList)}, Require: []string{"key"}, Why: "the key that holds the list"},
	{Field: "format", Values: []string{string(YAMLList), string(TFVarsList)}, Refuse: []string{"secrets"},
		Why: ": only gpg-recipients and gpg-id targets hold secrets"},
	{Field: "format", Values: []string{string(GPGRecipients), string(GPGID)}, Refuse: []string{"key"}},
	{Field: "format", Values: []string{string(GPGRecipients), string(YAMLList), string(TFVarsList)}, Refuse: []string{"sub_stores"},
		Why: ": only a gpg-id target has sub-stores"},
}

// branch reads the name of a branch, as CheckBranchName takes it.
func (d *decoder) branch(n *yaml.Node, path string, dst *string) {
	v, ok := d.Text(n, path)
	if !ok {
		return
	}
	if err := CheckBranchName(v); err != nil {
		d.Problem(n, path, "%v", err)
		return
	}
	*dst = v
}

func (d *decoder) intInto(dst *int, is *strictyaml.Shape) func(*yaml.Node, string) {
	return func(n *yaml.Node, path string) {
		s, ok := d.Scalar(n, path)
		if !ok {
			return
		}
		v, err := strconv.Atoi(s)
		if !strictyaml.Plain(n) || err != nil || strings.Trim(s, "0123456789") != "" || (len(s) > 1 && s[0] == '0') {
			d.Problem(n, path, "expected a whole number written in decimal digits without quotes, found %q", s)
			return
		}
		if float64(v) < is.Min || float64(v) > is.Max {
			d.Problem(n, path, "%d is out of range: it must be from %d to %d", v, int(is.Min), int(is.Max))
			return
		}
		*dst = v
	}
}

func (d *decoder) fraction(n *yaml.Node, path string, is *strictyaml.Shape) (float64, bool) {
	s, ok := d.Scalar(n, path)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if !strictyaml.Plain(n) || err != nil || v < is.Min || v > is.Max || strings.ContainsAny(s, "xXeEnN_") {
		d.Problem(n, path, "expected a fraction from %g to %g such as 0.25, found %q", is.Min, is.Max, s)
		return 0, false
	}
	return v, true
}

// targetTable is the fields of a target, for the schema.
func targetTable() []strictyaml.Field {
	return new(decoder).targetFields(new(Target), map[string]*yaml.Node{}, new(*yaml.Node), new(childTeamNodes))
}

// childTeamNodes are where each of a target's child teams is named.
type childTeamNodes struct {
	nodes []*yaml.Node
	paths []string
}

// targetFields are the fields of a target, read into t; present records
// the value of each field and keep entry given, levels the value of
// levels, and children where each child team is named.
func (d *decoder) targetFields(t *Target, present map[string]*yaml.Node, levels **yaml.Node, children *childTeamNodes) []strictyaml.Field {
	str := func(name string, is *strictyaml.Shape, dst *string) strictyaml.Field {
		return strictyaml.Field{Name: name, Is: is, Read: func(n *yaml.Node, path string) {
			if v, ok := d.Text(n, path); ok {
				*dst = v
			}
		}}
	}
	return []strictyaml.Field{
		d.TextField("name", true, targetNameShape, &t.Name, nil),
		strictyaml.EnumField(&d.Decoder, "type", true, targetTypeShape, &t.Type),
		str("org", orgShape, &t.Org),
		str("team", teamShape, &t.Team),
		str("repo", repoShape, &t.Repo),
		str("github_repo", githubRepoShape, &t.GitHubRepo),
		{Name: "branch", Is: branchShape, Read: func(n *yaml.Node, path string) { d.branch(n, path, &t.Branch) }},
		str("path", pathShape, &t.Path),
		strictyaml.EnumField(&d.Decoder, "format", false, formatShape, &t.Format),
		str("key", keyShape, &t.Key),
		str("instructions", instructionsShape, &t.Instructions),
		{Name: "record", Is: recordShape, Read: func(n *yaml.Node, path string) { t.Record = d.record(n, path) }},
		{Name: "owners", Is: ownersShape, Read: func(n *yaml.Node, path string) { t.Owners = d.owners(n, path) }},
		{Name: "keep", Is: keepShape, Read: func(n *yaml.Node, path string) {
			d.List(n, path, func(_ int, item *yaml.Node, path string) {
				if v, ok := d.Text(item, path); ok {
					t.Keep = append(t.Keep, v)
					present[path] = item
				}
			})
		}},
		{Name: "secrets", Is: secretsShape, Read: func(n *yaml.Node, path string) { t.Secrets = d.secretGlobs(n, path) }},
		{Name: "sub_stores", Is: subStoresShape, Read: func(n *yaml.Node, path string) { t.SubStores = d.subStores(n, path) }},
		{Name: "child_teams", Is: childTeamsShape, Read: func(n *yaml.Node, path string) {
			d.List(n, path, func(_ int, item *yaml.Node, path string) {
				if ct, node, ok := d.childTeam(item, path, t.ChildTeams); ok {
					t.ChildTeams = append(t.ChildTeams, ct)
					children.nodes = append(children.nodes, node)
					children.paths = append(children.paths, path+".team")
				}
			})
		}},
		{Name: "levels", Is: levelsShape, Read: func(n *yaml.Node, path string) {
			*levels = n
			d.List(n, path, func(_ int, item *yaml.Node, path string) {
				v, ok := d.Enum(item, path, levelsShape.Items.Enum...)
				if !ok {
					return
				}
				l, _ := model.ParseLevel(v)
				if t.Includes(l) {
					d.Problem(item, path, "%s is listed twice", v)
					return
				}
				t.Levels = append(t.Levels, l)
			})
		}},
	}
}

func (d *decoder) target(n *yaml.Node, path string) (Target, bool) {
	t := Target{Pos: model.Pos{Line: n.Line, Col: n.Column}, Branch: "main"}
	present := map[string]*yaml.Node{}
	var levelsNode *yaml.Node
	var children childTeamNodes
	fields := d.targetFields(&t, present, &levelsNode, &children)
	for i := range fields {
		read := fields[i].Read
		name := fields[i].Name
		fields[i].Read = func(n *yaml.Node, path string) { present[name] = n; read(n, path) }
	}
	before := len(d.Problems)
	if !d.Mapping(n, path, "a target", fields) {
		return t, false
	}
	if t.Type == "" {
		return t, false
	}
	for _, r := range targetRules {
		switch {
		case r.Field == "type" && slices.Contains(r.Values, string(t.Type)):
			for name, v := range present {
				if !strings.Contains(name, "[") && !slices.Contains(r.Only, name) {
					d.Problem(v, path+"."+name, "not used by %s targets", t.Type)
				}
			}
			for _, name := range r.Require {
				if present[name] == nil {
					d.Problem(n, path, "missing required field %q for a %s target", name, t.Type)
				}
			}
		case r.Field == "format" && t.Type == model.FileTarget && slices.Contains(r.Values, string(t.Format)):
			for _, name := range r.Require {
				if present[name] == nil {
					d.Problem(n, path, "missing required field %q: a %s target needs %s", name, t.Format, r.Why)
				}
			}
			for _, name := range r.Refuse {
				if v := present[name]; v != nil {
					d.Problem(v, path+"."+name, "not used by the %s format%s", t.Format, r.Why)
				}
			}
		}
	}
	if t.Type == model.GitHubTeam {
		for _, f := range []string{"org", "team"} {
			if v := present[f]; v != nil && !ValidGitHubSlug(v.Value) {
				d.Problem(v, path+"."+f, "%q is not a GitHub organisation or team slug", v.Value)
			}
		}
		for i, ct := range t.ChildTeams {
			if strings.EqualFold(ct.Team, t.Team) {
				d.Problem(children.nodes[i], children.paths[i], "%q is the target's own team, not a child team", ct.Team)
			}
		}
	}
	if t.Type == model.FileTarget {
		d.checkRepository(present, path, t.Repo, &t.GitHubRepo, t.Path)
	}
	if t.Type == model.Manual && present["record"] == nil {
		if v := present["keep"]; v != nil {
			d.Problem(v, path+".keep", "keep entries stay in a record; give the target a record, or remove keep")
		}
	}
	if v := present["owners"]; v != nil && t.Record != nil {
		owner, _, _ := strings.Cut(t.Record.GitHubRepo, "/")
		for i, n := range v.Content {
			if org, _, isTeam := strings.Cut(n.Value, "/"); isTeam && owner != "" && slices.Contains(t.Owners, n.Value) && !strings.EqualFold(org, owner) {
				d.Problem(n, fmt.Sprintf("%s.owners[%d]", path, i), "GitHub asks only teams of %s to review pull requests in %s; %s is a team of %s", owner, t.Record.GitHubRepo, n.Value, org)
			}
		}
		if owner == "" {
			d.Problem(v, path+".owners", "owners are asked to review pull requests on GitHub, and the record's repository is not on GitHub: give record.github_repo")
		}
	}
	d.normalizeKeep(&t, present, path)
	if len(t.Levels) == 0 {
		if levelsNode != nil && levelsNode.Kind == yaml.SequenceNode && len(levelsNode.Content) == 0 {
			d.Problem(levelsNode, path+".levels", "lists no level; remove the field to include all three")
		}
		t.Levels = append([]model.Level(nil), model.AccessLevels...)
	}
	return t, len(d.Problems) == before
}

// checkRepository checks the fields that place a file in a repository
// (repo, github_repo and path, as found in present) and derives
// github_repo from a GitHub URL.
func (d *decoder) checkRepository(present map[string]*yaml.Node, path, repo string, githubRepo *string, file string) {
	if v := present["github_repo"]; v != nil {
		if _, _, ok := SplitGitHubRepo(*githubRepo); !ok {
			d.Problem(v, path+".github_repo", "%q is not a GitHub owner/name: the owner is a GitHub login, the name letters, digits, '.', '-' and '_' (and not . or ..)", *githubRepo)
		}
	}
	if *githubRepo == "" {
		if m := githubURL().FindStringSubmatch(repo); m != nil {
			if _, _, ok := SplitGitHubRepo(m[1]); ok {
				*githubRepo = m[1]
			} else {
				d.Problem(present["repo"], path+".repo", "%q does not name a GitHub repository that pull requests can be opened in (%q is not owner/name)", repo, m[1])
			}
		}
	}
	if v := present["repo"]; v != nil && isHTTPURL(repo) {
		if u, err := url.Parse(repo); err != nil || u.Host == "" {
			d.Problem(v, path+".repo", "%q is not a URL", RedactURL(repo))
		} else if u.User != nil {
			d.Problem(v, path+".repo", "the URL carries a user name or password; give credentials in GITHUB_TOKEN, never in the configuration")
		}
	}
	if v := present["path"]; v != nil && (strings.HasPrefix(file, "/") || strings.Contains("/"+file+"/", "/../")) {
		d.Problem(v, path+".path", "%q must be a path inside the repository", file)
	} else if v != nil && strings.HasPrefix(strings.TrimPrefix(file, "./"), ProdaccessFolder+"/") {
		d.Problem(v, path+".path", "%s/ is where prodaccess keeps the whole description of a pull request too long for GitHub; keep the file elsewhere", ProdaccessFolder)
	}
}

// ProdaccessFolder is the folder of a target repository where prodaccess
// keeps, on the branch of a pull request whose description is too long
// for GitHub, the whole description; no target's file may be in it.
const ProdaccessFolder = ".prodaccess"

// recordTable is the fields of a record, for the schema.
func recordTable() []strictyaml.Field {
	return new(decoder).recordFields(new(Record), map[string]*yaml.Node{})
}

// recordFields are the fields of a record, read into r; present records
// the value of each.
func (d *decoder) recordFields(r *Record, present map[string]*yaml.Node) []strictyaml.Field {
	str := func(name string, required bool, is *strictyaml.Shape, dst *string) strictyaml.Field {
		return strictyaml.Field{Name: name, Required: required, Is: is, Read: func(n *yaml.Node, path string) {
			present[name] = n
			if v, ok := d.Text(n, path); ok {
				*dst = v
			}
		}}
	}
	return []strictyaml.Field{
		str("repo", true, recordRepoShape, &r.Repo),
		str("github_repo", false, recordGitHubShape, &r.GitHubRepo),
		{Name: "branch", Is: recordBranchShape, Read: func(n *yaml.Node, path string) {
			present["branch"] = n
			d.branch(n, path, &r.Branch)
		}},
		str("path", true, recordPathShape, &r.Path),
		// lines is the only format of a record; naming it is allowed.
		{Name: "format", Is: recordFormatShape, Read: func(n *yaml.Node, path string) { d.Enum(n, path, recordFormatShape.Enum...) }},
	}
}

// record reads a manual target's record: where its lines file is.
func (d *decoder) record(n *yaml.Node, path string) *Record {
	r := &Record{Branch: "main"}
	present := map[string]*yaml.Node{}
	before := len(d.Problems)
	if !d.Mapping(n, path, "a record (repo, path, and optionally github_repo, branch and format)", d.recordFields(r, present)) {
		return nil
	}
	d.checkRepository(present, path, r.Repo, &r.GitHubRepo, r.Path)
	if len(d.Problems) != before {
		return nil
	}
	return r
}

// ownerPattern is a GitHub login, or a team written org/team.
var ownerPattern = strictyaml.Lazy(`^(` + strings.Trim(model.LoginPattern.String(), "^$") + `|` + strings.Trim(githubSlug.String(), "^$") + `/` + strings.Trim(githubSlug.String(), "^$") + `)$`)

// owners reads the owners of a manual target: GitHub logins and org/team.
func (d *decoder) owners(n *yaml.Node, path string) []string {
	var out []string
	d.List(n, path, func(_ int, item *yaml.Node, path string) {
		v, ok := d.Text(item, path)
		if !ok {
			return
		}
		org, team, isTeam := strings.Cut(v, "/")
		switch {
		case isTeam && (!ValidGitHubSlug(org) || !ValidGitHubSlug(team)):
			d.Problem(item, path, "%q is not a GitHub team written as org/team", v)
		case !isTeam && !model.ValidGitHubLogin(v):
			d.Problem(item, path, "%q is not a GitHub login, nor a team written as org/team", v)
		case slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, v) }):
			d.Problem(item, path, "%s is listed twice", v)
		default:
			out = append(out, v)
		}
	})
	if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		d.Problem(n, path, "lists no owner; remove the field if the record has none")
	}
	return out
}

// durationInto reads a duration such as 48h or 36h30m, from lo to hi.
func (d *decoder) durationInto(dst *time.Duration, lo, hi time.Duration) func(*yaml.Node, string) {
	return func(n *yaml.Node, path string) {
		s, ok := d.Text(n, path)
		if !ok {
			return
		}
		v, err := time.ParseDuration(s)
		if err != nil || !revocationWaitShape.Pattern.MatchString(s) {
			d.Problem(n, path, "expected %s, found %q", revocationWaitShape.What, s)
			return
		}
		if v < lo || v > hi {
			d.Problem(n, path, "%s is out of range: it must be from %s to %s", s, hoursText(lo), hoursText(hi))
			return
		}
		*dst = v
	}
}

// hoursText writes a whole number of hours as 48h.
func hoursText(v time.Duration) string { return strconv.Itoa(int(v/time.Hour)) + "h" }

// childTeam reads one child_teams entry; earlier are the entries read
// before it.
func (d *decoder) childTeam(n *yaml.Node, path string, earlier []ChildTeam) (ChildTeam, *yaml.Node, bool) {
	var ct ChildTeam
	var teamNode *yaml.Node
	before := len(d.Problems)
	d.Mapping(n, path, "a child team", d.childTeamFields(&ct, &teamNode, earlier))
	return ct, teamNode, len(d.Problems) == before && ct.Team != ""
}

// childTeamTable is the fields of a child team, for the schema.
func childTeamTable() []strictyaml.Field {
	return new(decoder).childTeamFields(new(ChildTeam), new(*yaml.Node), nil)
}

// childTeamFields are the fields of a child team, read into ct; teamNode is
// set to the team's value, and earlier are the child teams before it.
func (d *decoder) childTeamFields(ct *ChildTeam, teamNode **yaml.Node, earlier []ChildTeam) []strictyaml.Field {
	return []strictyaml.Field{
		{Name: "team", Required: true, Is: childTeamShape, Read: func(n *yaml.Node, path string) {
			v, ok := d.Text(n, path)
			switch {
			case !ok:
			case !ValidGitHubSlug(v):
				d.Problem(n, path, "%q is not a GitHub team slug", v)
			default:
				for _, e := range earlier {
					if strings.EqualFold(e.Team, v) {
						d.Problem(n, path, "child team %q is listed twice", v)
						return
					}
				}
				ct.Team, *teamNode = v, n
			}
		}},
		{Name: "reason", Required: true, Is: childReasonShape, Read: func(n *yaml.Node, path string) {
			if v, ok := d.Text(n, path); ok {
				if strings.TrimSpace(v) == "" {
					d.Problem(n, path, "give the reason its members may keep the access")
					return
				}
				ct.Reason = v
			}
		}},
	}
}

// normalizeKeep checks keep entries against what the target holds and
// writes fingerprints in their normal form.
func (d *decoder) normalizeKeep(t *Target, present map[string]*yaml.Node, path string) {
	for i, v := range t.Keep {
		p := fmt.Sprintf("%s.keep[%d]", path, i)
		n := present[p]
		if n == nil {
			continue
		}
		switch {
		case t.Type == model.FileTarget && (t.Format == GPGRecipients || t.Format == GPGID):
			f, err := model.NormalizeFingerprint(v)
			if err != nil {
				d.Problem(n, p, "%v", err)
				continue
			}
			t.Keep[i] = f
		case t.Type == model.GitHubTeam:
			if !model.ValidGitHubLogin(v) {
				d.Problem(n, p, "%q is not a GitHub login", v)
			}
		}
	}
}
