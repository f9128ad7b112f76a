package render

import (
	"regexp"
	"testing"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/model"
	"github.com/prodaccess/prodaccess/outcome"
)

func TestMarkdownText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Jane Doe", "Jane Doe"},
		{"Migrating the search cluster: 2026-12-01 (phase 2)", "Migrating the search cluster: 2026-12-01 (phase 2)"},
		{"## Approved by security team", `\#\# Approved by security team`},
		{"a\n## heading\r\nb", `a \#\# heading  b`},
		{"- item", `\- item`},
		{"1. first", `1\. first`},
		{"<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"},
		{`"><script>alert(1)</script>`, `"&gt;&lt;script&gt;alert(1)&lt;/script&gt;`},
		{"[click](https://evil.example)", "\\[click\\](https\u200b://evil.example)"},
		{"![x](y)", `!\[x\](y)`},
		{"**bold** _it_ ~~gone~~ `code`", `\*\*bold\*\* \_it\_ \~\~gone\~\~ \` + "`code\\`"},
		{"a | b", `a \| b`},
		{"&amp; &#64;", `&amp;amp; &amp;\#64;`},
		{`back\slash`, `back\\slash`},
		{"cc @alphagov/security", "cc @\u200balphagov/security"},
		{"jane@example.gov.uk", "jane@\u200bexample.gov.uk"},
		{".@acme/gov-uk-production-admin", ".@\u200bacme/gov-uk-production-admin"},
		{"x-@lead-gh", "x-@\u200blead-gh"},
		{"see www.evil.example or HTTP://x.example", "see www\u200b.evil.example or HTTP\u200b://x.example"},
		{"a @ b, a@", "a @ b, a@"},
		{"esc \x1b[31m red", `esc \u001b\[31m red`},
		{"rlo \u202etxt", `rlo \u202etxt`},
	}
	for _, tt := range tests {
		if got := mdText(tt.in); got != tt.want {
			t.Errorf("mdText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestMentionsAreInert: every form in which GitHub links a mention, a
// team, a mail address or a bare URL, from text anywhere, comes out of
// mdText with no @ followed by a login character and no http://,
// https:// or www. left whole.
func TestMentionsAreInert(t *testing.T) {
	var corpus []string
	for _, form := range []string{"@x", "@lead-gh", "@acme/gov-uk-production-admin", "@Acme/Admins", "@x_y", "@1x", "@é",
		"http://evil.example", "https://evil.example/path", "HTTPS://EVIL.EXAMPLE", "www.evil.example", "WWW.evil.example", "jane@example.gov.uk"} {
		for _, before := range []string{"", " ", ".", "x", "x-", "(", "[", "\"", "'", "*", "_", "~", ":", ";", "/", "!", "?", ",", "é", "1", "\u00a0", "cc "} {
			for _, after := range []string{"", " ", ".", ")", ",", "!"} {
				corpus = append(corpus, before+form+after)
			}
		}
	}
	linked := regexp.MustCompile(`(?i)@[\p{L}\p{N}_-]|https?://|www\.`)
	for _, in := range corpus {
		if out := mdText(in); linked.MatchString(out) {
			t.Errorf("mdText(%q) = %q, which GitHub may link", in, out)
		}
	}
}

func TestMarkdownCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0123456789ABCDEF0123456789ABCDEF01234567", "`0123456789ABCDEF0123456789ABCDEF01234567`"},
		{"a|b", "a\\|b"},
		{"a`b", "a\\`b"},
		{"line\nbreak", "line break"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := mdCode(tt.in); got != tt.want {
			t.Errorf("mdCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestPullRequestBodyEscapes: text from person files cannot add a heading,
// a link, an image or HTML to a pull request, however it is written.
func TestPullRequestBodyEscapes(t *testing.T) {
	plan := &outcome.Plan{At: 20790}
	changes := []outcome.Change{{Target: "hieradata", Action: outcome.Add, Subject: "0123456789ABCDEF0123456789ABCDEF01234567", Person: "mallory",
		Name:   `Mallory ](https://evil.example) <img src=x onerror=alert(1)>`,
		Reason: "temporary-exception: ...: **Approved by security team** [details](https://evil.example) @alphagov/security"}}
	body := PullRequestBody(plan, []*config.Target{{Name: "hieradata", Type: model.FileTarget, Format: config.GPGRecipients, Path: "hiera.rcp"}}, changes)
	// Each marker, unless a backslash escapes it.
	for _, bad := range []string{`<img`, `[^\\]\]\(https`, `[^\\]\*\*Approved`, `@alphagov`} {
		if regexp.MustCompile(bad).MatchString(body) {
			t.Errorf("the body holds %s:\n%s", bad, body)
		}
	}
}
