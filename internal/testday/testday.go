// Package testday reads the days that tests write as text.
package testday

import (
	"testing"

	"github.com/prodaccess/prodaccess/model"
)

// Parse reads a day written YYYY-MM-DD, and fails the test if it is not
// one.
func Parse(tb testing.TB, s string) model.Day {
	tb.Helper()
	d, err := model.ParseDay(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}
