package outcome

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prodaccess/prodaccess/model"
)

func savedExample() *Plan {
	until := model.Day(20800)
	return &Plan{
		At: 20790, Commit: "0123456789abcdef0123456789abcdef01234567",
		Targets: []TargetPlan{{Target: "github-production", Type: model.GitHubTeam, Where: "GitHub team alphagov/gov-uk-production", Version: "sha256 x", Current: 3,
			Changes: []Change{{Target: "github-production", Action: Add, Subject: "bob-gh", Person: "bob", Level: model.Permanent, Until: &until, Reason: "after-primary-shift: ..."}}}},
		Warnings: []string{"a warning"}, Refusals: []string{},
	}
}

func TestSavedPlanRoundTrip(t *testing.T) {
	data, err := EncodeSavedPlan(savedExample())
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeSavedPlan(data)
	if err != nil {
		t.Fatal(err)
	}
	want := savedExample()
	want.Digest = got.Digest
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(got.Digest, "sha256:") {
		t.Errorf("digest %q", got.Digest)
	}
}

func TestDecodeSavedPlanRefuses(t *testing.T) {
	good, err := EncodeSavedPlan(savedExample())
	if err != nil {
		t.Fatal(err)
	}
	s := string(good)
	tests := []struct {
		name, data, want string
	}{
		{"edited", strings.Replace(s, "bob-gh", "zed-gh", 1), "edited after it was made"},
		{"no digest", strings.Replace(s, `"digest"`, `"x_digest"`, 1), "unknown field"},
		{"digest removed", regexp.MustCompile(`,\s*"digest": "[^"]*"`).ReplaceAllString(s, ""), "has no digest"},
		{"unknown field", strings.Replace(s, `"at"`, `"approved": true, "at"`, 1), `unknown field "approved"`},
		{"two objects", s + s, "more follows the plan object"},
		{"not JSON", "plan", "not a saved plan"},
		{"a bad day", regexp.MustCompile(`"at": "[^"]*"`).ReplaceAllString(s, `"at": "2026-13-02"`), "not a saved plan"},
		{"too large", strings.Repeat(" ", MaxSavedPlanSize+1), "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeSavedPlan([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
	if _, err := DecodeSavedPlan([]byte(strings.Replace(s, "bob-gh", "zed-gh", 1))); !errors.Is(err, ErrPlanEdited) {
		t.Errorf("an edited plan: %v, want ErrPlanEdited", err)
	}
}

// FuzzDecodeSavedPlan: the saved-plan reader never panics, and whatever it
// accepts encodes and reads back to the same plan.
func FuzzDecodeSavedPlan(f *testing.F) {
	good, err := EncodeSavedPlan(savedExample())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(`{"at":"2026-12-01","targets":null,"warnings":null,"refusals":null,"allow_mass_removal":false,"digest":"sha256:00"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodeSavedPlan(data)
		if err != nil {
			return
		}
		again, err := EncodeSavedPlan(p)
		if err != nil {
			t.Fatalf("encode what was read: %v", err)
		}
		q, err := DecodeSavedPlan(again)
		if err != nil {
			t.Fatalf("read back: %v", err)
		}
		if diff := cmp.Diff(p, q); diff != "" {
			t.Errorf("round trip (-first +second):\n%s", diff)
		}
	})
}
