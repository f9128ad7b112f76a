package personfile

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/prodaccess/prodaccess/internal/strictyaml"
)

// matchedShapes are the shapes whose patterns have matchers of their own.
var matchedShapes = map[string]*strictyaml.Shape{
	"id": idShape, "login": loginShape, "fingerprint": fingerprintShape, "email": emailShape,
	"ssh_username": sshUsernameShape, "aws_user_arn": awsUserARNShape, "pagerduty_id": pagerDutyIDShape,
}

// matcherSeeds are values near each pattern's edges.
var matcherSeeds = []string{
	"", "-", "a", "a-b", "a--b", "-a", "a-", "A9-z", "alex-lee", "Alex-Lee", "é",
	"a@b.c", "@b.c", "a@.c", "a@b.", "a@b", "a@@b.c", "a b@c.d", "a@b.c.d", "a\t@b.c", "a@b\f.c", "ä@ö.ü", "a@b..c", "a@.b.",
	strings.Repeat("0", 40), strings.Repeat("ab ", 20), " " + strings.Repeat("F", 40) + " ", strings.Repeat("0", 39), strings.Repeat("0", 41), strings.Repeat("g", 40),
	"_", "a.b-c_d", "a", "9a", strings.Repeat("a", 32), strings.Repeat("a", 33), "A", "a$",
	"arn:aws:iam::123456789012:user/alex", "arn:aws-us-gov:iam::123456789012:user/a+b=c,d.e@f/g-h_i",
	"arn:aws-:iam::123456789012:user/a", "arn:aws-cn-:iam::123456789012:user/a", "arn:aws:iam::12345678901:user/a",
	"arn:aws:iam::123456789012:user/", "arn:aws:iam::123456789012:user/" + strings.Repeat("x", 512),
	"arn:aws:iam::123456789012:user/" + strings.Repeat("x", 513), "arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:user/a b",
	"arn:awsx:iam::123456789012:user/a", "arn:aws-A:iam::123456789012:user/a", "arn:aws:iam::1234567890123:user/a",
	"PXPGF42", "P_X-1", strings.Repeat("P", 64), strings.Repeat("P", 65), "P!",
}

// matcherAlphabet holds the characters the patterns treat differently.
const matcherAlphabet = "aAzZ09fFgG-_.@ \t\n\f\r\v:/+=,$é"

// sameAsPattern fails the test if any shape's matcher and pattern differ
// on v.
func sameAsPattern(t *testing.T, v string) {
	t.Helper()
	for name, s := range matchedShapes {
		if got, want := s.Match(v), s.Pattern.MatchString(v); got != want {
			t.Errorf("%s: matcher says %v of %q, its pattern %s says %v", name, got, v, s.Pattern, want)
		}
	}
}

// TestMatchersArePatterns compares each matcher with its pattern on the
// seeds and on 20,000 random values made from them: characters of the
// alphabet put in, taken out, changed, or repeated.
func TestMatchersArePatterns(t *testing.T) {
	for name, s := range matchedShapes {
		if s.Match == nil || s.Pattern == nil {
			t.Fatalf("%s: the shape has no matcher or no pattern", name)
		}
	}
	for _, v := range matcherSeeds {
		sameAsPattern(t, v)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune(matcherAlphabet)
	for range 20000 {
		v := []rune(matcherSeeds[rng.IntN(len(matcherSeeds))])
		for range 1 + rng.IntN(3) {
			i := rng.IntN(len(v) + 1)
			c := alphabet[rng.IntN(len(alphabet))]
			switch rng.IntN(4) {
			case 0:
				v = append(v[:i], append([]rune{c}, v[i:]...)...)
			case 1:
				if i < len(v) {
					v = append(v[:i], v[i+1:]...)
				}
			case 2:
				if i < len(v) {
					v[i] = c
				}
			case 3:
				if i < len(v) {
					v = append(v[:i], append([]rune(strings.Repeat(string(v[i]), rng.IntN(3))), v[i:]...)...)
				}
			}
		}
		sameAsPattern(t, string(v))
	}
}

// FuzzMatchersArePatterns: `go test ./personfile -fuzz FuzzMatchersArePatterns`.
func FuzzMatchersArePatterns(f *testing.F) {
	for _, v := range matcherSeeds {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) { sameAsPattern(t, v) })
}
