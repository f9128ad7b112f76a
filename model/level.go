package model

import "fmt"

// Level is how much production access a person has, lowest first.
type Level int

// The levels, in increasing order of trust.
const (
	None Level = iota
	TemporarySupervised
	Supervised
	Permanent
)

var levelNames = [...]string{"none", "temporary_supervised", "supervised", "permanent"}

// Levels lists every level from lowest to highest.
var Levels = []Level{None, TemporarySupervised, Supervised, Permanent}

// AccessLevels are the levels that are production access: all but none.
var AccessLevels = []Level{TemporarySupervised, Supervised, Permanent}

func (l Level) String() string {
	if l < 0 || int(l) >= len(levelNames) {
		return fmt.Sprintf("Level(%d)", int(l))
	}
	return levelNames[l]
}

// AccessText names the level as access: "no access", "supervised access".
func (l Level) AccessText() string {
	if l == None {
		return "no access"
	}
	return l.String() + " access"
}

// ParseLevel reads a level by its name.
func ParseLevel(s string) (Level, error) {
	for i, n := range levelNames {
		if n == s {
			return Level(i), nil
		}
	}
	return None, fmt.Errorf("unknown level %q; expected one of none, temporary_supervised, supervised, permanent", s)
}

// MarshalText writes the level's name.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText reads a level's name.
func (l *Level) UnmarshalText(b []byte) error {
	v, err := ParseLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

func LevelWords(l Level) string {
	switch l {
	case TemporarySupervised:
		return "temporary supervised"
	case None:
		return "no"
	}
	return l.String()
}
