package model

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
)

func TestPrintable(t *testing.T) {
	got := []string{
		Printable("plain\ttext\n"),
		Printable("\x1b[2J\rclear"),
		Printable("abc\u202edef\u2066"),
		Printable("del\x7f c1\u0085"),
	}
	want := []string{"plain\ttext\n", `\u001b[2J\u000dclear`, `abc\u202edef\u2066`, `del\u007f c1\u0085`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Printable (-want +got):\n%s", diff)
	}
}

// defaultIgnorable are the Default_Ignorable_Code_Point ranges of
// Unicode 15.0's DerivedCoreProperties.txt, as published.
var defaultIgnorable = [][2]rune{
	{0x00AD, 0x00AD}, {0x034F, 0x034F}, {0x061C, 0x061C}, {0x115F, 0x1160}, {0x17B4, 0x17B5},
	{0x180B, 0x180F}, {0x200B, 0x200F}, {0x202A, 0x202E}, {0x2060, 0x206F}, {0x3164, 0x3164},
	{0xFE00, 0xFE0F}, {0xFEFF, 0xFEFF}, {0xFFA0, 0xFFA0}, {0xFFF0, 0xFFF8}, {0x1BCA0, 0x1BCA3},
	{0x1D173, 0x1D17A}, {0xE0000, 0xE0FFF},
}

// TestHiddenCoversDefaultIgnorable: every Default_Ignorable_Code_Point,
// and every format character, is Hidden, and refused in free text with
// its code point and position; the visible characters around them are
// not.
func TestHiddenCoversDefaultIgnorable(t *testing.T) {
	for _, rg := range defaultIgnorable {
		for r := rg[0]; r <= rg[1]; r++ {
			if !Hidden(r) || !TerminalUnsafe(r) {
				t.Errorf("U+%04X is Default_Ignorable_Code_Point, and not Hidden", r)
			}
			if msg := CheckFreeText("ab" + string(r)); msg == "" || !strings.Contains(msg, fmt.Sprintf("U+%04X (character 3)", r)) {
				t.Errorf("CheckFreeText with U+%04X: %q", r, msg)
			}
		}
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if unicode.Is(unicode.Cf, r) && !Hidden(r) {
			t.Errorf("the format character U+%04X is not Hidden", r)
		}
	}
	for _, ok := range []string{"Jane Doe", "Zoë Ångström", "李小龍", "O'Brien-Smith", "Migrating search: phase 2 (see #41)", "Anna ❤ Bo", "دانا"} {
		if msg := CheckFreeText(ok); msg != "" {
			t.Errorf("CheckFreeText(%q) = %q", ok, msg)
		}
	}
	for in, want := range map[string]string{
		"Jane\u3164Doe":          "holds the invisible character U+3164 (character 5); only visible text is allowed",
		"\U000E0041\U000E0042":   "holds the invisible character U+E0041 (character 1); only visible text is allowed",
		"Anna ❤\ufe0f":           "holds the invisible character U+FE0F (character 7); only visible text is allowed",
		"exe.\u202etxt":          "holds U+202E (character 5), which changes how the text around it is shown; only visible text is allowed",
		"a\x1bb":                 "holds the control character U+001B (character 2); only visible text is allowed",
		"one\ntwo":               "holds a line break (character 4); write the value on one line",
		"\xff":                   "is not valid UTF-8; only visible text is allowed",
		"soft\u00adhyphen":       "holds the invisible character U+00AD (character 5); only visible text is allowed",
		"\u115f\u1160\uffa0name": "holds the invisible character U+115F (character 1); only visible text is allowed",
	} {
		if diff := cmp.Diff(want, CheckFreeText(in)); diff != "" {
			t.Errorf("CheckFreeText(%q) (-want +got):\n%s", in, diff)
		}
	}
}

// TestPrintableBeyondBMP: a hidden character beyond U+FFFF is escaped as
// its UTF-16 halves, which JSON reads back as the same character.
func TestPrintableBeyondBMP(t *testing.T) {
	in := "tag\U000E0041 filler\u3164"
	got := Printable(in)
	if want := `tag\udb40\udc41 filler\u3164`; got != want {
		t.Errorf("Printable = %q, want %q", got, want)
	}
	var back string
	if err := json.Unmarshal([]byte(`"`+got+`"`), &back); err != nil || back != in {
		t.Errorf("JSON reads %q back as %q (%v)", got, back, err)
	}
}

// TestPrintableASCII: PrintableASCII is TerminalUnsafe's answer for every
// ASCII character, and refuses every byte beyond ASCII, which Printable
// must then look at as characters.
func TestPrintableASCII(t *testing.T) {
	for c := range 256 {
		want := c < 0x80 && !TerminalUnsafe(rune(c))
		if got := PrintableASCII(string([]byte{byte(c)})); got != want {
			t.Errorf("PrintableASCII(%q) = %v; want %v", string([]byte{byte(c)}), got, want)
		}
		if got := PrintableASCII([]byte{byte(c)}); got != want {
			t.Errorf("PrintableASCII([]byte{%#x}) = %v; want %v", c, got, want)
		}
	}
	for _, tt := range []struct {
		text string
		want bool
	}{
		{"", true},
		{"name: Jane\n\tok ~", true},
		{"name: Jane\r\n", false},
		{"caf\u00e9", false},
		{"\u202eevil", false},
		{"bell\a", false},
	} {
		if got := PrintableASCII(tt.text); got != tt.want {
			t.Errorf("PrintableASCII(%q) = %v; want %v", tt.text, got, tt.want)
		}
		if tt.want && Printable(tt.text) != tt.text {
			t.Errorf("Printable(%q) = %q; want it as it is", tt.text, Printable(tt.text))
		}
	}
}

// TestFreeTextASCIIFastPath: every character that CheckFreeText lets
// through a byte at a time, alone, between letters and at either end, is
// one that asking of every character lets through too; every other ASCII
// character is still asked of.
func TestFreeTextASCIIFastPath(t *testing.T) {
	for c := range 0x80 {
		for _, s := range []string{string(rune(c)), "a" + string(rune(c)) + "b", string(rune(c)) + "ab", "ab" + string(rune(c))} {
			if got, want := CheckFreeText(s), checkFreeTextRunes(s); got != want {
				t.Errorf("CheckFreeText(%q) = %q, asking of every character: %q", s, got, want)
			}
			if printableASCIIOnly(s) != (c >= 0x20 && c <= 0x7e) {
				t.Errorf("printableASCIIOnly(%q) = %v", s, printableASCIIOnly(s))
			}
		}
	}
	for _, s := range []string{"", "Alex Lee", "Zoë", "a\u200bb", "\xff"} {
		if got, want := CheckFreeText(s), checkFreeTextRunes(s); got != want {
			t.Errorf("CheckFreeText(%q) = %q, asking of every character: %q", s, got, want)
		}
	}
}
