package config

import (
	"path"
	"strings"

	"github.com/prodaccess/prodaccess/internal/strictyaml"
	"github.com/prodaccess/prodaccess/model"
	"go.yaml.in/yaml/v3"
)

// secretGlobs reads a target's secrets: a list of {glob, format}. An empty
// list is kept as empty (not nil): it turns off a gpg-id target's default.
func (d *decoder) secretGlobs(n *yaml.Node, p string) []SecretGlob {
	out := []SecretGlob{}
	d.List(n, p, func(_ int, item *yaml.Node, p string) {
		g := SecretGlob{Pos: model.Pos{Line: item.Line, Col: item.Column}}
		ok := d.Mapping(item, p, "a secrets entry", d.secretFields(&g))
		if ok && g.Glob != "" && g.Format != "" {
			out = append(out, g)
		}
	})
	return out
}

// secretTable is the fields of a secrets entry, for the schema.
func secretTable() []strictyaml.Field { return new(decoder).secretFields(new(SecretGlob)) }

// secretFields are the fields of a secrets entry, read into g.
func (d *decoder) secretFields(g *SecretGlob) []strictyaml.Field {
	return []strictyaml.Field{
		{Name: "glob", Required: true, Is: secretGlobShape, Read: func(n *yaml.Node, p string) {
			v, ok := d.Text(n, p)
			if !ok {
				return
			}
			if msg := CheckGlob(v); msg != "" {
				d.Problem(n, p, "%q %s", v, msg)
				return
			}
			g.Glob = v
		}},
		strictyaml.EnumField(&d.Decoder, "format", true, secretFormatShape, &g.Format),
	}
}

var (
	secretGlobShape   = strictyaml.Text("Files inside the repository: folders separated by /, each ** (any number of folders) or a pattern such as *.gpg.")
	secretFormatShape = strictyaml.OneOf("openpgp: whole OpenPGP files (pass's *.gpg); eyaml-gpg: ENC[GPG,...] values in YAML; sops: sops files.", model.OpenPGPFiles, model.EYAMLGPG, model.SOPS)
)

// CheckGlob says what is wrong with a secrets glob, or "" when it is a
// pattern of paths inside the repository: folders separated by "/", each
// "**" (any number of folders) or a path.Match pattern.
func CheckGlob(glob string) string {
	if glob == "" || strings.HasPrefix(glob, "/") {
		return "must be a path inside the repository, not an absolute one"
	}
	for _, seg := range strings.Split(glob, "/") {
		switch {
		case seg == "" || seg == "." || seg == "..":
			return "must be a path inside the repository: no empty, \".\" or \"..\" parts"
		case seg == "**":
		case strings.Contains(seg, "**"):
			return "uses ** inside a name; ** must be a whole part of the path, as in a/**/b.gpg"
		default:
			if _, err := path.Match(seg, ""); err != nil {
				return "is not a valid pattern: " + err.Error()
			}
		}
	}
	return ""
}

// MatchGlob reports whether name, a slash-separated path, matches a glob
// that CheckGlob accepts.
func MatchGlob(glob, name string) bool {
	return matchParts(strings.Split(glob, "/"), strings.Split(name, "/"))
}

func matchParts(glob, name []string) bool {
	for len(glob) > 0 {
		if glob[0] == "**" {
			for i := 0; i <= len(name); i++ {
				if matchParts(glob[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(glob[0], name[0]); !ok {
			return false
		}
		glob, name = glob[1:], name[1:]
	}
	return len(name) == 0
}

// GlobRoot is the folder a glob's matches all lie under: its leading parts
// without pattern characters ("." when there are none).
func GlobRoot(glob string) string {
	parts := strings.Split(glob, "/")
	var fixed []string
	for _, seg := range parts[:len(parts)-1] {
		if seg == "**" || strings.ContainsAny(seg, `*?[\`) {
			break
		}
		fixed = append(fixed, seg)
	}
	if len(fixed) == 0 {
		return "."
	}
	return strings.Join(fixed, "/")
}
