package gitfile

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/outcome"
)

// BenchmarkRewrite edits lists of 5,000 entries in each format: ten
// removals and ten additions, read back. The work grows with the size of
// the file, not with its square.
func BenchmarkRewrite(b *testing.B) {
	const n = 5000
	subject := map[config.FileFormat]func(i int) string{
		config.GPGRecipients: func(i int) string { return fmt.Sprintf("%040X", i) },
		config.YAMLList:      func(i int) string { return fmt.Sprintf("user%05d", i) },
		config.TFVarsList:    func(i int) string { return fmt.Sprintf("arn:aws:iam::123456789012:user/u%05d", i) },
	}
	files := map[config.FileFormat]string{}
	var rcp, yml, tf strings.Builder
	yml.WriteString("---\nusers::usernames:\n")
	tf.WriteString("role_poweruser_user_arns = [\n")
	for i := range n {
		fmt.Fprintf(&rcp, "%s # Person %d <p%d@example.gov.uk>\n", subject[config.GPGRecipients](i), i, i)
		fmt.Fprintf(&yml, "  - %s  # person %d\n", subject[config.YAMLList](i), i)
		fmt.Fprintf(&tf, "  %q, # person %d\n", subject[config.TFVarsList](i), i)
	}
	tf.WriteString("]\n")
	files[config.GPGRecipients], files[config.YAMLList], files[config.TFVarsList] = rcp.String(), yml.String(), tf.String()
	for _, f := range []config.FileFormat{config.GPGRecipients, config.YAMLList, config.TFVarsList} {
		target := &config.Target{Format: f, Key: "role_poweruser_user_arns", Path: "big"}
		if f == config.YAMLList {
			target.Key = "users::usernames"
		}
		var changes []outcome.Change
		for i := range 10 {
			changes = append(changes,
				outcome.Change{Action: outcome.Remove, Subject: subject[f](i * 499)},
				outcome.Change{Action: outcome.Add, Subject: subject[f](n + i), Name: "New Starter", Email: "new@example.gov.uk"})
		}
		content := []byte(files[f])
		b.Run(string(f), func(b *testing.B) {
			b.SetBytes(int64(len(content)))
			for b.Loop() {
				if _, err := rewrite(target, content, changes); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
