package gitfile

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/prodaccess/prodaccess/model"
	"go.yaml.in/yaml/v3"
)

// yamlList is the yaml-list format: a list of strings under one top-level
// key of a YAML file, such as users::usernames in puppet's hieradata. Only
// the lines of the list change; the rest of the file, comments included,
// stays byte for byte.
type yamlList struct{ key string }

// list finds the list node. The file must hold the key, at the top level,
// with a list of plain strings.
func (y yamlList) list(content []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(content, &doc); err != nil {
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("the file is not a YAML mapping")
	}
	root := doc.Content[0]
	var found *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == y.key {
			if found != nil {
				return nil, fmt.Errorf("key %s appears twice", y.key)
			}
			found = root.Content[i+1]
		}
	}
	if found == nil {
		return nil, fmt.Errorf("no top-level key %s", y.key)
	}
	if found.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("line %d: %s is not a list", found.Line, y.key)
	}
	for _, item := range found.Content {
		if item.Kind != yaml.ScalarNode || item.Tag != "!!str" {
			return nil, fmt.Errorf("line %d: an item of %s is not a plain string; prodaccess will not guess what it means", item.Line, y.key)
		}
	}
	return found, nil
}

func (y yamlList) parse(content []byte) ([]model.Entry, error) {
	list, err := y.list(content)
	if err != nil {
		return nil, err
	}
	out := make([]model.Entry, len(list.Content))
	for i, item := range list.Content {
		out[i] = model.Entry{Subject: item.Value}
	}
	return out, nil
}

func (y yamlList) update(content []byte, remove map[string]bool, add []model.Change) ([]byte, error) {
	list, err := y.list(content)
	if err != nil {
		return nil, err
	}
	ls := lines(content)
	if list.Style&yaml.FlowStyle != 0 {
		return y.updateFlow(ls, list, remove, add)
	}
	// A block list: each item is "<prefix>- value" on its own line.
	drop := map[int]bool{}
	prefix, last := "", -1
	for _, item := range list.Content {
		i := item.Line - 1
		line := ls[i]
		if item.Column-1 > len(line) || !strings.HasSuffix(strings.TrimRight(line[:item.Column-1], " "), "-") {
			return nil, fmt.Errorf("line %d: list items must each be on a line of their own", item.Line)
		}
		prefix, last = line[:item.Column-1], i
		if remove[item.Value] {
			drop[i] = true
		}
	}
	var out []string
	for i, line := range ls {
		if !drop[i] {
			out = append(out, line)
		}
		if i == last {
			for _, c := range add {
				out = append(out, prefix+yamlScalar(c.Subject))
			}
		}
	}
	return joinLines(out), nil
}

// updateFlow rewrites a list written on one line, such as "key: []".
func (y yamlList) updateFlow(ls []string, list *yaml.Node, remove map[string]bool, add []model.Change) ([]byte, error) {
	i := list.Line - 1
	line := ls[i]
	start := list.Column - 1
	end := strings.IndexByte(line[start:], ']')
	if start >= len(line) || line[start] != '[' || end < 0 {
		return nil, fmt.Errorf("line %d: a list written inline must fit on one line", list.Line)
	}
	var items []string
	for _, item := range list.Content {
		if !remove[item.Value] {
			items = append(items, yamlScalar(item.Value))
		}
	}
	for _, c := range add {
		items = append(items, yamlScalar(c.Subject))
	}
	ls[i] = line[:start] + "[" + strings.Join(items, ", ") + "]" + line[start+end+1:]
	return joinLines(ls), nil
}

var plainSafe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.@/-]*$`)

// yamlScalar writes s so that every YAML reader reads it back as the same
// string: plain when that is certain, quoted otherwise.
func yamlScalar(s string) string {
	if plainSafe.MatchString(s) {
		var n yaml.Node
		if yaml.Unmarshal([]byte(s), &n) == nil && len(n.Content) == 1 && n.Content[0].Tag == "!!str" && !yaml11Special(s) {
			return s
		}
	}
	return strconv.Quote(s)
}

// yaml11Special reports words that YAML 1.1 readers take for booleans.
func yaml11Special(s string) bool {
	switch strings.ToLower(s) {
	case "y", "yes", "n", "no", "on", "off", "true", "false", "null", "~":
		return true
	}
	return false
}
