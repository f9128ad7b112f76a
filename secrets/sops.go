package secrets

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// sopsOtherKeys are the sops master key kinds other than OpenPGP: whoever
// holds one of them can open the file too, outside what prodaccess sees.
var sopsOtherKeys = []string{"kms", "gcp_kms", "azure_kv", "hc_vault", "age"}

// scanSOPS reads who can open a sops file (YAML or JSON): the recipients of
// the data key, encrypted once per OpenPGP key under sops.pgp (and under
// each of sops.key_groups).
func scanSOPS(name string, data []byte) outcome.Secret {
	s := outcome.Secret{File: name, Line: 1, Format: model.SOPS, Key: "(sops data key)"}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		s.Problem = fmt.Sprintf("not valid YAML or JSON (%v)", err)
		return s
	}
	meta := mapValue(doc.Content, "sops")
	if meta == nil || meta.Kind != yaml.MappingNode {
		s.Problem = "no sops metadata: the file has no top-level sops mapping"
		return s
	}
	s.Line = meta.Line
	groups := []*yaml.Node{meta}
	if kg := mapValue([]*yaml.Node{meta}, "key_groups"); kg != nil && kg.Kind == yaml.SequenceNode {
		groups = append(groups, kg.Content...)
	}
	var h header
	entries := 0
	for _, g := range groups {
		for _, kind := range sopsOtherKeys {
			if v := mapValue([]*yaml.Node{g}, kind); v != nil && v.Kind == yaml.SequenceNode && len(v.Content) > 0 {
				s.Notes = append(s.Notes, fmt.Sprintf("also opens with %d %s key(s), which prodaccess does not check", len(v.Content), kind))
			}
		}
		pgp := mapValue([]*yaml.Node{g}, "pgp")
		if pgp == nil || pgp.Kind != yaml.SequenceNode {
			continue
		}
		for i, item := range pgp.Content {
			entries++
			enc := mapValue([]*yaml.Node{item}, "enc")
			if enc == nil || enc.Kind != yaml.ScalarNode {
				s.Problem = fmt.Sprintf("line %d: sops.pgp[%d] has no enc", item.Line, i)
				return s
			}
			m, err := readMessage([]byte(enc.Value))
			if err != nil {
				s.Problem = fmt.Sprintf("line %d: the data key encrypted for sops.pgp[%d]: %v", enc.Line, i, err)
				return s
			}
			h.keyIDs = append(h.keyIDs, m.keyIDs...)
			h.fingerprints = append(h.fingerprints, m.fingerprints...)
			h.hidden += m.hidden
			h.symmetric += m.symmetric
		}
	}
	if entries == 0 {
		s.Problem = "the sops metadata lists no pgp key"
		if len(s.Notes) > 0 {
			s.Problem += " (" + strings.Join(s.Notes, "; ") + ")"
		}
		return s
	}
	slices.Sort(h.keyIDs)
	slices.Sort(h.fingerprints)
	h.fill(&s)
	return s
}

// mapValue returns the value of key in the first mapping among nodes (a
// document's content or a mapping).
func mapValue(nodes []*yaml.Node, key string) *yaml.Node {
	for _, n := range nodes {
		if n.Kind == yaml.DocumentNode {
			return mapValue(n.Content, key)
		}
		if n.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1]
			}
		}
	}
	return nil
}
