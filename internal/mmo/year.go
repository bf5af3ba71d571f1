package mmo

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MonthDay is a day of the year without a year: "09-15".
type MonthDay struct {
	Month time.Month
	Day   int
}

// ParseMonthDay reads "MM-DD".
func ParseMonthDay(s string) (MonthDay, error) {
	m, d, ok := strings.Cut(strings.TrimSpace(s), "-")
	month, err1 := strconv.Atoi(m)
	day, err2 := strconv.Atoi(d)
	if !ok || err1 != nil || err2 != nil || month < 1 || month > 12 || day < 1 || day > 31 {
		return MonthDay{}, fmt.Errorf("%q is not a month and day like 09-15", s)
	}
	if day > daysIn(time.Month(month), 2028) { // 2028 is a leap year: 02-29 is allowed
		return MonthDay{}, fmt.Errorf("%q: month %d has no day %d", s, month, day)
	}
	return MonthDay{time.Month(month), day}, nil
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// String formats the day as "MM-DD".
func (md MonthDay) String() string { return fmt.Sprintf("%02d-%02d", int(md.Month), md.Day) }

// In returns the date of md in a calendar year, at midnight in loc; 29
// February falls back to the 28th in common years.
func (md MonthDay) In(year int, loc *time.Location) time.Time {
	day := min(md.Day, daysIn(md.Month, year))
	return time.Date(year, md.Month, day, 0, 0, 0, 0, loc)
}

// Regulation is the city's regulation profile: the dates and minimums the
// bot checks associations against.
type Regulation struct {
	// Preset names the regulation ("ivanovo", "biysk"); Goal and Tasks,
	// when set, start every new work plan instead of the preset's.
	Preset         string
	Goal           string
	Tasks          []string
	YearStart      MonthDay // the school year begins (1 September)
	PlanDue        MonthDay // the work plan is due, in the school year's first months
	ReportDue      MonthDay // the annual report is due, at the school year's end
	MinMeetings    int      // заседания a school year needs
	MeetingsWarn   MonthDay // from this day the coordinator is warned if the minimum is not on track
	MinMembers     int      // members an association needs to be active; 0: no minimum
	RetentionYears int      // documents and records are kept this many years
	LadderDays     []int    // reminders this many days before a due date, then on the day
	OverdueEvery   int      // then every this many days while overdue
	ParentsOn      bool     // a new association takes parents' consultation requests from the start
}

// SchoolYearOf returns the first calendar year of the school year t falls
// in, by the regulation's start date, in loc.
func (reg Regulation) SchoolYearOf(t time.Time, loc *time.Location) int {
	t = t.In(loc)
	if t.Before(reg.YearStart.In(t.Year(), loc)) {
		return t.Year() - 1
	}
	return t.Year()
}

// YearSpan returns when the school year that starts in calendar year
// `year` begins and when the next one begins, at midnight in loc: the
// range [from, to) holds exactly the times SchoolYearOf places in year.
func (reg Regulation) YearSpan(year int, loc *time.Location) (from, to time.Time) {
	return reg.YearStart.In(year, loc), reg.YearStart.In(year+1, loc)
}

// yearDate places a month and day within the school year that starts in
// calendar year `year`: days before the start date belong to the next
// calendar year.
func (reg Regulation) yearDate(year int, md MonthDay, loc *time.Location) time.Time {
	if md.Month < reg.YearStart.Month || md.Month == reg.YearStart.Month && md.Day < reg.YearStart.Day {
		return md.In(year+1, loc)
	}
	return md.In(year, loc)
}

// MonthOver reports whether, at now, the month `month` (1..12) of the
// school year that starts in calendar year `year` is over: a plan item of
// that month not held by then is not fulfilled, while one of a month still
// to come is only not due yet.
func (reg Regulation) MonthOver(year, month int, now time.Time, loc *time.Location) bool {
	if month < 1 || month > 12 {
		return true
	}
	start := reg.yearDate(year, MonthDay{Month: time.Month(month), Day: 1}, loc)
	if time.Month(month) == reg.YearStart.Month && reg.YearStart.Day > 1 {
		// The school year starts within this month: its days before the
		// start belong to the next calendar year, the month is the first.
		start = MonthDay{Month: time.Month(month), Day: 1}.In(year, loc)
	}
	return !now.Before(start.AddDate(0, 1, 0))
}

// Document kinds with deadlines.
const (
	DocPlan   = "plan"
	DocReport = "report"
)

// Due returns the due date (midnight starting the day, in loc) of a
// document for the school year that starts in `year`: the plan in its
// first months, the report at its end.
func (reg Regulation) Due(kind string, year int, loc *time.Location) time.Time {
	if kind == DocPlan {
		return reg.yearDate(year, reg.PlanDue, loc)
	}
	return reg.yearDate(year, reg.ReportDue, loc)
}

// planLead is how many days before a school year its plan is the one
// being made: from mid-July for a year starting on 1 September.
const planLead = 45

// PlanYear returns the school year whose plan is being made at now: the
// current one, and in the planLead days before the next one starts, the
// next one.
func (reg Regulation) PlanYear(now time.Time, loc *time.Location) int {
	return reg.SchoolYearOf(now.In(loc).AddDate(0, 0, planLead), loc)
}

// reportGrace is how many months into a school year last year's report
// may still be the one to write.
const reportGrace = 3

// ReportYear returns the school year whose report association a writes
// next at now: the current one, except in the first reportGrace months of
// a school year while last year's report (whose status is last; "" when
// none was begun) is neither submitted nor approved — if the association
// existed when it fell due.
func (reg Regulation) ReportYear(a *Association, last DocStatus, now time.Time, loc *time.Location) int {
	year := reg.SchoolYearOf(now, loc)
	if now.Before(reg.YearStart.In(year, loc).AddDate(0, reportGrace, 0)) && a.CreatedAt.Before(reg.Due(DocReport, year-1, loc)) && !last.Done() {
		return year - 1
	}
	return year
}

// DaysBetween counts whole calendar days from a to b in loc (negative if
// b is earlier), robust to daylight-saving shifts.
func DaysBetween(a, b time.Time, loc *time.Location) int {
	a, b = a.In(loc), b.In(loc)
	da := time.Date(a.Year(), a.Month(), a.Day(), 12, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 12, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

// Today returns midnight starting the day of t in loc.
func Today(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// MeetingsOnTrack reports whether an association's заседания of the school
// year will reach the minimum: held plus scheduled count. Before the
// warning date nobody is warned, since the year is young.
func (reg Regulation) MeetingsOnTrack(held, scheduled, year int, today time.Time, loc *time.Location) bool {
	if reg.MinMeetings <= 0 || today.Before(reg.yearDate(year, reg.MeetingsWarn, loc)) {
		return true
	}
	return held+scheduled >= reg.MinMeetings
}

// DocStatus is where a plan or report is.
type DocStatus string

// Document statuses.
const (
	DocDraft     DocStatus = "draft"
	DocSubmitted DocStatus = "submitted" // waits for the coordinator
	DocReturned  DocStatus = "returned"  // back to the leader with a comment
	DocApproved  DocStatus = "approved"  // the plan approved, the report accepted
)

// Done reports whether the document no longer needs the leader: submitted
// or approved.
func (s DocStatus) Done() bool { return s == DocSubmitted || s == DocApproved }

// Editable reports whether the leader may still change the document: not
// begun (""), a draft, or returned with a comment. A submitted document
// waits for the coordinator; an approved one is an official paper.
func (s DocStatus) Editable() bool { return s == "" || s == DocDraft || s == DocReturned }

// PlanItem is a planned event of the work plan.
type PlanItem struct {
	ID          int    `json:"id"`
	Month       int    `json:"month"` // 1..12
	Topic       string `json:"topic"`
	Format      Format `json:"format"`
	Responsible string `json:"responsible,omitempty"`
	// Place, Participants (категория участников) and Result (планируемый
	// результат) are the optional columns of the plan's form.
	Place        string `json:"place,omitempty"`
	Participants string `json:"participants,omitempty"`
	Result       string `json:"result,omitempty"`
}

// DocState is where a plan or report is in its approval, common to both.
type DocState struct {
	Status      DocStatus `json:"status"`
	Comment     string    `json:"comment,omitempty"` // the coordinator's, when returned
	SubmittedAt time.Time `json:"submitted_at,omitempty"`
	DecidedAt   time.Time `json:"decided_at,omitempty"`
	DecidedBy   int64     `json:"decided_by,omitempty"`
	// Considered is the заседание the document was discussed at, as the
	// leader chose it when sending it; nil when not chosen (sent before
	// the choice was asked, or with no signed protocol to choose from).
	Considered *Considered `json:"considered,omitempty"`
}

// Considered is the line «Рассмотрен на заседании ММО, протокол № N от
// дата» of a plan or report, frozen as the leader chose it: the signed
// protocol's number and the заседание's date, or EventID 0 when the
// document was not discussed at a заседание.
type Considered struct {
	EventID uint64    `json:"event_id,omitempty"`
	Number  int       `json:"number,omitempty"`
	Date    time.Time `json:"date,omitzero"`
}

// Discussed reports whether the document was discussed at a заседание
// with a signed protocol.
func (c *Considered) Discussed() bool { return c != nil && c.EventID != 0 }

// Submit sends the document to the coordinator at now; only an editable
// one goes (else CodeConflict), and the last return's comment is done
// with.
func (d *DocState) Submit(now time.Time) error {
	if !d.Status.Editable() {
		return Errorf(CodeConflict, "document")
	}
	d.Status, d.SubmittedAt, d.Comment = DocSubmitted, now, ""
	return nil
}

// Decide records the coordinator's decision on a submitted document
// (else CodeConflict: decided already): approved without a comment,
// returned to the leader with one.
func (d *DocState) Decide(by int64, comment string, now time.Time) error {
	if d.Status != DocSubmitted {
		return Errorf(CodeConflict, "document")
	}
	d.DecidedAt, d.DecidedBy, d.Comment = now, by, comment
	d.Status = DocApproved
	if comment != "" {
		d.Status = DocReturned
	}
	return nil
}

// Plan is an association's work plan (Приложение 1) for a school year.
type Plan struct {
	AssociationID uint64 `json:"association_id"`
	Year          int    `json:"year"`
	DocState
	Goal      string     `json:"goal"`
	Tasks     []string   `json:"tasks"`
	Items     []PlanItem `json:"items,omitempty"`
	NextItem  int        `json:"next_item"`
	UpdatedAt time.Time  `json:"updated_at"`
	// SubmittedItems are the items as last sent to the coordinator, so
	// that the next submission can say what changed.
	SubmittedItems []PlanItem `json:"submitted_items,omitempty"`
}

// Submit sends the plan to the coordinator: an editable plan with at
// least one planned event (else CodeTooShort, field "items").
func (p *Plan) Submit(now time.Time) error {
	if p.Status.Editable() && len(p.Items) == 0 {
		return &Error{Code: CodeTooShort, Field: "items", Limit: 1}
	}
	return p.DocState.Submit(now)
}

// AddItem appends a planned event and returns its id.
func (p *Plan) AddItem(it PlanItem) int {
	p.NextItem++
	it.ID = p.NextItem
	p.Items = append(p.Items, it)
	return it.ID
}

// Proposal is a member's proposal for the plan.
type Proposal struct {
	ID            uint64    `json:"id"`
	AssociationID uint64    `json:"association_id"`
	Year          int       `json:"year"`
	UserID        int64     `json:"user_id"`
	Text          string    `json:"text"`
	At            time.Time `json:"at"`
	// State: "" new, "taken" into the plan, "declined".
	State string `json:"state,omitempty"`
}

// Report sections the leader writes (Приложение 2); the first one (the
// number and topics of заседания) and the figures of the others come from
// the bot's own records.
var ReportSections = []string{"meetings", "directions", "practice", "contests", "open_events", "publications", "young", "problems", "perspectives"}

// reportAuto are the sections whose content the bot draws from its own
// records, so the leader need not write them.
var reportAuto = []string{"meetings", "open_events"}

// EmptySections returns the numbers (from 1, as the form counts them) of
// the sections the leader has left empty; sections the bot fills from its
// records do not count. A report may go with empty sections once the
// leader confirms.
func (rep *Report) EmptySections() []int {
	var out []int
	for i, s := range ReportSections {
		if !slices.Contains(reportAuto, s) && strings.TrimSpace(rep.Sections[s]) == "" {
			out = append(out, i+1)
		}
	}
	return out
}

// Report is an association's annual report for a school year.
type Report struct {
	AssociationID uint64 `json:"association_id"`
	Year          int    `json:"year"`
	DocState
	Sections  map[string]string `json:"sections"` // the leader's text per section
	UpdatedAt time.Time         `json:"updated_at"`
}
