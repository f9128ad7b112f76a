package personfile

import (
	"testing"

	"github.com/prodaccess/prodaccess/internal/testday"
	"github.com/prodaccess/prodaccess/model"
)

func day(t testing.TB, s string) model.Day { return testday.Parse(t, s) }
