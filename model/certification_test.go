package model

import (
	"strings"
	"testing"
)

func TestPeriods(t *testing.T) {
	tests := []struct {
		in          string
		name        string
		start, end  string
		of          Cadence
		day         string
		problemWith string
	}{
		{in: "2026-Q4", name: "2026-Q4", start: "2026-10-01", end: "2026-12-31", of: CertifyQuarterly, day: "2026-11-15"},
		{in: "2026-Q1", name: "2026-Q1", start: "2026-01-01", end: "2026-03-31", of: CertifyQuarterly, day: "2026-03-31"},
		{in: "2028-02", name: "2028-02", start: "2028-02-01", end: "2028-02-29", of: CertifyMonthly, day: "2028-02-29"},
		{in: "2026", name: "2026", start: "2026-01-01", end: "2026-12-31", of: CertifyYearly, day: "2026-07-04"},
		{in: "2026-Q5", problemWith: "not a period"},
		{in: "2026-13", problemWith: "not a period"},
		{in: "2026-+1", problemWith: "not a period"},
		{in: "0000", problemWith: "not a period"},
		{in: "26-Q1", problemWith: "not a period"},
	}
	for _, tt := range tests {
		p, err := ParsePeriod(tt.in)
		if tt.problemWith != "" {
			if err == nil || !strings.Contains(err.Error(), tt.problemWith) {
				t.Errorf("ParsePeriod(%q) = %v, %v; want an error saying %q", tt.in, p, err, tt.problemWith)
			}
			continue
		}
		start, _ := ParseDay(tt.start)
		end, _ := ParseDay(tt.end)
		want := Period{Name: tt.name, Start: start, End: end}
		if err != nil || p != want {
			t.Errorf("ParsePeriod(%q) = %v, %v; want %v", tt.in, p, err, want)
		}
		d, _ := ParseDay(tt.day)
		if got := PeriodOf(tt.of, d); got != want {
			t.Errorf("PeriodOf(%s, %s) = %v, want %v", tt.of, d, got, want)
		}
	}
}
