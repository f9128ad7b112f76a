package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/prodaccess/prodaccess/model"
)

// CheckHeldTargets reports every target a held_before_adoption entry
// names that the configuration does not have: access held there counts
// nowhere, which is a mistake the person file cannot show on its own.
func CheckHeldTargets(c *Config, people []*model.Person) model.Problems {
	var names []string
	for _, t := range c.Targets {
		names = append(names, t.Name)
	}
	var out model.Problems
	for _, p := range people {
		h := p.HeldBeforeAdoption
		if h == nil {
			continue
		}
		for _, t := range h.Targets {
			if !slices.Contains(names, t) {
				out = append(out, model.Problem{File: p.File, Line: h.TargetsPos.Line, Col: h.TargetsPos.Col,
					Message: fmt.Sprintf("held_before_adoption.targets: %s has no target %q (its targets: %s)", c.File, t, strings.Join(names, ", "))})
			}
		}
	}
	return out
}
