package model

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Policy holds the parameters of the rules.
type Policy struct {
	ShadowShiftsRequired int // shadow shifts before supervised access (default 2)
	AbsenceLimitDays     int // an absence revokes access on the day after this many days (default 42)
	MaxTemporaryDays     int // the longest a temporary_access entry may last (default 90)
	// Evidence says whether an approval must be proven by a review of
	// the pull request that wrote it (default warn).
	Evidence EvidencePolicy
}

// DefaultPolicy is the policy of the written rules.
func DefaultPolicy() Policy {
	return Policy{ShadowShiftsRequired: 2, AbsenceLimitDays: 42, MaxTemporaryDays: 90, Evidence: EvidenceWarn}
}

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

// TargetType says how a target is read and changed.
type TargetType string

// Target types.
const (
	GitHubTeam TargetType = "github-team"
	FileTarget TargetType = "file"
	Manual     TargetType = "manual"
)

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
	Type TargetType

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

	Keep   []string // entries that are not people and always stay
	Levels []Level  // the levels the target includes

	// Secrets are where a GPG target's encrypted secrets are (see
	// SecretGlobs for the default).
	Secrets []SecretGlob

	Pos Pos
}

// Includes reports whether the target gives access at level l.
func (t *Target) Includes(l Level) bool { return slices.Contains(t.Levels, l) }

// Identity is what the target writes for a person: a login, a fingerprint,
// a username, an ARN or an email address. It is empty when the person's
// file does not give it.
func (t *Target) Identity(p *Person) string {
	switch {
	case t.Type == GitHubTeam:
		return p.GitHub
	case t.Type == Manual:
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
	case t.Type == GitHubTeam:
		return "github"
	case t.Type == Manual:
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
	Policy       Policy
	Safety       Safety
	Targets      []Target
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
		Policy:       DefaultPolicy(),
		Safety:       Safety{MaxRemovalFraction: 0.25, ManualWindowDays: 7, MaxRevocationWait: 48 * time.Hour},
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

var (
	githubSlug    = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$`)
	githubRepoRef = regexp.MustCompile(`^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$`)
	githubURL     = regexp.MustCompile(`^(?:https://github\.com/|git@github\.com:|ssh://git@github\.com/)([A-Za-z0-9-]+/[A-Za-z0-9._-]+?)(?:\.git)?/?$`)
)

// ParseConfig reads prodaccess.yaml strictly. file is the name used in
// problems. Every problem is returned at once, as Problems, together with
// what could be read (defaults fill the rest), so that validate can go on to
// check the people; nothing else may use a config that came with an error.
func ParseConfig(file string, data []byte) (*Config, error) {
	c := DefaultConfig()
	c.File = file
	d := &decoder{file: file}
	root := d.document(data)
	if root != nil {
		d.config(root, c)
	}
	d.problems.Sort()
	return c, d.problems.Err()
}

func (d *decoder) config(root *yaml.Node, c *Config) {
	d.mapping(root, "", "the configuration", []field{
		{name: "people", read: func(n *yaml.Node, path string) {
			if v, ok := d.text(n, path); ok {
				c.People = v
			}
		}},
		{name: "people_repo", read: func(n *yaml.Node, path string) {
			if v, ok := d.text(n, path); ok {
				if !githubRepoRef.MatchString(v) || strings.HasSuffix(v, "/.") || strings.HasSuffix(v, "/..") {
					d.problem(n, path, "%q is not a GitHub repository owner/name", v)
					return
				}
				c.PeopleRepo = v
			}
		}},
		{name: "people_branch", read: func(n *yaml.Node, path string) {
			if v, ok := d.text(n, path); ok {
				c.PeopleBranch = v
			}
		}},
		{name: "keys", read: func(n *yaml.Node, path string) {
			if v, ok := d.text(n, path); ok {
				c.Keys = v
			}
		}},
		{name: "timezone", read: func(n *yaml.Node, path string) {
			v, ok := d.text(n, path)
			if !ok {
				return
			}
			loc, err := time.LoadLocation(v)
			if err != nil || v == "" || v == "Local" {
				d.problem(n, path, "unknown time zone %q; use an IANA name such as Europe/London", v)
				return
			}
			c.Timezone, c.Location = v, loc
		}},
		{name: "policy", read: func(n *yaml.Node, path string) {
			d.mapping(n, path, "the policy", []field{
				{name: "shadow_shifts_required", read: d.intInto(&c.Policy.ShadowShiftsRequired, 0, 10)},
				{name: "absence_limit_days", read: d.intInto(&c.Policy.AbsenceLimitDays, 1, 3660)},
				{name: "max_temporary_days", read: d.intInto(&c.Policy.MaxTemporaryDays, 1, 3660)},
				{name: "evidence", read: enumInto(d, &c.Policy.Evidence, EvidenceRequired, EvidenceWarn, EvidenceOff)},
			})
		}},
		{name: "safety", read: func(n *yaml.Node, path string) {
			d.mapping(n, path, "the safety limits", []field{
				{name: "max_removal_fraction", read: func(n *yaml.Node, path string) {
					if v, ok := d.fraction(n, path); ok {
						c.Safety.MaxRemovalFraction = v
					}
				}},
				{name: "manual_window_days", read: d.intInto(&c.Safety.ManualWindowDays, 1, 90)},
				{name: "max_revocation_wait", read: d.durationInto(&c.Safety.MaxRevocationWait, time.Hour, 90*24*time.Hour)},
			})
		}},
		{name: "targets", read: func(n *yaml.Node, path string) {
			seen := map[string]int{}
			d.list(n, path, func(_ int, item *yaml.Node, path string) {
				t, ok := d.target(item, path)
				if !ok {
					return
				}
				if line, dup := seen[t.Name]; dup {
					d.problem(item, path+".name", "target %q is already declared at line %d", t.Name, line)
					return
				}
				seen[t.Name] = item.Line
				c.Targets = append(c.Targets, t)
			})
		}},
	})
}

func (d *decoder) intInto(dst *int, lo, hi int) func(*yaml.Node, string) {
	return func(n *yaml.Node, path string) {
		s, ok := d.scalar(n, path)
		if !ok {
			return
		}
		v, err := strconv.Atoi(s)
		if !plain(n) || err != nil || strings.Trim(s, "0123456789") != "" || (len(s) > 1 && s[0] == '0') {
			d.problem(n, path, "expected a whole number written in decimal digits without quotes, found %q", s)
			return
		}
		if v < lo || v > hi {
			d.problem(n, path, "%d is out of range: it must be from %d to %d", v, lo, hi)
			return
		}
		*dst = v
	}
}

// durationInto reads a duration such as 48h or 36h30m, from lo to hi.
func (d *decoder) durationInto(dst *time.Duration, lo, hi time.Duration) func(*yaml.Node, string) {
	return func(n *yaml.Node, path string) {
		s, ok := d.text(n, path)
		if !ok {
			return
		}
		v, err := time.ParseDuration(s)
		if err != nil || strings.ContainsAny(s, "+-") {
			d.problem(n, path, "expected a duration in hours and minutes such as 48h or 36h30m, found %q", s)
			return
		}
		if v < lo || v > hi {
			d.problem(n, path, "%s is out of range: it must be from %s to %s", s, hoursText(lo), hoursText(hi))
			return
		}
		*dst = v
	}
}

// hoursText writes a whole number of hours as 48h.
func hoursText(v time.Duration) string { return strconv.Itoa(int(v/time.Hour)) + "h" }

func (d *decoder) fraction(n *yaml.Node, path string) (float64, bool) {
	s, ok := d.scalar(n, path)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if !plain(n) || err != nil || v < 0 || v > 1 || strings.ContainsAny(s, "xXeEnN_") {
		d.problem(n, path, "expected a fraction from 0 to 1 such as 0.25, found %q", s)
		return 0, false
	}
	return v, true
}

func (d *decoder) target(n *yaml.Node, path string) (Target, bool) {
	t := Target{Pos: Pos{n.Line, n.Column}, Branch: "main"}
	present := map[string]*yaml.Node{}
	str := func(dst *string) func(*yaml.Node, string) {
		return func(n *yaml.Node, path string) {
			if v, ok := d.text(n, path); ok {
				*dst = v
			}
		}
	}
	var levelsNode *yaml.Node
	fields := []field{
		{name: "name", required: true, read: func(n *yaml.Node, path string) {
			if v, ok := d.text(n, path); ok {
				if !ValidID(v) {
					d.problem(n, path, "%q is not a valid target name: lower-case letters and digits in words joined by single hyphens", v)
					return
				}
				t.Name = v
			}
		}},
		{name: "type", required: true, read: enumInto(d, &t.Type, GitHubTeam, FileTarget, Manual)},
		{name: "org", read: str(&t.Org)},
		{name: "team", read: str(&t.Team)},
		{name: "repo", read: str(&t.Repo)},
		{name: "github_repo", read: str(&t.GitHubRepo)},
		{name: "branch", read: str(&t.Branch)},
		{name: "path", read: str(&t.Path)},
		{name: "format", read: enumInto(d, &t.Format, GPGRecipients, GPGID, YAMLList, TFVarsList)},
		{name: "key", read: str(&t.Key)},
		{name: "instructions", read: str(&t.Instructions)},
		{name: "record", read: func(n *yaml.Node, path string) { t.Record = d.record(n, path) }},
		{name: "owners", read: func(n *yaml.Node, path string) { t.Owners = d.owners(n, path) }},
		{name: "keep", read: func(n *yaml.Node, path string) {
			d.list(n, path, func(_ int, item *yaml.Node, path string) {
				if v, ok := d.text(item, path); ok {
					t.Keep = append(t.Keep, v)
					present[path] = item
				}
			})
		}},
		{name: "secrets", read: func(n *yaml.Node, path string) { t.Secrets = d.secretGlobs(n, path) }},
		{name: "levels", read: func(n *yaml.Node, path string) {
			levelsNode = n
			d.list(n, path, func(_ int, item *yaml.Node, path string) {
				v, ok := d.enum(item, path, "temporary_supervised", "supervised", "permanent")
				if !ok {
					return
				}
				l, _ := ParseLevel(v)
				if t.Includes(l) {
					d.problem(item, path, "%s is listed twice", v)
					return
				}
				t.Levels = append(t.Levels, l)
			})
		}},
	}
	for i := range fields {
		read := fields[i].read
		name := fields[i].name
		fields[i].read = func(n *yaml.Node, path string) { present[name] = n; read(n, path) }
	}
	before := len(d.problems)
	if !d.mapping(n, path, "a target", fields) {
		return t, false
	}
	if t.Type == "" {
		return t, false
	}
	allowed := map[TargetType][]string{
		GitHubTeam: {"org", "team", "keep"},
		FileTarget: {"repo", "github_repo", "branch", "path", "format", "key", "keep", "secrets"},
		Manual:     {"instructions", "record", "owners", "keep"},
	}
	required := map[TargetType][]string{
		GitHubTeam: {"org", "team"},
		FileTarget: {"repo", "path", "format"},
		Manual:     {"instructions"},
	}
	common := []string{"name", "type", "levels"}
	for name, v := range present {
		if strings.Contains(name, "[") {
			continue
		}
		if !slices.Contains(common, name) && !slices.Contains(allowed[t.Type], name) {
			d.problem(v, path+"."+name, "not used by %s targets", t.Type)
		}
	}
	for _, name := range required[t.Type] {
		if present[name] == nil {
			d.problem(n, path, "missing required field %q for a %s target", name, t.Type)
		}
	}
	if t.Type == FileTarget && (t.Format == YAMLList || t.Format == TFVarsList) && present["key"] == nil {
		d.problem(n, path, "missing required field \"key\": a %s target needs the key that holds the list", t.Format)
	}
	if t.Type == FileTarget && (t.Format == GPGRecipients || t.Format == GPGID) && present["key"] != nil {
		d.problem(present["key"], path+".key", "not used by the %s format", t.Format)
	}
	if v := present["secrets"]; v != nil && t.Type == FileTarget && t.Format != GPGRecipients && t.Format != GPGID {
		d.problem(v, path+".secrets", "not used by the %s format: only gpg-recipients and gpg-id targets hold secrets", t.Format)
	}
	if t.Type == GitHubTeam {
		for _, f := range []string{"org", "team"} {
			if v := present[f]; v != nil && !githubSlug.MatchString(v.Value) {
				d.problem(v, path+"."+f, "%q is not a GitHub organisation or team slug", v.Value)
			}
		}
	}
	if t.Type == FileTarget {
		d.checkRepository(present, path, t.Repo, &t.GitHubRepo, t.Path)
	}
	if t.Type == Manual && present["record"] == nil {
		if v := present["keep"]; v != nil {
			d.problem(v, path+".keep", "keep entries stay in a record; give the target a record, or remove keep")
		}
		if v := present["owners"]; v != nil {
			d.problem(v, path+".owners", "owners review the pull requests of a record; give the target a record, or remove owners")
		}
	}
	if v := present["owners"]; v != nil && t.Record != nil {
		owner, _, _ := strings.Cut(t.Record.GitHubRepo, "/")
		for i, n := range v.Content {
			if org, _, isTeam := strings.Cut(n.Value, "/"); isTeam && owner != "" && slices.Contains(t.Owners, n.Value) && !strings.EqualFold(org, owner) {
				d.problem(n, fmt.Sprintf("%s.owners[%d]", path, i), "GitHub asks only teams of %s to review pull requests in %s; %s is a team of %s", owner, t.Record.GitHubRepo, n.Value, org)
			}
		}
		if owner == "" {
			d.problem(v, path+".owners", "owners are asked to review pull requests on GitHub, and the record's repository is not on GitHub: give record.github_repo")
		}
	}
	d.normalizeKeep(&t, present, path)
	if len(t.Levels) == 0 {
		if levelsNode != nil && levelsNode.Kind == yaml.SequenceNode && len(levelsNode.Content) == 0 {
			d.problem(levelsNode, path+".levels", "lists no level; remove the field to include all three")
		}
		t.Levels = append([]Level(nil), AccessLevels...)
	}
	return t, len(d.problems) == before
}

// checkRepository checks the fields that place a file in a repository
// (repo, github_repo and path, as found in present) and derives
// github_repo from a GitHub URL.
func (d *decoder) checkRepository(present map[string]*yaml.Node, path, repo string, githubRepo *string, file string) {
	if v := present["github_repo"]; v != nil && !githubRepoRef.MatchString(*githubRepo) {
		d.problem(v, path+".github_repo", "%q is not owner/name", *githubRepo)
	}
	if *githubRepo == "" {
		if m := githubURL.FindStringSubmatch(repo); m != nil {
			*githubRepo = m[1]
		}
	}
	if v := present["repo"]; v != nil && isHTTPURL(repo) {
		if u, err := url.Parse(repo); err != nil || u.Host == "" {
			d.problem(v, path+".repo", "%q is not a URL", RedactURL(repo))
		} else if u.User != nil {
			d.problem(v, path+".repo", "the URL carries a user name or password; give credentials in GITHUB_TOKEN, never in the configuration")
		}
	}
	if v := present["path"]; v != nil && (strings.HasPrefix(file, "/") || strings.Contains("/"+file+"/", "/../")) {
		d.problem(v, path+".path", "%q must be a path inside the repository", file)
	}
}

// record reads a manual target's record: where its lines file is.
func (d *decoder) record(n *yaml.Node, path string) *Record {
	r := &Record{Branch: "main"}
	present := map[string]*yaml.Node{}
	str := func(name string, dst *string) field {
		return field{name: name, required: name == "repo" || name == "path", read: func(n *yaml.Node, path string) {
			present[name] = n
			if v, ok := d.text(n, path); ok {
				*dst = v
			}
		}}
	}
	before := len(d.problems)
	if !d.mapping(n, path, "a record (repo, path, and optionally github_repo, branch and format)", []field{
		str("repo", &r.Repo), str("github_repo", &r.GitHubRepo), str("branch", &r.Branch), str("path", &r.Path),
		// lines is the only format of a record; naming it is allowed.
		{name: "format", read: func(n *yaml.Node, path string) { d.enum(n, path, string(Lines)) }},
	}) {
		return nil
	}
	d.checkRepository(present, path, r.Repo, &r.GitHubRepo, r.Path)
	if len(d.problems) != before {
		return nil
	}
	return r
}

// owners reads the owners of a manual target: GitHub logins and org/team.
func (d *decoder) owners(n *yaml.Node, path string) []string {
	var out []string
	d.list(n, path, func(_ int, item *yaml.Node, path string) {
		v, ok := d.text(item, path)
		if !ok {
			return
		}
		org, team, isTeam := strings.Cut(v, "/")
		switch {
		case isTeam && (!githubSlug.MatchString(org) || !githubSlug.MatchString(team)):
			d.problem(item, path, "%q is not a GitHub team written as org/team", v)
		case !isTeam && !ValidGitHubLogin(v):
			d.problem(item, path, "%q is not a GitHub login, nor a team written as org/team", v)
		case slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, v) }):
			d.problem(item, path, "%s is listed twice", v)
		default:
			out = append(out, v)
		}
	})
	if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		d.problem(n, path, "lists no owner; remove the field if the record has none")
	}
	return out
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
		case t.Type == FileTarget && (t.Format == GPGRecipients || t.Format == GPGID):
			f, err := NormalizeFingerprint(v)
			if err != nil {
				d.problem(n, p, "%v", err)
				continue
			}
			t.Keep[i] = f
		case t.Type == GitHubTeam:
			if !ValidGitHubLogin(v) {
				d.problem(n, p, "%q is not a GitHub login", v)
			}
		}
	}
}
