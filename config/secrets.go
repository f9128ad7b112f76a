package config

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/prodaccess/prodaccess/internal/strictyaml"
	"github.com/prodaccess/prodaccess/model"
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

// SecretsSettings are the limits of re-encryption and rotation: the
// configuration's secrets section.
type SecretsSettings struct {
	// MaxPlaintextBytes is the largest plaintext one secret may decrypt
	// to: past it the secret is refused, and gpg is stopped.
	MaxPlaintextBytes int
	// RotateWithinDays is how many days after a person loses access the
	// values they could read may wait for a new value before an access
	// review flags them.
	RotateWithinDays int
}

// The defaults of the secrets section.
const (
	DefaultMaxPlaintextBytes = 4 << 20
	DefaultRotateWithinDays  = 7
)

// SubStore says who may be in a sub-store of a gpg-id target: a folder
// below the target's .gpg-id with a .gpg-id of its own. Exactly one of
// People, PeopleOf and KeepOwnList is set. A sub-store that is not
// configured keeps its own list too, and prodaccess warns that it does.
type SubStore struct {
	Path string // the folder of its .gpg-id, in the repository
	// People are the ids of the people who may be there: each of them
	// who is entitled to the target is added, and everyone else removed.
	People []string
	// PeopleOf names another target: the people it entitles who are also
	// entitled to this one are added, and everyone else removed.
	PeopleOf string
	// KeepOwnList keeps the sub-store's list, removing only those not
	// entitled to the target, and adds no one.
	KeepOwnList bool
	Pos         model.Pos
}

// StoreDir is, for a gpg-id target, the folder of its .gpg-id: the
// password store it governs with every folder below it ("." for the
// repository's root). It is "" for other targets.
func (t *Target) StoreDir() string {
	if t.Type != model.FileTarget || t.Format != GPGID {
		return ""
	}
	return path.Dir(t.Path)
}

// SubStore returns how the sub-store in folder dir is configured, or nil.
func (t *Target) SubStore(dir string) *SubStore {
	for i := range t.SubStores {
		if t.SubStores[i].Path == dir {
			return &t.SubStores[i]
		}
	}
	return nil
}

// InStore reports whether name, a path in the repository, lies inside the
// folder dir ("." holds everything).
func InStore(dir, name string) bool {
	return dir == "." || strings.HasPrefix(name, dir+"/")
}

var (
	secretsSettingsShape = strictyaml.MappingOf(secretsSettingsTable, "The limits of re-encrypting secrets and rotating their values.")
	maxPlaintextShape    = strictyaml.IntegerIn(1024, 1<<30, "The largest plaintext, in bytes, that one secret may decrypt to when it is re-encrypted or checked for rotation (default 4194304, 4 MiB); a larger one is refused and gpg stopped.")
	rotateWithinShape    = strictyaml.IntegerIn(1, 365, "How many days after a person loses access the values they could read may wait for a new value before an access review flags them (default 7).")
	subStoresShape       = strictyaml.ListOf(strictyaml.MappingOf(subStoreTable, "Who may be in one sub-store: give exactly one of people, people_of and keep_own_list."),
		"gpg-id: who may be in each sub-store, a folder below the target's .gpg-id with a .gpg-id of its own. A sub-store not listed keeps its own list: anyone not entitled to the target is removed, and no one added.")
	subStorePathShape  = strictyaml.Text("The folder of the sub-store's .gpg-id, a path in the repository below the target's own folder.")
	subStorePeople     = strictyaml.ListOf(strictyaml.TextMatching(model.IDPattern, model.MaxIDLength, "a person's id", ""), "The ids of the people who may be there; those of them entitled to the target are added, everyone else removed.")
	subStorePeopleOf   = strictyaml.TextMatching(model.IDPattern, 64, "a target's name", "Another target: the people it entitles who are also entitled to this target are added, everyone else removed.")
	subStoreKeepOwnOne = strictyaml.Boolean("true: keep the sub-store's own list, removing only those not entitled to the target, and adding no one.")
)

func secretsSettingsTable() []strictyaml.Field {
	return new(decoder).secretsSettingsFields(new(SecretsSettings))
}

func (d *decoder) secretsSettingsFields(s *SecretsSettings) []strictyaml.Field {
	return []strictyaml.Field{
		{Name: "max_plaintext_bytes", Is: maxPlaintextShape, Read: d.intInto(&s.MaxPlaintextBytes, maxPlaintextShape)},
		{Name: "rotate_within", Is: rotateWithinShape, Read: d.intInto(&s.RotateWithinDays, rotateWithinShape)},
	}
}

func subStoreTable() []strictyaml.Field { return new(decoder).subStoreFields(new(SubStore)) }

func (d *decoder) subStoreFields(s *SubStore) []strictyaml.Field {
	return []strictyaml.Field{
		{Name: "path", Required: true, Is: subStorePathShape, Read: func(n *yaml.Node, p string) {
			v, ok := d.Text(n, p)
			if !ok {
				return
			}
			if msg := CheckGlob(v); msg != "" || strings.ContainsAny(v, `*?[\`) {
				if msg == "" {
					msg = "must be a folder, not a pattern"
				}
				d.Problem(n, p, "%q %s", v, msg)
				return
			}
			s.Path = strings.TrimSuffix(v, "/")
		}},
		{Name: "people", Is: subStorePeople, Read: func(n *yaml.Node, p string) {
			s.People = []string{}
			d.List(n, p, func(_ int, item *yaml.Node, p string) {
				v, ok := d.Text(item, p)
				switch {
				case !ok:
				case !model.ValidID(v):
					d.Problem(item, p, "%q is not a person's id", v)
				case slices.Contains(s.People, v):
					d.Problem(item, p, "%s is listed twice", v)
				default:
					s.People = append(s.People, v)
				}
			})
		}},
		d.TextField("people_of", false, subStorePeopleOf, &s.PeopleOf, nil),
		{Name: "keep_own_list", Is: subStoreKeepOwnOne, Read: func(n *yaml.Node, p string) {
			if v, ok := d.Boolean(n, p); ok {
				if !v {
					d.Problem(n, p, "give true, or leave keep_own_list out")
					return
				}
				s.KeepOwnList = true
			}
		}},
	}
}

// subStores reads a gpg-id target's sub_stores.
func (d *decoder) subStores(n *yaml.Node, p string) []SubStore {
	var out []SubStore
	d.List(n, p, func(_ int, item *yaml.Node, p string) {
		s := SubStore{Pos: model.Pos{Line: item.Line, Col: item.Column}}
		before := len(d.Problems)
		if !d.Mapping(item, p, "a sub-store", d.subStoreFields(&s)) || len(d.Problems) != before {
			return
		}
		given := 0
		for _, set := range []bool{s.People != nil, s.PeopleOf != "", s.KeepOwnList} {
			if set {
				given++
			}
		}
		if given != 1 {
			d.Problem(item, p, "give exactly one of people, people_of and keep_own_list, to say who may be in %s", s.Path)
			return
		}
		out = append(out, s)
	})
	return out
}

// checkStores checks what needs every target: each sub-store lies below
// its target's folder, once; people_of names another target; and no
// gpg-id target's .gpg-id lies inside another's store, which governs its
// whole folder.
func (d *decoder) checkStores(c *Config) {
	at := func(p model.Pos) *yaml.Node { return &yaml.Node{Line: p.Line, Column: p.Col} }
	for i := range c.Targets {
		t := &c.Targets[i]
		dir := t.StoreDir()
		seen := map[string]bool{}
		for _, s := range t.SubStores {
			where := fmt.Sprintf("targets[%d].sub_stores", i)
			switch {
			case !InStore(dir, s.Path) || s.Path == dir:
				d.Problem(at(s.Pos), where, "%s is not a folder below the target's store %s", s.Path, dir)
			case seen[s.Path]:
				d.Problem(at(s.Pos), where, "%s is listed twice", s.Path)
			case s.PeopleOf == t.Name:
				d.Problem(at(s.Pos), where, "people_of names the target itself; use keep_own_list, or list the people")
			case s.PeopleOf != "" && c.Target(s.PeopleOf) == nil:
				d.Problem(at(s.Pos), where, "people_of names %q, which is not a target", s.PeopleOf)
			}
			seen[s.Path] = true
		}
		for j := range c.Targets {
			o := &c.Targets[j]
			if j == i || dir == "" || o.StoreDir() == "" || o.Repo != t.Repo || !InStore(dir, o.StoreDir()) || o.StoreDir() == dir {
				continue
			}
			d.Problem(at(o.Pos), fmt.Sprintf("targets[%d]", j), "its .gpg-id is inside the store of target %s (%s), which governs every folder below it: describe who may be in %s under the sub_stores of %s instead",
				t.Name, dir, o.StoreDir(), t.Name)
		}
	}
}
