package config

import (
	"github.com/prodaccess/prodaccess/internal/strictyaml"
	"github.com/prodaccess/prodaccess/model"
	"go.yaml.in/yaml/v3"
)

// The rota section: the PagerDuty schedules that prove shifts, and how
// people are matched to PagerDuty users.
//
//	rota:
//	  schedules:
//	    - id: PABC123
//	      shift: primary
//	  match: email
//	  since: 2026-06-01
//	  retention_days: 365

// pagerDutyID is what a PagerDuty id looks like, as the client accepts
// one in a path or a query.
var pagerDutyID = strictyaml.Lazy(`^[A-Za-z0-9_-]{1,64}$`) // compiled when a rota is read: {1,64} is costly to compile at every start

var (
	rotaShape = strictyaml.MappingOf(rotaTable, "The on-call rota (PagerDuty schedules) that proves 2nd line shifts: see docs/rota.md.")

	rotaSchedulesShape = &strictyaml.Shape{Kind: strictyaml.KindList, MinItems: 1,
		Items: strictyaml.MappingOf(rotaScheduleTable, "A PagerDuty schedule and the kind of shift it stands for."),
		Doc:   "The PagerDuty schedules whose on-calls are shifts, each with the kind of shift it stands for."}
	rotaScheduleIDShape = strictyaml.TextMatching(pagerDutyID, 64, "a PagerDuty schedule id (letters, digits, _ and -)", "The schedule's id, as in its PagerDuty address (…/schedules/PABC123).")
	rotaShiftShape      = strictyaml.OneOf("The kind of shift an on-call of this schedule is.", model.Shadow, model.Primary, model.Secondary)
	rotaMatchShape      = strictyaml.OneOf("How a PagerDuty user is matched to a person file: by email (the default; without regard to case) or by the file's pagerduty_id.", model.MatchEmail, model.MatchPagerDutyID)
	rotaSinceShape      = strictyaml.Date("The first day the schedules are the record of 2nd line: a shift that starts before it needs a lead's approving review instead.")
	rotaRetentionShape  = strictyaml.IntegerIn(1, 3660, "How far back, in days, the rota is read (default 365): a shift that started longer ago when it is first looked up needs a lead's approving review instead.")
)

func rotaTable() []strictyaml.Field { return new(decoder).rotaFields(new(model.Rota)) }

func rotaScheduleTable() []strictyaml.Field {
	return new(decoder).rotaScheduleFields(new(model.RotaSchedule))
}

func (d *decoder) rotaFields(r *model.Rota) []strictyaml.Field {
	return []strictyaml.Field{
		{Name: "schedules", Required: true, Is: rotaSchedulesShape, Read: func(n *yaml.Node, path string) {
			seen := map[string]int{}
			d.List(n, path, func(_ int, item *yaml.Node, path string) {
				var s model.RotaSchedule
				before := len(d.Problems)
				if !d.Mapping(item, path, "a schedule (id and shift)", d.rotaScheduleFields(&s)) || len(d.Problems) != before {
					return
				}
				if line, dup := seen[s.ID]; dup {
					d.Problem(item, path+".id", "schedule %s is already listed at line %d", s.ID, line)
					return
				}
				seen[s.ID] = item.Line
				r.Schedules = append(r.Schedules, s)
			})
			if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
				d.Problem(n, path, "lists no schedule; name at least one, or remove the rota section")
			}
		}},
		strictyaml.EnumField(&d.Decoder, "match", false, rotaMatchShape, &r.Match),
		d.DayField("since", false, rotaSinceShape, &r.Since),
		{Name: "retention_days", Is: rotaRetentionShape, Read: d.intInto(&r.RetentionDays, rotaRetentionShape)},
	}
}

func (d *decoder) rotaScheduleFields(s *model.RotaSchedule) []strictyaml.Field {
	return []strictyaml.Field{
		d.TextField("id", true, rotaScheduleIDShape, &s.ID, nil),
		strictyaml.EnumField(&d.Decoder, "shift", true, rotaShiftShape, &s.Shift),
	}
}
