package gitfile

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"golang.org/x/text/unicode/norm"

	"github.com/prodaccess/prodaccess/outcome"
)

// tfvarsList is the tfvars-list format: a Terraform variable holding a
// list of strings, such as role_poweruser_user_arns. hclsyntax finds the
// list's brackets and the byte range of each string; prodaccess edits
// those bytes and nothing else, so the file is never re-printed: aligned
// "=", maps, other lists and comments stay as they were.
type tfvarsList struct{ name, file string }

func (tf tfvarsList) scan(content []byte) (listing, error) {
	f, diags := hclsyntax.ParseConfig(content, tf.file, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, fmt.Errorf("not valid HCL: %s", diags.Error())
	}
	attr := f.Body.(*hclsyntax.Body).Attributes[tf.name]
	if attr == nil {
		return nil, fmt.Errorf("no variable %s", tf.name)
	}
	line := attr.SrcRange.Start.Line
	v, diags := attr.Expr.Value(nil)
	if diags.HasErrors() {
		return nil, fmt.Errorf("line %d: %s is not a list of plain strings: %s", line, tf.name, diags.Error())
	}
	if !v.Type().IsTupleType() && !v.Type().IsListType() {
		return nil, fmt.Errorf("line %d: %s is not a list", line, tf.name)
	}
	tuple, ok := attr.Expr.(*hclsyntax.TupleConsExpr)
	if !ok {
		return nil, fmt.Errorf("line %d: %s is not written as a list in brackets; prodaccess edits only a list written out", line, tf.name)
	}
	var items []item
	for _, e := range tuple.Exprs {
		r := e.Range()
		if !plainString(e) || content[r.Start.Byte] != '"' {
			return nil, fmt.Errorf("line %d: an item of %s is not a plain string; prodaccess will not guess what it means", r.Start.Line, tf.name)
		}
		s, _ := e.Value(nil)
		items = append(items, item{Entry: outcome.Entry{Subject: s.AsString()}, start: r.Start.Byte, end: r.End.Byte})
	}
	open, close := tuple.OpenRange.Start.Byte, tuple.SrcRange.End.Byte-1
	return newBracketList(content, open, close, items, hclComments, tf.name, func(_ *item, s string) (string, error) {
		return hclQuote(s), nil
	})
}

// hclQuote writes s as an HCL quoted string that reads back as s
// (normalised to NFC, as every HCL string is): a quote and a backslash
// escaped, a newline, return and tab as \n, \r and \t, any other character
// that does not print as a \u or \U escape, and the template introducers
// ${ and %{ written $${ and %%{, so that nothing in s is ever
// interpolated. It writes what hclwrite.TokensForValue writes for the
// string, which TestHCLQuoteAsHCLWrite checks over every kind of
// character: hclwrite (and go-cmp with it) stays out of the program.
func hclQuote(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i, r := range s {
		switch r {
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '$', '%':
			b.WriteRune(r)
			if strings.HasPrefix(s[i+1:], "{") {
				b.WriteRune(r)
			}
		default:
			switch {
			case unicode.IsPrint(r):
				b.WriteRune(r)
			case r < 0x10000:
				fmt.Fprintf(&b, `\u%04x`, r)
			default:
				fmt.Fprintf(&b, `\U%08x`, r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// plainString reports whether e is a quoted string with no interpolation
// or directive in it.
func plainString(e hclsyntax.Expression) bool {
	t, ok := e.(*hclsyntax.TemplateExpr)
	if !ok || len(t.Parts) > 1 {
		return false
	}
	for _, p := range t.Parts {
		if _, ok := p.(*hclsyntax.LiteralValueExpr); !ok {
			return false
		}
	}
	v, diags := e.Value(nil)
	return !diags.HasErrors() && v.IsKnown() && !v.IsNull() && v.Type() == cty.String
}
