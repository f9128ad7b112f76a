package model

import (
	"testing"
	"time"
)

func TestParseInstantOrDay(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in, want, err string
	}{
		{in: "2021-03-15", want: "2021-03-15"},
		{in: "2024-02-29", want: "2024-02-29"},
		{in: "2021-02-29", err: "2021-02-29 is not a day of the calendar"},
		{in: "2021-13-01", err: "2021-13-01 is not a day of the calendar"},
		{in: "2021-3-15", err: `"2021-3-15" is neither a day (YYYY-MM-DD) nor an RFC 3339 instant (2006-01-02T15:04:05Z)`},
		{in: "15/03/2021", err: `"15/03/2021" is not a date in the form YYYY-MM-DD`},
		// 23:30 UTC on 30 June is already 1 July in London (BST).
		{in: "2021-06-30T23:30:00Z", want: "2021-07-01"},
		// In winter London is on UTC.
		{in: "2021-01-31T23:30:00Z", want: "2021-01-31"},
		{in: "2021-07-01T00:30:00+02:00", want: "2021-06-30"},
		{in: "9999-12-31", want: "9999-12-31"},
		{in: "0001-01-01", want: "0001-01-01"},
		{in: "0000-12-31", err: "0000-12-31 is outside the years 1 to 9999"},
		{in: "9999-12-31T23:30:00-14:00", err: `"9999-12-31T23:30:00-14:00" falls on 10000-01-01, outside the years 1 to 9999`},
		{in: "0000-12-31T23:30:00Z", err: `"0000-12-31T23:30:00Z" falls on 0000-12-31, outside the years 1 to 9999`},
		{in: "yesterday", err: `"yesterday" is neither a day (YYYY-MM-DD) nor an RFC 3339 instant (2006-01-02T15:04:05Z)`},
	}
	for _, tt := range tests {
		d, err := ParseInstantOrDay(tt.in, london)
		switch {
		case tt.err != "":
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseInstantOrDay(%q) error = %v, want %q", tt.in, err, tt.err)
			}
		case err != nil:
			t.Errorf("ParseInstantOrDay(%q): %v", tt.in, err)
		case d.String() != tt.want:
			t.Errorf("ParseInstantOrDay(%q) = %s, want %s", tt.in, d, tt.want)
		}
	}
}
