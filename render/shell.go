package render

import "strings"

// ShellCommand writes a command line so that pasting it into a POSIX
// shell (sh, bash, zsh) runs exactly those words: each word that holds
// anything but letters, digits and @%+=:,./_- is put in single quotes;
// a single quote within it ends the quoting, is escaped with a backslash,
// and the quoting starts again.
func ShellCommand(words ...string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = ShellQuote(w)
	}
	return strings.Join(quoted, " ")
}

// ShellQuote is one word of ShellCommand.
func ShellQuote(word string) string {
	if word == "" {
		return "''"
	}
	if strings.IndexFunc(word, func(r rune) bool { return !shellSafe(r) }) < 0 {
		return word
	}
	return "'" + strings.ReplaceAll(word, "'", `'\''`) + "'"
}

func shellSafe(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return true
	}
	return strings.ContainsRune("@%+=:,./_-", r)
}
