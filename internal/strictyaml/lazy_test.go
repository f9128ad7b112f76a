package strictyaml

import (
	"regexp"
	"testing"
)

// TestLazyIsRegexp: a lazily compiled pattern matches what the compiled
// one does and states the same source, and compiles only when used.
func TestLazyIsRegexp(t *testing.T) {
	for _, src := range []string{`^[a-z]{1,3}$`, `^arn:aws(-[a-z]+)*:iam::[0-9]{12}:user/[\w+=,.@/-]{1,512}$`, `^ *([0-9A-Fa-f] *){40}$`} {
		lazy, re := Lazy(src), regexp.MustCompile(src)
		if lazy.String() != re.String() {
			t.Errorf("Lazy(%q).String() = %q, want %q", src, lazy.String(), re.String())
		}
		for _, v := range []string{"", "ab", "abcd", "arn:aws:iam::123456789012:user/a", "arn:aws-cn:iam::123456789012:user/", " 0123456789 abcdef0123456789ABCDEF0123456789ab "} {
			if got, want := lazy.MatchString(v), re.MatchString(v); got != want {
				t.Errorf("Lazy(%q).MatchString(%q) = %v, want %v", src, v, got, want)
			}
		}
	}
	bad := Lazy(`^(`) // not compiled yet, so no panic
	defer func() {
		if recover() == nil {
			t.Error("a pattern that does not compile matched without a panic")
		}
	}()
	bad.MatchString("x")
}
