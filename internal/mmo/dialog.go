package mmo

import (
	"maps"
	"time"
)

// Dialog flows. A flow is a multi-step form; its state is a Dialog kept in
// the store, so a restart in the middle of a form loses nothing.
const (
	FlowRegister = "register" // consent, name, school, position
	FlowEdit     = "edit"     // one profile field; Step is the field name
	FlowGrant    = "grant"    // an admin searches a user to make coordinator

	FlowCreateAssoc     = "assoc_create"  // name, subject, description, policy
	FlowEditAssoc       = "assoc_edit"    // one association field; Draft["aid"]
	FlowRemoveMember    = "remove"        // the reason for removing Draft["uid"] from Draft["aid"]
	FlowAppointLeader   = "leader"        // a coordinator searches the leader of Draft["aid"]
	FlowCreateEvent     = "event_create"  // format, topic, time, duration, place, link, agenda
	FlowEditEvent       = "event_edit"    // one field of event Draft["eid"]
	FlowCheckinLocation = "checkin_loc"   // a member shares a location to check in at Draft["eid"]
	FlowVenue           = "venue"         // a leader shares the venue of Draft["eid"]
	FlowAttendanceNote  = "att_note"      // a note on the mark of Draft["uid"] at Draft["eid"]
	FlowMinutes         = "minutes"       // the minutes of meeting Draft["eid"], item by item
	FlowAsk             = "ask"           // a consultation request to Draft["aid"]
	FlowAskConsent      = "ask_consent"   // a non-member agrees to the notice and gives a name
	FlowConsultReply    = "consult_reply" // one message in request Draft["cid"]
	FlowPlanText        = "plan_text"     // the goal or the tasks of plan Draft["aid"], Draft["year"]
	FlowPlanItem        = "plan_item"     // a planned event: month, topic, format, responsible
	FlowPropose         = "propose"       // a member's proposal for the plan of Draft["aid"]
	FlowReturnDoc       = "return_doc"    // the coordinator's comment returning a plan or report
	FlowReportSection   = "report_sec"    // one section of report Draft["aid"], Draft["year"]
)

// Steps of the registration flow, in order.
const (
	StepConsent  = "consent"
	StepName     = FieldName
	StepSchool   = FieldSchool
	StepPosition = FieldPosition
	StepQuery    = "query" // free-text search, used by FlowGrant
)

// Actions a button can carry into a dialog.
const (
	ActionAgree   = "agree"
	ActionDecline = "decline"
)

// CodeDeclined means the user declined the personal data notice.
const CodeDeclined Code = "declined"

// Dialog is the persisted state of a multi-step form.
type Dialog struct {
	Flow  string            `json:"flow"`
	Step  string            `json:"step"`
	Draft map[string]string `json:"draft,omitempty"`
	// Nonce changes on every step. Buttons of a dialog carry it, so a
	// button from an earlier step is recognised as stale.
	Nonce   uint32 `json:"nonce"`
	Payload string `json:"payload,omitempty"` // a deep-link payload to resume after the flow
	// Prompt names (by its key in the registry of sent messages) the
	// form's latest question with buttons, PromptText its text: once the
	// form moves on or ends, the question is redrawn without them.
	Prompt     string    `json:"prompt,omitempty"`
	PromptText string    `json:"prompt_text,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// Input is what the user gave a dialog: typed text or a pressed button.
type Input struct {
	Text   string
	Action string
}

// NewDialog starts a flow at its first step.
func NewDialog(flow, step string, now time.Time, idle time.Duration) Dialog {
	return Dialog{
		Flow:      flow,
		Step:      step,
		Draft:     map[string]string{},
		Nonce:     uint32(now.UnixNano()>>10) | 1,
		StartedAt: now,
		ExpiresAt: now.Add(idle),
	}
}

// Expired reports whether the dialog was left idle for too long.
func (d *Dialog) Expired(now time.Time) bool { return !now.Before(d.ExpiresAt) }

// to moves the dialog to a step and extends its life.
func (d Dialog) to(step string, now time.Time, idle time.Duration) Dialog {
	draft := make(map[string]string, len(d.Draft)+1)
	maps.Copy(draft, d.Draft)
	d.Draft = draft
	d.Step = step
	d.Nonce++
	d.ExpiresAt = now.Add(idle)
	return d
}

var registerNext = map[string]string{
	StepConsent: StepName,
	StepName:    StepSchool,
	StepSchool:  StepPosition,
}

// RegistrationNext applies one input to the registration flow. It returns
// the next state and whether the form is complete; on a validation error
// the state is returned unchanged with the error, so the step is asked
// again. The draft keys are the profile field names plus "consent_at".
func RegistrationNext(d Dialog, in Input, now time.Time, idle time.Duration) (Dialog, bool, error) {
	if d.Step == StepConsent {
		switch in.Action {
		case ActionAgree:
			next := d.to(StepName, now, idle)
			next.Draft["consent_at"] = now.UTC().Format(time.RFC3339)
			return next, false, nil
		case ActionDecline:
			return d, false, Errorf(CodeDeclined, "consent")
		}
		return d, false, Errorf(CodeInvalid, "consent")
	}
	if in.Action != "" {
		return d, false, Errorf(CodeConflict, d.Step)
	}
	value, err := ValidateField(d.Step, in.Text)
	if err != nil {
		return d, false, err
	}
	step, ok := registerNext[d.Step]
	if !ok { // the last step
		next := d.to("", now, idle)
		next.Draft[d.Step] = value
		return next, true, nil
	}
	next := d.to(step, now, idle)
	next.Draft[d.Step] = value
	return next, false, nil
}

// ApplyRegistration copies a completed registration draft onto the user.
func ApplyRegistration(u *User, d Dialog, now time.Time) {
	u.Name = d.Draft[FieldName]
	u.School = d.Draft[FieldSchool]
	u.SchoolOther = d.Draft["school_other"] == "1"
	u.Position = d.Draft[FieldPosition]
	if t, err := time.Parse(time.RFC3339, d.Draft["consent_at"]); err == nil {
		u.ConsentAt = t
	} else {
		u.ConsentAt = now
	}
	if u.RegisteredAt.IsZero() {
		u.RegisteredAt = now
	}
}
