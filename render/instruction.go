package render

import (
	"fmt"

	"github.com/prodaccess/prodaccess/config"
	"github.com/prodaccess/prodaccess/outcome"
)

// Instruction is what a person must do in the system of the manual
// target t for one change.
func Instruction(t *config.Target, c outcome.Change) string {
	if c.Action == outcome.Add {
		return fmt.Sprintf("%s for %s", t.Instructions, c.Subject)
	}
	return fmt.Sprintf("undo for %s: %s", c.Subject, t.Instructions)
}
