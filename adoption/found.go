package adoption

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// What a target holds is turned into holders: one per identity (a GitHub
// account, a key, a username, an ARN, an email of a record), whatever
// target it is found in, with what the targets and the keys say about
// whose it is.

// Kinds of identity, as the targets write them.
const (
	kindGitHub = "github"
	kindKey    = "gpg_fingerprint"
	kindSSH    = "ssh_username"
	kindARN    = "aws_user_arn"
	kindEmail  = "email" // a manual target's record
)

// kindOf is the kind of identity a target holds.
func kindOf(t *config.Target) string {
	switch t.IdentityField() {
	case "github":
		return kindGitHub
	case "gpg_fingerprint":
		return kindKey
	case "ssh_username":
		return kindSSH
	case "aws_user_arn":
		return kindARN
	}
	return kindEmail
}

// said is one thing a source says, and where it says it.
type said struct {
	value  string // as written
	source string // "the GitHub profile of alexlead-gds", "the comment in hieradata"
}

// node is a holder, or a person file that exists already: what adoption
// links into people.
type node struct {
	kind    string // a kind of identity, or "file"
	subject string // the identity as first written (the person's id for a file)
	anchor  string // kind:normalized subject; "" for a file
	entries []outcome.FoundEntry

	emails    map[string][]said // by lower-case address
	names     map[string][]said // full names (two words or more), by normalized text
	tokens    []said            // a single word that may be a name, from a comment
	usernames map[string][]said // by normalized text: logins, usernames, the user of an ARN

	profile *Profile
	machine []string // why it looks like a machine's
	person  *model.Person
	// anchors are the identities the node holds, by kind: what no person
	// may hold two of.
	anchors map[string]string
}

func newNode(kind, subject string) *node {
	return &node{kind: kind, subject: subject, emails: map[string][]said{}, names: map[string][]said{}, usernames: map[string][]said{}, anchors: map[string]string{}}
}

func (n *node) addEmail(v, source string) {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "" || !strings.Contains(v, "@") {
		return
	}
	n.emails[v] = appendSaid(n.emails[v], said{v, source})
}

func (n *node) addName(v, source string) {
	v = strings.Join(strings.Fields(v), " ")
	if len(strings.Fields(v)) < 2 {
		if v != "" {
			n.tokens = append(n.tokens, said{v, source})
		}
		return
	}
	k := normName(v)
	n.names[k] = appendSaid(n.names[k], said{v, source})
}

func (n *node) addUsername(v, source string) {
	if k := normUser(v); k != "" {
		n.usernames[k] = appendSaid(n.usernames[k], said{v, source})
	}
}

func appendSaid(l []said, s said) []said {
	if slices.Contains(l, s) {
		return l
	}
	return append(l, s)
}

// normName is a full name as compared: lower case, single spaces, no
// punctuation.
func normName(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	}), " ")
}

// normUser is a username as compared: lower-case letters and digits.
func normUser(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// machineWords name what is not a person: a bot, a server, a pipeline.
var machineWords = map[string]bool{
	"bot": true, "robot": true, "ci": true, "puppet": true, "puppetmaster": true, "concourse": true,
	"deploy": true, "deployer": true, "automation": true, "machine": true, "server": true,
	"terraform": true, "cron": true, "svc": true, "noreply": true,
}

// machineHint says why text names a machine, or "".
func machineHint(text, source string) string {
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if !machineWords[w] {
			continue
		}
		if strings.HasPrefix(source, "the comment") || strings.HasPrefix(source, "the user id") || strings.HasPrefix(source, "the GitHub profile") {
			return fmt.Sprintf("%q in %s names a machine (%q)", text, source, w)
		}
		return fmt.Sprintf("%s %q names a machine (%q)", source, text, w)
	}
	return ""
}

var (
	angleEmail = regexp.MustCompile(`<([^<>\s]+@[^<>\s]+)>`)
	bareEmail  = regexp.MustCompile(`[^\s<>(),;]+@[^\s<>(),;]+\.[^\s<>(),;]+`)
)

// readComment takes a comment apart: its emails, and the rest as a name
// (or a single word, which may be a first name). A comment that names a
// machine is that, and no name.
func (n *node) readComment(text, source string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	if h := machineHint(text, source); h != "" {
		n.machine = append(n.machine, h)
		return
	}
	rest := text
	for _, m := range angleEmail.FindAllStringSubmatch(text, -1) {
		n.addEmail(m[1], source)
		rest = strings.Replace(rest, m[0], " ", 1)
	}
	for _, m := range bareEmail.FindAllString(rest, -1) {
		n.addEmail(m, source)
		rest = strings.Replace(rest, m, " ", 1)
	}
	rest = strings.Trim(strings.Join(strings.Fields(rest), " "), " -,;:()")
	if rest != "" && strings.IndexFunc(rest, unicode.IsLetter) >= 0 {
		n.addName(rest, source)
	}
}

// arnUser is the user name at the end of an IAM user ARN.
func arnUser(arn string) string {
	_, user, ok := strings.Cut(arn, ":user/")
	if !ok {
		return ""
	}
	return user[strings.LastIndexByte(user, '/')+1:]
}

// Profile is what GitHub's public profile of an account says.
type Profile struct {
	Login string
	ID    int64
	Name  string
	Email string
	Bot   bool
}

// holders turns what the targets hold into nodes, one per identity: the
// entries of a target are grouped with the same identity in other
// targets. Kept entries are set aside, by target.
func (in *Input) holders() ([]*node, map[string][]string) {
	byAnchor := map[string]*node{}
	var out []*node
	kept := map[string][]string{}
	keys := map[string][]outcome.KeyIdentity{}
	for _, k := range in.Keys {
		keys[k.Fingerprint] = append(keys[k.Fingerprint], k)
	}
	for _, st := range in.States {
		t := in.Config.Target(st.Target)
		if t == nil {
			continue
		}
		kind := kindOf(t)
		for _, e := range st.Entries {
			if t.Kept(e.Subject) {
				kept[t.Name] = append(kept[t.Name], e.Subject)
				continue
			}
			anchor := kind + ":" + t.SubjectKey(e.Subject)
			n := byAnchor[anchor]
			if n == nil {
				n = newNode(kind, e.Subject)
				n.anchor = anchor
				n.anchors[kind] = t.SubjectKey(e.Subject)
				byAnchor[anchor] = n
				out = append(out, n)
				in.describe(n, keys[t.SubjectKey(e.Subject)])
			}
			fe := outcome.FoundEntry{Target: t.Name, Subject: e.Subject}
			if e.Label != "" {
				source := fmt.Sprintf("the comment in %s", t.Name)
				n.readComment(e.Label, source)
				fe.Says = append(fe.Says, fmt.Sprintf("comment %q", e.Label))
			}
			if e.Pending {
				fe.Says = append(fe.Says, "invited, not yet accepted")
			}
			if e.ChildTeam != "" {
				fe.Says = append(fe.Says, "a member through child team "+e.ChildTeam)
			}
			n.entries = append(n.entries, fe)
		}
	}
	return out, kept
}

// describe adds what is known of a holder beyond its targets: a GitHub
// account's profile, a key's user ids, a username, the user of an ARN.
func (in *Input) describe(n *node, keys []outcome.KeyIdentity) {
	switch n.kind {
	case kindGitHub:
		source := "the GitHub profile of " + n.subject
		n.addUsername(n.subject, "the GitHub login")
		if st := stem(n.subject); st != "" {
			// A login with the suffix an organisation gives its
			// accounts (alexlead-gds) is the username alexlead.
			n.addUsername(st, "the GitHub login "+n.subject)
		}
		if h := machineHint(n.subject, "the GitHub login"); h != "" {
			n.machine = append(n.machine, h)
		}
		p, ok := in.Profiles[strings.ToLower(n.subject)]
		if !ok {
			return
		}
		n.profile = &p
		if p.Bot {
			n.machine = append(n.machine, "GitHub says "+n.subject+" is a bot")
		}
		if p.Name != "" {
			if h := machineHint(p.Name, source); h != "" {
				n.machine = append(n.machine, h)
			} else {
				n.addName(p.Name, source)
			}
		}
		n.addEmail(p.Email, source)
	case kindKey:
		for _, k := range keys {
			source := "the user id of the key in " + k.File
			for _, name := range k.Names {
				if h := machineHint(name, source); h != "" {
					n.machine = append(n.machine, h)
					continue
				}
				n.addName(name, source)
			}
			for _, e := range k.Emails {
				n.addEmail(e, source)
			}
		}
	case kindSSH:
		n.addUsername(n.subject, "the SSH username")
		if h := machineHint(n.subject, "the username"); h != "" {
			n.machine = append(n.machine, h)
		}
	case kindARN:
		user := arnUser(n.subject)
		if strings.Contains(user, "@") {
			n.addEmail(user, "the AWS user name")
		} else if user != "" {
			n.addUsername(user, "the AWS user name")
			if h := machineHint(user, "the AWS user"); h != "" {
				n.machine = append(n.machine, h)
			}
		}
	case kindEmail:
		n.addEmail(n.subject, "a record's entry "+n.subject)
	}
}

// fileNode is a person file that exists already: its identities are its
// anchors, and its name, email and usernames link it as a holder's do.
func fileNode(p *model.Person, cfg *config.Config) *node {
	n := newNode("file", p.ID)
	n.person = p
	n.anchors["file"] = p.ID
	source := "the file " + p.File
	for _, kind := range []string{kindGitHub, kindKey, kindSSH, kindARN, kindEmail} {
		if v := identityOf(p, kind); v != "" {
			n.anchors[kind] = subjectKey(cfg, kind, v)
		}
	}
	n.addEmail(p.Email, source)
	if p.Name != "" {
		n.addName(p.Name, source)
	}
	if p.GitHub != "" {
		n.addUsername(p.GitHub, "github in "+p.File)
		if st := stem(p.GitHub); st != "" {
			n.addUsername(st, "github in "+p.File)
		}
	}
	if p.SSHUsername != "" {
		n.addUsername(p.SSHUsername, "ssh_username in "+p.File)
	}
	return n
}

// identityOf is what a person file gives for a kind of identity.
func identityOf(p *model.Person, kind string) string {
	switch kind {
	case kindGitHub:
		return p.GitHub
	case kindKey:
		return p.GPGFingerprint
	case kindSSH:
		return p.SSHUsername
	case kindARN:
		return p.AWSUserARN
	case kindEmail:
		return p.Email
	}
	return ""
}

// subjectKey compares an identity of a kind as a target of that kind
// does.
func subjectKey(cfg *config.Config, kind, v string) string {
	for i := range cfg.Targets {
		if t := &cfg.Targets[i]; kindOf(t) == kind {
			return t.SubjectKey(v)
		}
	}
	switch kind {
	case kindGitHub, kindEmail:
		return strings.ToLower(v)
	}
	return v
}
