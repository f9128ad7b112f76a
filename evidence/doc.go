// Package evidence holds the rules that sit beside the access rules and
// vouch for what a person file only claims: the authority of the people
// branch (who may approve, and under which policy, as its history
// establishes; a change that widens it counts only once a lead approved
// it), the certification of access reviews, the shifts the on-call rota
// shows, and the format of the evidence notes. The rule that says when
// evidence proves one entry (model.Prove) is in model, since the access
// rules apply it.
//
// Like model, it is pure: it reads no file, clock or network. It imports
// model and nothing else of prodaccess.
package evidence
