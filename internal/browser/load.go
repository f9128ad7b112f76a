package browser

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Load opens a page file in headless Chromium at 1280 pixels wide, as a
// test would look at it, and saves a screenshot of the whole page beside
// it, and in $PRODACCESS_SCREENSHOTS when that names a folder. It skips
// the test, saying why, where there is no Chromium. Everything it starts
// stops when the test ends.
func Load(t testing.TB, path string) (context.Context, *Page) {
	t.Helper()
	bin := Find()
	if bin == "" {
		t.Skip("no Chromium found (install Debian's chromium package, as .ci/run does, or set CHROMIUM)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	b, err := Start(bin, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := b.Open(ctx, "file://"+abs, 1280, 900)
	if err != nil {
		t.Fatal(err)
	}
	shot, err := p.Screenshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w != 1280 || h < 900 {
		t.Errorf("screenshot %dx%d, want the whole page 1280 wide", w, h)
	}
	name := strings.TrimSuffix(path, filepath.Ext(path)) + ".png"
	if err := os.WriteFile(name, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", name)
	if keep := os.Getenv("PRODACCESS_SCREENSHOTS"); keep != "" {
		// Kept for people to look at, as a CI artifact or by hand.
		if err := os.WriteFile(filepath.Join(keep, strings.ReplaceAll(t.Name(), "/", "_")+".png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return ctx, p
}

// EmulateMedia makes the page lay itself out for a media type, such as
// "print" (as when printed to PDF), or "" for the screen again.
func (p *Page) EmulateMedia(ctx context.Context, media string) error {
	return p.call(ctx, "Emulation.setEmulatedMedia", map[string]any{"media": media}, nil)
}
