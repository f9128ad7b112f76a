package config

import (
	"net"
	"net/url"
	"regexp"
	"strings"

	"github.com/prodaccess/prodaccess/internal/strictyaml"
	"github.com/prodaccess/prodaccess/model"
	"go.yaml.in/yaml/v3"
)

// GitCredential names the credentials prodaccess sends to one git host
// other than GitHub's over https: the environment variables that hold the
// user name and the password (or token). The values themselves are never
// in the configuration. GITHUB_TOKEN goes only to GitHub's own host, so
// no entry may name it.
type GitCredential struct {
	Host        string // host or host:port, lower case
	UsernameEnv string
	PasswordEnv string
	Pos         model.Pos
}

// HostKey is host:port of an https URL's host, in lower case, as
// git_credentials entries are matched: the port is 443 when none is given.
func HostKey(host string) string {
	h, p, err := net.SplitHostPort(host)
	if err != nil {
		h, p = host, "443"
	}
	return net.JoinHostPort(strings.ToLower(strings.Trim(h, "[]")), p)
}

// GitCredentialFor returns the entry of git_credentials for the host of
// an https URL (u.Host), or nil.
func (c *Config) GitCredentialFor(u *url.URL) *GitCredential {
	key := HostKey(u.Host)
	for i := range c.GitCredentials {
		if HostKey(c.GitCredentials[i].Host) == key {
			return &c.GitCredentials[i]
		}
	}
	return nil
}

var (
	gitHostPattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$`)
	envNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

	gitCredentialsShape = strictyaml.ListOf(strictyaml.MappingOf(gitCredentialTable, "The credentials of one git host other than GitHub."),
		"The credentials prodaccess sends to git hosts other than GitHub's, over https: for each host, the environment variables holding the user name and password. Any other host gets none; GITHUB_TOKEN goes only to GitHub.")
	gitHostShape = strictyaml.TextMatching(gitHostPattern, 260, "a host name, with :port if not 443 (such as git.example.org)",
		"The host, as in the repository's https URL: a name, with :port if it is not 443.")
	envNameShape = strictyaml.TextMatching(envNamePattern, 100, "the name of an environment variable (letters, digits and _)", "")
)

// gitCredentialTable is the fields of a git_credentials entry, for the
// schema.
func gitCredentialTable() []strictyaml.Field {
	return new(decoder).gitCredentialFields(new(GitCredential))
}

func (d *decoder) gitCredentialFields(g *GitCredential) []strictyaml.Field {
	env := func(name, doc string, dst *string) strictyaml.Field {
		is := envNameShape.WithDoc(doc)
		return strictyaml.Field{Name: name, Required: true, Is: is, Read: func(n *yaml.Node, path string) {
			v, ok := d.Text(n, path)
			if !ok || !d.Matches(n, path, v, is) {
				return
			}
			if strings.EqualFold(v, "GITHUB_TOKEN") {
				d.Problem(n, path, "GITHUB_TOKEN goes only to GitHub; give this host a credential of its own")
				return
			}
			*dst = v
		}}
	}
	return []strictyaml.Field{
		{Name: "host", Required: true, Is: gitHostShape, Read: func(n *yaml.Node, path string) {
			v, ok := d.Text(n, path)
			if !ok || !d.Matches(n, path, v, gitHostShape) {
				return
			}
			if h := strings.ToLower(v); h == "github.com" || strings.HasPrefix(h, "github.com:") {
				d.Problem(n, path, "github.com gets GITHUB_TOKEN; list only other hosts here")
				return
			}
			g.Host = strings.ToLower(v)
		}},
		env("username_env", "The environment variable that holds the user name.", &g.UsernameEnv),
		env("password_env", "The environment variable that holds the password or token.", &g.PasswordEnv),
	}
}

// gitCredentials reads git_credentials.
func (d *decoder) gitCredentials(n *yaml.Node, path string) []GitCredential {
	var out []GitCredential
	seen := map[string]int{}
	d.List(n, path, func(_ int, item *yaml.Node, path string) {
		g := GitCredential{Pos: model.Pos{Line: item.Line, Col: item.Column}}
		before := len(d.Problems)
		d.Mapping(item, path, "a git credential (host, username_env, password_env)", d.gitCredentialFields(&g))
		if len(d.Problems) > before || g.Host == "" {
			return
		}
		if line, dup := seen[HostKey(g.Host)]; dup {
			d.Problem(item, path+".host", "host %s is already listed at line %d", g.Host, line)
			return
		}
		seen[HostKey(g.Host)] = item.Line
		out = append(out, g)
	})
	return out
}
