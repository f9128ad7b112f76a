package gitfile

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/prodaccess/prodaccess/model"
	"github.com/zclconf/go-cty/cty"
)

// tfvarsList is the tfvars-list format: a Terraform variable holding a
// list of strings, such as role_poweruser_user_arns. Only that variable is
// rewritten, one string a line; the rest of the file stays as it was.
type tfvarsList struct{ name, file string }

func (tf tfvarsList) values(content []byte) ([]string, error) {
	f, diags := hclsyntax.ParseConfig(content, tf.file, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, fmt.Errorf("not valid HCL: %s", diags.Error())
	}
	attr := f.Body.(*hclsyntax.Body).Attributes[tf.name]
	if attr == nil {
		return nil, fmt.Errorf("no variable %s", tf.name)
	}
	v, diags := attr.Expr.Value(nil)
	if diags.HasErrors() {
		return nil, fmt.Errorf("line %d: %s is not a list of plain strings: %s", attr.SrcRange.Start.Line, tf.name, diags.Error())
	}
	if !v.Type().IsTupleType() && !v.Type().IsListType() {
		return nil, fmt.Errorf("line %d: %s is not a list", attr.SrcRange.Start.Line, tf.name)
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() || !e.IsKnown() || e.Type() != cty.String {
			return nil, fmt.Errorf("line %d: an item of %s is not a plain string; prodaccess will not guess what it means", attr.SrcRange.Start.Line, tf.name)
		}
		out = append(out, e.AsString())
	}
	return out, nil
}

func (tf tfvarsList) parse(content []byte) ([]model.Entry, error) {
	vs, err := tf.values(content)
	if err != nil {
		return nil, err
	}
	out := make([]model.Entry, len(vs))
	for i, v := range vs {
		out[i] = model.Entry{Subject: v}
	}
	return out, nil
}

func (tf tfvarsList) update(content []byte, remove map[string]bool, add []model.Change) ([]byte, error) {
	vs, err := tf.values(content)
	if err != nil {
		return nil, err
	}
	f, diags := hclwrite.ParseConfig(content, tf.file, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, fmt.Errorf("not valid HCL: %s", diags.Error())
	}
	var keep []string
	for _, v := range vs {
		if !remove[v] {
			keep = append(keep, v)
		}
	}
	for _, c := range add {
		keep = append(keep, c.Subject)
	}
	tokens := hclwrite.Tokens{{Type: hclsyntax.TokenOBrack, Bytes: []byte("[")}, {Type: hclsyntax.TokenNewline, Bytes: []byte("\n")}}
	for _, v := range keep {
		str := hclwrite.TokensForValue(cty.StringVal(v))
		str[0].SpacesBefore = 2
		tokens = append(tokens, str...)
		tokens = append(tokens, &hclwrite.Token{Type: hclsyntax.TokenComma, Bytes: []byte(",")}, &hclwrite.Token{Type: hclsyntax.TokenNewline, Bytes: []byte("\n")})
	}
	tokens = append(tokens, &hclwrite.Token{Type: hclsyntax.TokenCBrack, Bytes: []byte("]")})
	f.Body().SetAttributeRaw(tf.name, tokens)
	return f.Bytes(), nil
}
