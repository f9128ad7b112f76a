package outcome

import (
	"time"

	"github.com/prodaccess/prodaccess/model"
)

// Certified is the latest certification of one person: the period, the
// pull request that signed it off, by whom and when; or why it is not
// proven.
type Certified struct {
	Period      string     `json:"period"`
	File        string     `json:"file"`
	At          model.Day  `json:"at"`
	Proven      bool       `json:"proven"`
	PullRequest int        `json:"pull_request,omitempty"`
	URL         string     `json:"url,omitempty"`
	By          string     `json:"by,omitempty"`
	ProvenAt    *time.Time `json:"proven_at,omitempty"`
	Missing     []string   `json:"missing,omitempty"`
}
