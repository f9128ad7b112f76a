package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/prodaccess/prodaccess/model"
)

// EncodeEvidence writes the note of one commit.
func EncodeEvidence(ev *model.CommitEvidence) ([]byte, error) {
	data, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// DecodeEvidence reads the note of one commit strictly.
func DecodeEvidence(data []byte) (*model.CommitEvidence, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var ev model.CommitEvidence
	if err := dec.Decode(&ev); err != nil {
		return nil, fmt.Errorf("not prodaccess evidence: %w", err)
	}
	switch {
	case ev.Version != model.EvidenceVersion && ev.Version != model.ShiftEvidenceVersion:
		return nil, fmt.Errorf("evidence version %d; this prodaccess reads versions %d and %d", ev.Version, model.EvidenceVersion, model.ShiftEvidenceVersion)
	case ev.Version == model.EvidenceVersion && len(ev.Shifts) > 0:
		return nil, fmt.Errorf("evidence version %d holds what the rota showed, which only version %d notes hold", ev.Version, model.ShiftEvidenceVersion)
	}
	if len(ev.Commit) != 40 {
		return nil, fmt.Errorf("evidence for %q, which is not a full commit id", ev.Commit)
	}
	return &ev, nil
}
