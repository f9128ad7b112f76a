package floor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prodaccess/prodaccess/internal/fakegithub"
)

func TestParse(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"a.yaml": "name: A\n", "b.yaml": "shifts:\n  - {type: shadow}\n", "notes.txt": "{{{"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := Parse(dir); err != nil {
		t.Fatalf("good files: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "c.yaml"), []byte("name: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Parse(dir); err == nil || !strings.Contains(err.Error(), "c.yaml") {
		t.Errorf("a file that is not YAML: %v, want an error naming c.yaml", err)
	}
	if err := Parse(filepath.Join(dir, "none")); err == nil {
		t.Error("a folder that is not there: no error")
	}
}

// TestRoundTrips: the floor's requests are ones GitHub takes (the
// stand-in checks each against GitHub's description), and its writes
// leave the team as they found it.
func TestRoundTrips(t *testing.T) {
	gh := fakegithub.New(t, "alphagov")
	gh.Token = "tok"
	gh.AddTeam("prod", "")
	gh.AddTeam("floor", "")
	gh.AddUser("someone", 1, true)
	gh.SetMember("prod", "someone", "member")
	for i, login := range []string{"floor-0", "floor-1"} {
		gh.AddUser(login, int64(100+i), true)
	}
	if err := RoundTrips(gh.URL(), gh.Token, 2, false); err != nil {
		t.Fatal(err)
	}
	if err := RoundTrips(gh.URL(), gh.Token, 4, true); err != nil {
		t.Fatal(err)
	}
	if roles := gh.Teams["floor"].Roles; len(roles) != 0 {
		t.Errorf("team floor after the writes: %v, want no members", roles)
	}
	if err := RoundTrips(gh.URL(), "wrong", 1, false); err == nil {
		t.Error("a token the stand-in does not know: no error")
	}
}
