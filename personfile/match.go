package personfile

import "strings"

// Matchers for the patterns checked in every person file, each a single
// scan of the value: through Go's regexp they took about a twentieth of
// the processor time of loading the files. Each accepts exactly what its
// pattern accepts (TestMatchersArePatterns and FuzzMatchersArePatterns
// compare them); the patterns stay the definition, and are what the JSON
// Schema states.

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isLowerDigit(c byte) bool { return c >= 'a' && c <= 'z' || isDigit(c) }
func isAlnum(c byte) bool      { return isLowerDigit(c) || c >= 'A' && c <= 'Z' }

// hyphenated matches ^[X]+(-[X]+)*$ for the class ok: runs of ok
// characters joined by single hyphens.
func hyphenated(s string, ok func(byte) bool) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := range len(s) {
		if s[i] == '-' {
			if s[i-1] == '-' {
				return false
			}
		} else if !ok(s[i]) {
			return false
		}
	}
	return true
}

// isID matches model.IDPattern, ^[a-z0-9]+(-[a-z0-9]+)*$.
func isID(s string) bool { return hyphenated(s, isLowerDigit) }

// isLogin matches model.LoginPattern, ^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$.
func isLogin(s string) bool { return hyphenated(s, isAlnum) }

// isEmail matches emailPattern, ^[^\s@]+@[^\s@]+\.[^\s@]+$, where \s is
// [\t\n\f\r ]: one @ with something before it, and after it a dot with
// something on either side, and no space anywhere.
func isEmail(s string) bool {
	at := -1
	for i := range len(s) {
		switch s[i] {
		case '\t', '\n', '\f', '\r', ' ':
			return false
		case '@':
			if at >= 0 {
				return false
			}
			at = i
		}
	}
	if at < 1 {
		return false
	}
	domain := s[at+1:]
	for i := 1; i < len(domain)-1; i++ {
		if domain[i] == '.' {
			return true
		}
	}
	return false
}

// isFingerprint matches fingerprintPattern, ^ *([0-9A-Fa-f] *){40}$:
// forty hex digits, with spaces anywhere.
func isFingerprint(s string) bool {
	digits := 0
	for i := range len(s) {
		switch c := s[i]; {
		case c == ' ':
		case isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F':
			digits++
		default:
			return false
		}
	}
	return digits == 40
}

// isSSHUsername matches sshUsernamePattern, ^[a-z_][a-z0-9_.-]{0,31}$.
func isSSHUsername(s string) bool {
	if s == "" || len(s) > 32 || !(s[0] >= 'a' && s[0] <= 'z' || s[0] == '_') {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isLowerDigit(c) && c != '_' && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

// isAWSUserARN matches awsUserARNPattern,
// ^arn:aws(-[a-z]+)*:iam::[0-9]{12}:user/[\w+=,.@/-]{1,512}$.
func isAWSUserARN(s string) bool {
	rest, ok := strings.CutPrefix(s, "arn:aws")
	if !ok {
		return false
	}
	for strings.HasPrefix(rest, "-") {
		i := 1
		for i < len(rest) && rest[i] >= 'a' && rest[i] <= 'z' {
			i++
		}
		if i == 1 {
			return false
		}
		rest = rest[i:]
	}
	rest, ok = strings.CutPrefix(rest, ":iam::")
	if !ok || len(rest) < 12 {
		return false
	}
	for i := range 12 {
		if !isDigit(rest[i]) {
			return false
		}
	}
	name, ok := strings.CutPrefix(rest[12:], ":user/")
	if !ok || name == "" || len(name) > 512 {
		return false
	}
	for i := range len(name) {
		if c := name[i]; !isAlnum(c) && !strings.ContainsRune("_+=,.@/-", rune(c)) {
			return false
		}
	}
	return true
}

// isPagerDutyID matches pagerDutyIDPattern, ^[A-Za-z0-9_-]{1,64}$.
func isPagerDutyID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !isAlnum(c) && c != '_' && c != '-' {
			return false
		}
	}
	return true
}
