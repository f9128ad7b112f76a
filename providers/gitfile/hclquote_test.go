package gitfile

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// quoteCases are strings with every kind of character HCL quoting
// treats apart: escapes, template introducers alone and doubled,
// characters that do not print, combining marks NFC composes, characters
// beyond the basic plane, and bytes that are not UTF-8.
var quoteCases = []string{
	"", "arn:aws:iam::123456789012:user/jo@example.gov.uk", `"`, `\`, "\n\r\t", "${x}", "%{if}", "$${x}", "%%{x}",
	"$", "%", "${", "%{", "$x{", "a$", "a%", "{}", "\x00", "\x1f\x7f", "\u0085\u00a0", "\u2028\u2029", "\ufeff",
	"e\u0301", "\u1100\u1161", "😀", "\U0001f600\U000e0001", "\xff", "a\xc3", "\xed\xa0\x80", "\U0010ffff",
}

// TestHCLQuoteAsHCLWrite: hclQuote writes what hclwrite writes for the
// same string, and HCL reads it back as the string (its bytes that are
// not UTF-8 as U+FFFD, each), over the cases above
// and 20,000 random strings made of their pieces and random bytes.
func TestHCLQuoteAsHCLWrite(t *testing.T) {
	check := func(s string) {
		t.Helper()
		want := string(hclwrite.TokensForValue(cty.StringVal(s)).Bytes())
		got := hclQuote(s)
		if got != want {
			t.Fatalf("%q: hclQuote %s, hclwrite %s", s, got, want)
		}
		f, diags := hclsyntax.ParseConfig([]byte("v = "+got+"\n"), "t.tfvars", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("%q quoted as %s does not parse: %s", s, got, diags.Error())
		}
		v, diags := f.Body.(*hclsyntax.Body).Attributes["v"].Expr.Value(nil)
		// Bytes that are not UTF-8 are written, and so read back, as U+FFFD.
		if diags.HasErrors() || !v.RawEquals(cty.StringVal(string([]rune(s)))) {
			t.Fatalf("%q quoted as %s reads back as %#v (%s)", s, got, v, diags.Error())
		}
	}
	for _, s := range quoteCases {
		check(s)
	}
	rnd := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		var b strings.Builder
		for range rnd.IntN(8) {
			if rnd.IntN(4) == 0 {
				b.WriteByte(byte(rnd.IntN(256)))
			} else {
				b.WriteString(quoteCases[rnd.IntN(len(quoteCases))])
			}
		}
		check(b.String())
	}
}

func FuzzHCLQuote(f *testing.F) {
	for _, s := range quoteCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := hclQuote(s), string(hclwrite.TokensForValue(cty.StringVal(s)).Bytes()); got != want {
			t.Fatalf("%q: hclQuote %s, hclwrite %s", s, got, want)
		}
	})
}
