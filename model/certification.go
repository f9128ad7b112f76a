package model

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A periodic access review is signed off in git: a pull request adds a
// review file that lists everyone with access and the basis of it, and
// each lead approves the rows of their team by approving the pull
// request. Each row is an entry that needs approval, proven as a grant is
// (Prove), by a review of a lead of record before the pull request whom
// the row names.

// CertificationEntry is the kind of a row of a review file.
const CertificationEntry EntryKind = "certification"

// Cadence is how often access is certified.
type Cadence string

// Cadences.
const (
	CertifyMonthly   Cadence = "month"
	CertifyQuarterly Cadence = "quarter"
	CertifyYearly    Cadence = "year"
)

// Period is one period of access review: 2026-11 (a month), 2026-Q4 (a
// quarter) or 2026 (a year), with its first and last days.
type Period struct {
	Name  string `json:"name"`
	Start Day    `json:"start"`
	End   Day    `json:"end"`
}

func (p Period) String() string { return p.Name }

// PeriodOf is the period of the cadence that holds day d.
func PeriodOf(c Cadence, d Day) Period {
	y, m, _ := d.Time().Date()
	switch c {
	case CertifyMonthly:
		return monthsFrom(y, m, 1, fmt.Sprintf("%04d-%02d", y, int(m)))
	case CertifyYearly:
		return monthsFrom(y, time.January, 12, fmt.Sprintf("%04d", y))
	}
	q := (int(m)-1)/3 + 1
	return monthsFrom(y, time.Month(3*q-2), 3, fmt.Sprintf("%04d-Q%d", y, q))
}

func monthsFrom(y int, m time.Month, n int, name string) Period {
	start := DayFromDate(y, m, 1)
	return Period{Name: name, Start: start, End: DayFromDate(y, m+time.Month(n), 1) - 1}
}

// ParsePeriod reads a period: YYYY-Qn, YYYY-MM or YYYY.
func ParsePeriod(s string) (Period, error) {
	bad := fmt.Errorf("%q is not a period: give a quarter (2026-Q4), a month (2026-11) or a year (2026)", s)
	year := func(t string) (int, bool) {
		y, err := strconv.Atoi(t)
		return y, err == nil && len(t) == 4 && y >= 1 && y <= 9999
	}
	switch {
	case len(s) == 4:
		if y, ok := year(s); ok {
			return PeriodOf(CertifyYearly, DayFromDate(y, time.January, 1)), nil
		}
	case len(s) == 7 && s[4] == '-' && s[5] == 'Q':
		y, ok := year(s[:4])
		q := int(s[6] - '0')
		if ok && q >= 1 && q <= 4 {
			return PeriodOf(CertifyQuarterly, DayFromDate(y, time.Month(3*q-2), 1)), nil
		}
	case len(s) == 7 && s[4] == '-':
		y, ok := year(s[:4])
		m, err := strconv.Atoi(s[5:])
		if ok && err == nil && m >= 1 && m <= 12 && !strings.ContainsAny(s[5:], "+-") {
			return PeriodOf(CertifyMonthly, DayFromDate(y, time.Month(m), 1)), nil
		}
	}
	return Period{}, bad
}
