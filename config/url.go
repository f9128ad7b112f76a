package config

import (
	"net/url"
	"strings"
)

// RedactURL returns a URL fit to print: without the user name and password
// an http(s) URL may carry. Anything that does not parse as such a URL (a
// local path, git@host:path) is returned as it is.
func RedactURL(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		// A URL that does not parse may still hold credentials before an
		// @: drop everything between the scheme and the last @.
		scheme, rest, _ := strings.Cut(s, "://")
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			return scheme + "://" + rest[at+1:]
		}
		return s
	}
	if u.User == nil || u.Scheme == "ssh" && !hasPassword(u) {
		return s
	}
	u.User = nil
	return u.String()
}

func hasPassword(u *url.URL) bool {
	_, ok := u.User.Password()
	return ok
}

// isHTTPURL reports whether s is an http:// or https:// URL.
func isHTTPURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}
