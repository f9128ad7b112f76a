package browser

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSeesWhatAPageDoes checks that the browser reports what the page
// tests rely on it to report: without this, a page that misbehaves would
// pass them unseen.
func TestSeesWhatAPageDoes(t *testing.T) {
	bin := Find()
	if bin == "" {
		t.Skip("no Chromium found (install Debian's chromium package, as .ci/run does, or set CHROMIUM)")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "page.html")
	body := `<!DOCTYPE html><html><head><title>t</title></head><body><p id="p">hello</p>` +
		`<script>console.error("boom"); alert("hi"); document.getElementById("p").dataset.ran = "yes"; null.x</script>` +
		`<img src="missing.png"></body></html>`
	if err := os.WriteFile(page, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := Start(bin, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	p, err := b.Open(ctx, "file://"+page, 800, 600)
	if err != nil {
		t.Fatal(err)
	}
	var ran string
	if err := p.Evaluate(ctx, `document.getElementById("p").dataset.ran`, &ran); err != nil || ran != "yes" {
		t.Errorf("the script did not run to the alert and past it: %q, %v", ran, err)
	}
	problems := strings.Join(p.Problems(), "\n")
	for _, want := range []string{"console.error: boom", `a script opened a dialog (alert): "hi"`, "script error", "missing.png"} {
		if !strings.Contains(problems, want) {
			t.Errorf("problems lack %q:\n%s", want, problems)
		}
	}
	if !slices.Contains(p.Requests(), "file://"+filepath.Join(dir, "missing.png")) {
		t.Errorf("requests lack the image: %v", p.Requests())
	}
	shot, err := p.Screenshot(ctx)
	if err != nil || !strings.HasPrefix(string(shot), "\x89PNG") {
		t.Errorf("screenshot: %v, %d bytes", err, len(shot))
	}
}
