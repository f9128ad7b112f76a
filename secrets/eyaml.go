package secrets

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

// eyamlOpen starts a hiera-eyaml-gpg block; the base64 of a binary OpenPGP
// message follows, possibly folded over several lines, up to "]".
const eyamlOpen = "ENC[GPG,"

// eyamlBlock is one ENC[GPG,...] block of a file.
type eyamlBlock struct {
	start, end int    // the byte range of the base64 and the space around it, between "ENC[GPG," and "]"
	line       int    // where the block starts
	key        string // the YAML key that holds it; "" when none does (a comment)
	base64     string // the text between the brackets without white space
	problem    string // why it cannot be read
}

// eyamlBlocks finds every ENC[GPG,...] block in a file, wherever it is:
// a block in a comment is ciphertext too. The YAML keys name them.
func eyamlBlocks(data []byte) ([]eyamlBlock, error) {
	var blocks []eyamlBlock
	line, counted := 1, 0 // the line at byte counted
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte(eyamlOpen))
		if j < 0 {
			break
		}
		start := i + j + len(eyamlOpen)
		line += bytes.Count(data[counted:start], []byte("\n"))
		counted = start
		b := eyamlBlock{start: start, line: line}
		k := start
		var text strings.Builder
		for ; k < len(data) && data[k] != ']'; k++ {
			c := data[k]
			switch {
			case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=':
				text.WriteByte(c)
			default:
				if b.problem == "" {
					b.problem = fmt.Sprintf("the block holds %q, which is not base64", c)
				}
			}
		}
		b.base64 = text.String()
		if k == len(data) {
			b.problem = "the block is not closed by ]"
		}
		b.end = k
		blocks = append(blocks, b)
		i = min(k+1, len(data))
	}
	if len(blocks) == 0 {
		return nil, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return blocks, fmt.Errorf("not valid YAML (%v)", err)
	}
	// Name the blocks in file order by the values that hold them.
	next := 0
	var walk func(n *yaml.Node, key string)
	walk = func(n *yaml.Node, key string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, key)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i].Value
				if key != "" {
					k = key + "." + k
				}
				walk(n.Content[i+1], k)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, fmt.Sprintf("%s[%d]", key, i))
			}
		case yaml.ScalarNode:
			for _, part := range strings.Split(n.Value, eyamlOpen)[1:] {
				inner, _, _ := strings.Cut(part, "]")
				inner = strings.Join(strings.Fields(inner), "")
				for m := next; m < len(blocks); m++ {
					if blocks[m].base64 == inner && blocks[m].key == "" {
						blocks[m].key, next = key, m+1
						break
					}
				}
			}
		}
	}
	walk(&doc, "")
	return blocks, nil
}

// scanEYAML reads the recipients of every block of an eyaml file.
func scanEYAML(name string, data []byte) []outcome.Secret {
	blocks, err := eyamlBlocks(data)
	if err != nil {
		return []outcome.Secret{{File: name, Line: 1, Format: model.EYAMLGPG, Problem: err.Error()}}
	}
	out := make([]outcome.Secret, 0, len(blocks))
	for _, b := range blocks {
		s := outcome.Secret{File: name, Key: b.key, Line: b.line, Format: model.EYAMLGPG}
		if s.Key == "" {
			s.Key = fmt.Sprintf("(line %d, outside any value)", b.line)
		}
		msg, problem := b.message()
		if problem == "" {
			h, err := readPackets(bytes.NewReader(msg))
			if err != nil {
				problem = err.Error()
			} else {
				h.binary = msg
				h.fill(&s)
			}
		}
		s.Problem = problem
		out = append(out, s)
	}
	return out
}

// message decodes the block's base64.
func (b *eyamlBlock) message() ([]byte, string) {
	if b.problem != "" {
		return nil, b.problem
	}
	msg, err := base64.StdEncoding.DecodeString(b.base64)
	if err != nil {
		return nil, fmt.Sprintf("the base64 is not valid, perhaps cut short (%v)", err)
	}
	return msg, ""
}

// layout writes new base64 in place of the old, in the old block's layout:
// on one line if it was, else folded at the old width with the old
// continuation indent, keeping the space before "]" as it was.
func (b *eyamlBlock) layout(old []byte, b64 string) []byte {
	text := string(old[b.start:b.end])
	body := strings.TrimRight(text, " \t\r\n")
	tail := text[len(body):]
	lines := strings.Split(body, "\n")
	if len(lines) == 1 {
		return []byte(b64 + tail)
	}
	eol := "\n"
	if strings.HasSuffix(lines[0], "\r") {
		eol = "\r\n"
	}
	first := len(strings.TrimSpace(lines[0]))
	second := lines[1]
	indent := second[:len(second)-len(strings.TrimLeft(second, " \t"))]
	width := 0
	for _, l := range lines[1:] {
		width = max(width, len(strings.TrimSpace(l)))
	}
	width = max(width, 1)
	var out strings.Builder
	out.WriteString(lines[0][:len(lines[0])-len(strings.TrimLeft(lines[0], " \t"))]) // space after "ENC[GPG,"
	n := min(first, len(b64))
	out.WriteString(b64[:n])
	for rest := b64[n:]; rest != ""; {
		k := min(width, len(rest))
		out.WriteString(eol + indent + rest[:k])
		rest = rest[k:]
	}
	out.WriteString(tail)
	return []byte(out.String())
}
