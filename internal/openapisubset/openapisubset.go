// Package openapisubset copies, out of an OpenAPI description (GitHub's,
// from the npm package @octokit/openapi, or a file such as PagerDuty's),
// the operations a list names and every component they reference,
// directly or through other components, so that a small file holds all a
// checker needs to validate those operations.
package openapisubset

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Package is the npm package GitHub's description comes in, and File the
// description inside it.
const (
	Package = "@octokit/openapi"
	File    = "generated/api.github.com.json"
)

// Operation is one operation of the API: an upper-case method and a path
// as the description spells it.
type Operation struct {
	Method, Path string
}

func (o Operation) String() string { return o.Method + " " + o.Path }

// List is what a list file names: operations, and schemas to copy besides
// those the operations reference.
type List struct {
	Operations []Operation
	Schemas    []string
}

// ParseList reads a list: one "METHOD /path" or "schema NAME" a line;
// blank lines and lines starting with # are skipped. name is used in
// errors.
func ParseList(name string, r io.Reader) (*List, error) {
	l := &List{}
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if prev, ok := seen[line]; ok {
			return nil, fmt.Errorf("%s:%d: %q is already on line %d", name, n, line, prev)
		}
		seen[line] = n
		f := strings.Fields(line)
		if len(f) != 2 {
			return nil, fmt.Errorf("%s:%d: %q is neither \"METHOD /path\" nor \"schema NAME\"", name, n, line)
		}
		if f[0] == "schema" {
			l.Schemas = append(l.Schemas, f[1])
			continue
		}
		if !isMethod(f[0]) {
			return nil, fmt.Errorf("%s:%d: %q is not an HTTP method in upper case", name, n, f[0])
		}
		if !strings.HasPrefix(f[1], "/") {
			return nil, fmt.Errorf("%s:%d: path %q does not start with /", name, n, f[1])
		}
		l.Operations = append(l.Operations, Operation{Method: f[0], Path: f[1]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(l.Operations) == 0 {
		return nil, fmt.Errorf("%s: no operations", name)
	}
	return l, nil
}

func isMethod(m string) bool {
	return slices.Contains([]string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}, m)
}

// Source says where a description came from: an npm package (Package,
// Version, the File inside it and the tarball's Integrity), or a file
// (File, and the SHA256 of its bytes).
type Source struct {
	Package   string `json:"package,omitempty"`
	Version   string `json:"version,omitempty"`
	File      string `json:"file"`
	Integrity string `json:"integrity,omitempty"` // of the package tarball, as npm writes it
	SHA256    string `json:"sha256,omitempty"`    // of the file, in hex
}

func (s Source) String() string {
	if s.Package != "" {
		return s.Package + " " + s.Version + " (" + s.File + ")"
	}
	return s.File + " (sha256 " + s.SHA256 + ")"
}

// ReadFile reads a description from the bytes of a file, which must have
// the sha256 (in hex) given, so that a subset is made only from the file
// it says it was made from. name says where the file comes from, for the
// subset's record.
func ReadFile(data []byte, name, wantSHA256 string) (map[string]any, Source, error) {
	sum := sha256.Sum256(data)
	got := hex.EncodeToString(sum[:])
	if !strings.EqualFold(got, wantSHA256) {
		return nil, Source{}, fmt.Errorf("its sha256 is %s, not %s: this is not the file the subset is made from", got, wantSHA256)
	}
	spec, err := decode(data)
	if err != nil {
		return nil, Source{}, err
	}
	return spec, Source{File: name, SHA256: got}, nil
}

// ReadPackage reads the description and the package's version out of an
// npm package tarball.
func ReadPackage(tgz []byte) (spec map[string]any, src Source, err error) {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, src, fmt.Errorf("package tarball: %w", err)
	}
	var manifest, desc []byte
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, src, fmt.Errorf("package tarball: %w", err)
		}
		switch h.Name {
		case "package/package.json":
			manifest, err = io.ReadAll(tr)
		case "package/" + File:
			desc, err = io.ReadAll(tr)
		}
		if err != nil {
			return nil, src, fmt.Errorf("package tarball: %s: %w", h.Name, err)
		}
	}
	if manifest == nil || desc == nil {
		return nil, src, fmt.Errorf("package tarball: no package/package.json or no package/%s in it", File)
	}
	var pkg struct{ Name, Version string }
	if err := json.Unmarshal(manifest, &pkg); err != nil {
		return nil, src, fmt.Errorf("package.json: %w", err)
	}
	if pkg.Name != Package {
		return nil, src, fmt.Errorf("package.json: the package is %q, not %s", pkg.Name, Package)
	}
	if spec, err = decode(desc); err != nil {
		return nil, src, fmt.Errorf("%s: %w", File, err)
	}
	sum := sha512.Sum512(tgz)
	return spec, Source{Package: pkg.Name, Version: pkg.Version, File: File, Integrity: "sha512-" + base64.StdEncoding.EncodeToString(sum[:])}, nil
}

// decode reads JSON keeping numbers as they are written.
func decode(b []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v map[string]any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// Extract returns a description with only the listed operations (and the
// parameters of their paths), the listed schemas, and every component
// these reference. Media-type examples, which reference large example
// components and say nothing a validator needs, are left out; all else is
// copied as it is.
func Extract(spec map[string]any, l *List, src Source) (map[string]any, error) {
	paths, _ := spec["paths"].(map[string]any)
	outPaths := map[string]any{}
	for _, op := range l.Operations {
		item, ok := paths[op.Path].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: the description has no path %s", op, op.Path)
		}
		o, ok := item[strings.ToLower(op.Method)]
		if !ok {
			return nil, fmt.Errorf("%s: the description has no %s on %s", op, op.Method, op.Path)
		}
		out, _ := outPaths[op.Path].(map[string]any)
		if out == nil {
			out = map[string]any{}
			if p, ok := item["parameters"]; ok {
				out["parameters"] = p
			}
			outPaths[op.Path] = out
		}
		out[strings.ToLower(op.Method)] = withoutExamples(o, "")
	}

	components := map[string]any{}
	todo := refs(outPaths, nil)
	for _, s := range l.Schemas {
		todo = append(todo, "#/components/schemas/"+s)
	}
	// The security requirements, of the whole API and of each operation,
	// name security schemes (how the token is sent) without a $ref.
	security, hasSecurity := spec["security"].([]any)
	for _, reqs := range append(slices.Clone(security), securityOf(outPaths)...) {
		req, _ := reqs.(map[string]any)
		for _, name := range sortedKeys(req) {
			todo = append(todo, "#/components/securitySchemes/"+strings.NewReplacer("~", "~0", "/", "~1").Replace(name))
		}
	}
	done := map[string]bool{}
	for len(todo) > 0 {
		ref := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if done[ref] {
			continue
		}
		done[ref] = true
		kind, name, err := componentRef(ref)
		if err != nil {
			return nil, err
		}
		if _, ok := lookup(spec, refKeys(ref)...); !ok {
			return nil, fmt.Errorf("%s: no such component in the description", ref)
		}
		v, _ := lookup(spec, "components", kind, name)
		v = withoutExamples(v, "")
		byKind, _ := components[kind].(map[string]any)
		if byKind == nil {
			byKind = map[string]any{}
			components[kind] = byKind
		}
		byKind[name] = v
		todo = refs(v, todo)
	}

	info, _ := spec["info"].(map[string]any)
	out := map[string]any{
		"openapi": spec["openapi"],
		"info": map[string]any{
			"title":       info["title"],
			"version":     info["version"],
			"description": "Part of " + src.String() + ": the operations the stand-in may serve and every component they use. Made by go generate; do not edit.",
			"x-source":    src,
		},
		"paths":      outPaths,
		"components": components,
	}
	if hasSecurity {
		out["security"] = security
	}
	return out, nil
}

// securityOf lists the security requirements of the operations in paths.
func securityOf(paths map[string]any) []any {
	var out []any
	for _, path := range sortedKeys(paths) {
		item, _ := paths[path].(map[string]any)
		for _, method := range sortedKeys(item) {
			list, _ := lookup(item, method, "security")
			reqs, _ := list.([]any)
			out = append(out, reqs...)
		}
	}
	return out
}

// refKeys are the keys of a local reference (#/a/b~1c/0).
func refKeys(ref string) []string {
	unescape := strings.NewReplacer("~1", "/", "~0", "~")
	p := strings.Split(strings.TrimPrefix(ref, "#/"), "/")
	for i := range p {
		p[i] = unescape.Replace(p[i])
	}
	return p
}

// componentRef splits a reference of the form #/components/KIND/NAME, or
// one into a component (#/components/KIND/NAME/…, as in PagerDuty's
// description), which needs the whole component.
func componentRef(ref string) (kind, name string, err error) {
	p := strings.Split(ref, "/")
	if len(p) < 4 || p[0] != "#" || p[1] != "components" {
		return "", "", fmt.Errorf("reference %q is not of the form #/components/KIND/NAME", ref)
	}
	unescape := strings.NewReplacer("~1", "/", "~0", "~")
	return unescape.Replace(p[2]), unescape.Replace(p[3]), nil
}

// lookup follows keys (JSON pointer tokens: names, and indexes into
// lists) into v.
func lookup(v any, keys ...string) (any, bool) {
	for _, k := range keys {
		switch c := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = c[k]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// refs appends the references in v to acc.
func refs(v any, acc []string) []string {
	switch v := v.(type) {
	case map[string]any:
		if r, ok := v["$ref"].(string); ok {
			acc = append(acc, r)
		}
		for _, k := range sortedKeys(v) {
			acc = refs(v[k], acc)
		}
	case []any:
		for _, e := range v {
			acc = refs(e, acc)
		}
	}
	return acc
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// withoutExamples copies v, leaving out "examples" where it belongs to a
// media type, a parameter or a header (an object holding a "schema"), and
// nowhere else, so that a schema property named examples is kept. parent
// is the key v was found under.
func withoutExamples(v any, parent string) any {
	switch v := v.(type) {
	case map[string]any:
		_, hasSchema := v["schema"]
		out := make(map[string]any, len(v))
		for k, e := range v {
			if k == "examples" && hasSchema && parent != "properties" {
				continue
			}
			out[k] = withoutExamples(e, k)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = withoutExamples(e, "")
		}
		return out
	}
	return v
}

// Marshal writes the subset as indented JSON, keys sorted, so that a
// regenerated file differs from the last only where the description did.
func Marshal(subset map[string]any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(subset); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// ReadListFile reads a list from a file (see ParseList).
func ReadListFile(name string) (*List, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseList(name, f)
}

// Strings lists the operations as "METHOD /path", in order.
func (l *List) Strings() []string {
	var out []string
	for _, op := range l.Operations {
		out = append(out, op.String())
	}
	slices.Sort(out)
	return out
}

// Held reads what a subset holds: its operations as "METHOD /path", in
// order, the names of its schemas, and where it came from; so that a test
// can hold a committed subset to its list.
func Held(subset []byte) (ops []string, schemas map[string]bool, src Source, err error) {
	var s struct {
		Info struct {
			Source Source `json:"x-source"`
		}
		Paths      map[string]map[string]json.RawMessage
		Components struct{ Schemas map[string]json.RawMessage }
	}
	if err := json.Unmarshal(subset, &s); err != nil {
		return nil, nil, src, err
	}
	for path, item := range s.Paths {
		for method := range item {
			if isMethod(strings.ToUpper(method)) {
				ops = append(ops, Operation{Method: strings.ToUpper(method), Path: path}.String())
			}
		}
	}
	slices.Sort(ops)
	schemas = map[string]bool{}
	for name := range s.Components.Schemas {
		schemas[name] = true
	}
	return ops, schemas, s.Info.Source, nil
}
