package model

import (
	"encoding/json"
	"fmt"
	"time"
)

// Day is a calendar day in the policy time zone, counted in days since
// 1970-01-01. Days compare with < and == and step with + and -.
type Day int32

const dayLayout = "2006-01-02"

// DayOf returns the calendar day of t as seen in loc.
func DayOf(t time.Time, loc *time.Location) Day {
	y, m, d := t.In(loc).Date()
	return DayFromDate(y, m, d)
}

// DayFromDate returns the Day for a year, month and day of the month.
func DayFromDate(y int, m time.Month, d int) Day {
	return Day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// ParseDay reads a day written as YYYY-MM-DD and rejects days that do not
// exist, such as 2021-02-30.
func ParseDay(s string) (Day, error) {
	if len(s) != len(dayLayout) || s[4] != '-' || s[7] != '-' {
		return 0, fmt.Errorf("%q is not a date in the form YYYY-MM-DD", s)
	}
	num := func(from, to int) int {
		n := 0
		for _, c := range s[from:to] {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	y, m, d := num(0, 4), num(5, 7), num(8, 10)
	if y < 0 || m < 0 || d < 0 {
		return 0, fmt.Errorf("%q is not a date in the form YYYY-MM-DD", s)
	}
	// time.Date normalises 2021-02-30 to 2021-03-02; a real day survives
	// the round trip unchanged.
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if ty, tm, td := t.Date(); ty != y || int(tm) != m || td != d {
		return 0, fmt.Errorf("%s is not a day of the calendar", s)
	}
	if y < 1 {
		return 0, fmt.Errorf("%s is outside the years 1 to 9999", s)
	}
	return Day(t.Unix() / 86400), nil
}

// The first and last days prodaccess reads and writes: every day between
// is written as YYYY-MM-DD and reads back as itself.
var (
	firstDay = DayFromDate(1, time.January, 1)
	lastDay  = DayFromDate(9999, time.December, 31)
)

// ParseInstantOrDay reads either YYYY-MM-DD or an RFC 3339 instant; an instant
// is converted to the calendar day it falls on in loc.
func ParseInstantOrDay(s string, loc *time.Location) (Day, error) {
	if len(s) == len(dayLayout) {
		return ParseDay(s)
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0, fmt.Errorf("%q is neither a day (YYYY-MM-DD) nor an RFC 3339 instant (2006-01-02T15:04:05Z)", s)
	}
	d := DayOf(t, loc)
	if d < firstDay || d > lastDay {
		y, m, dd := t.In(loc).Date()
		return 0, fmt.Errorf("%q falls on %04d-%02d-%02d, outside the years 1 to 9999", s, y, m, dd)
	}
	return d, nil
}

// Time returns midnight UTC at the start of the day.
func (d Day) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// String writes the day as YYYY-MM-DD.
func (d Day) String() string { return d.Time().Format(dayLayout) }

// MarshalJSON writes the day as a "YYYY-MM-DD" string.
func (d Day) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a "YYYY-MM-DD" string.
func (d *Day) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseDay(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Range is an inclusive range of days; it has both ends.
type Range struct {
	Start, End Day
}

// Contains reports whether d is within the range, both ends included.
func (r Range) Contains(d Day) bool { return r.Start <= d && d <= r.End }

// Days is the number of days in the range, both ends included.
func (r Range) Days() int { return int(r.End-r.Start) + 1 }

func (r Range) String() string { return r.Start.String() + " to " + r.End.String() }
