package testkeys

import "testing"

// TestNewFixedIsTheSameEachTime: the same name and email give the same
// key, byte for byte; another gives another.
func TestNewFixedIsTheSameEachTime(t *testing.T) {
	a, err := NewFixed("Jane Doe", "jane@example.gov.uk")
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewFixed("Jane Doe", "jane@example.gov.uk")
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewFixed("Jon Doe", "jon@example.gov.uk")
	if err != nil {
		t.Fatal(err)
	}
	if a.Fingerprint != b.Fingerprint || string(a.Public()) != string(b.Public()) {
		t.Errorf("two keys of one seed differ: %s, %s", a.Fingerprint, b.Fingerprint)
	}
	if a.Fingerprint == c.Fingerprint {
		t.Errorf("two seeds give one key %s", a.Fingerprint)
	}
}
