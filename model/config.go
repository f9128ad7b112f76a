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
)

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

	Keep   []string // entries that are not people and always stay
	Levels []Level  // the levels the target includes

	// Secrets are where a GPG target's encrypted secrets are (see
	// SecretGlobs for the default).
	Secrets []SecretGlob

	// ChildTeams are the child teams (github-team) whose members may hold
	// the team's access without being entitled to it. A member through any
	// other child team who is not entitled is an error.
	ChildTeams []ChildTeam

	Pos Pos
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
		Safety:       Safety{MaxRemovalFraction: 0.25, ManualWindowDays: 7},
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
	githubSlug     = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$`)
	githubRepoName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)
	githubURL      = regexp.MustCompile(`^(?:https://github\.com/|git@github\.com:|ssh://git@github\.com/)([A-Za-z0-9-]+/[A-Za-z0-9._-]+?)(?:\.git)?/?$`)
)

// ValidGitHubSlug reports whether s can be a GitHub organisation or team
// slug.
func ValidGitHubSlug(s string) bool { return len(s) <= 255 && githubSlug.MatchString(s) }

// SplitGitHubRepo splits "owner/name" and reports whether both parts
// follow GitHub's rules: the owner a login, the name letters, digits, '.',
// '-' and '_', and neither "." nor "..", which would climb out of the
// repository in an API path.
func SplitGitHubRepo(s string) (owner, name string, ok bool) {
	owner, name, found := strings.Cut(s, "/")
	if !found || !ValidGitHubLogin(owner) || !githubRepoName.MatchString(name) || name == "." || name == ".." {
		return "", "", false
	}
	return owner, name, true
}

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
				if _, _, ok := SplitGitHubRepo(v); !ok {
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
	var childNodes []*yaml.Node // the team of each of t.ChildTeams
	var childPaths []string
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
		{name: "keep", read: func(n *yaml.Node, path string) {
			d.list(n, path, func(_ int, item *yaml.Node, path string) {
				if v, ok := d.text(item, path); ok {
					t.Keep = append(t.Keep, v)
					present[path] = item
				}
			})
		}},
		{name: "secrets", read: func(n *yaml.Node, path string) { t.Secrets = d.secretGlobs(n, path) }},
		{name: "child_teams", read: func(n *yaml.Node, path string) {
			d.list(n, path, func(_ int, item *yaml.Node, path string) {
				if ct, node, ok := d.childTeam(item, path, t.ChildTeams); ok {
					t.ChildTeams = append(t.ChildTeams, ct)
					childNodes = append(childNodes, node)
					childPaths = append(childPaths, path+".team")
				}
			})
		}},
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
		GitHubTeam: {"org", "team", "keep", "child_teams"},
		FileTarget: {"repo", "github_repo", "branch", "path", "format", "key", "keep", "secrets"},
		Manual:     {"instructions"},
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
			if v := present[f]; v != nil && !ValidGitHubSlug(v.Value) {
				d.problem(v, path+"."+f, "%q is not a GitHub organisation or team slug", v.Value)
			}
		}
		for i, ct := range t.ChildTeams {
			if strings.EqualFold(ct.Team, t.Team) {
				d.problem(childNodes[i], childPaths[i], "%q is the target's own team, not a child team", ct.Team)
			}
		}
	}
	if t.Type == FileTarget {
		if v := present["github_repo"]; v != nil {
			if _, _, ok := SplitGitHubRepo(t.GitHubRepo); !ok {
				d.problem(v, path+".github_repo", "%q is not a GitHub owner/name: the owner is a GitHub login, the name letters, digits, '.', '-' and '_' (and not . or ..)", t.GitHubRepo)
			}
		}
		if t.GitHubRepo == "" {
			if m := githubURL.FindStringSubmatch(t.Repo); m != nil {
				if _, _, ok := SplitGitHubRepo(m[1]); ok {
					t.GitHubRepo = m[1]
				} else {
					d.problem(present["repo"], path+".repo", "%q does not name a GitHub repository that pull requests can be opened in (%q is not owner/name)", t.Repo, m[1])
				}
			}
		}
		if v := present["repo"]; v != nil && isHTTPURL(t.Repo) {
			if u, err := url.Parse(t.Repo); err != nil || u.Host == "" {
				d.problem(v, path+".repo", "%q is not a URL", RedactURL(t.Repo))
			} else if u.User != nil {
				d.problem(v, path+".repo", "the URL carries a user name or password; give credentials in GITHUB_TOKEN, never in the configuration")
			}
		}
		if v := present["path"]; v != nil && (strings.HasPrefix(t.Path, "/") || strings.Contains("/"+t.Path+"/", "/../")) {
			d.problem(v, path+".path", "%q must be a path inside the repository", t.Path)
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

// childTeam reads one child_teams entry; earlier are the entries read
// before it.
func (d *decoder) childTeam(n *yaml.Node, path string, earlier []ChildTeam) (ChildTeam, *yaml.Node, bool) {
	var ct ChildTeam
	var teamNode *yaml.Node
	before := len(d.problems)
	d.mapping(n, path, "a child team", []field{
		{name: "team", required: true, read: func(n *yaml.Node, path string) {
			v, ok := d.text(n, path)
			switch {
			case !ok:
			case !ValidGitHubSlug(v):
				d.problem(n, path, "%q is not a GitHub team slug", v)
			default:
				for _, e := range earlier {
					if strings.EqualFold(e.Team, v) {
						d.problem(n, path, "child team %q is listed twice", v)
						return
					}
				}
				ct.Team, teamNode = v, n
			}
		}},
		{name: "reason", required: true, read: func(n *yaml.Node, path string) {
			if v, ok := d.text(n, path); ok {
				if strings.TrimSpace(v) == "" {
					d.problem(n, path, "give the reason its members may keep the access")
					return
				}
				ct.Reason = v
			}
		}},
	})
	return ct, teamNode, len(d.problems) == before && ct.Team != ""
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
