package chat

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/mmobot/mmobot/internal/mmo"
)

// Callback verbs of minutes and participation records.
const (
	verbMinutes        = "mn" // the minutes of a meeting: eid
	verbMinutesCompose = "mc" // fill them in (a new version after a final one): eid
	verbMinutesFinal   = "mf" // approve the draft: eid, version
	verbMinutesDOCX    = "md" // a version as DOCX: eid, version
	verbMinutesVote    = "mv" // the votes step: nonce, "-" for no vote, "u" for unanimous
	verbMinutesPick    = "mp" // a button of another step: nonce, "l" the leader as chair, "-" skip
	verbMinutesItem    = "mi" // edit one item of the latest version: eid, item index
	verbHistory        = "hy" // a participation record: school year or "all"
)

var (
	numberRE  = regexp.MustCompile(`^\s*\d+[.)]\s*`)
	minutesMx = 4000 // runes of one answer
)

// minutesEvent loads a meeting that has begun, run by the user.
func (r *Request) minutesEvent() (*mmo.Event, *mmo.Association, bool, error) {
	e, a, ok, err := r.managedEvent(0)
	if !ok {
		return nil, nil, false, err
	}
	if !e.TakesMinutes(r.Now) {
		r.Answer(r.T("minutes.not_yet"), true)
		return nil, nil, false, nil
	}
	return e, a, true, nil
}

// onMinutes shows the state of a meeting's minutes and what can be done.
func (b *Engine) onMinutes(r *Request) error {
	e, a, ok, err := r.minutesEvent()
	if !ok {
		return err
	}
	return b.showMinutes(r, e, a, true)
}

func (b *Engine) showMinutes(r *Request, e *mmo.Event, a *mmo.Association, edit bool) error {
	versions, err := r.Tx.MinutesVersions(e.ID)
	if err != nil {
		return err
	}
	title, err := b.eventTitle(r.Tx, r.loc(), e, a)
	if err != nil {
		return err
	}
	id := eid(e)
	var sb strings.Builder
	sb.WriteString(r.T("minutes.title", "Title", rawArg(title)) + "\n" + r.T("event.when", "When", b.when(e, r.Lang)))
	var kb [][]Button
	if len(versions) == 0 {
		sb.WriteString("\n\n" + r.T("minutes.none"))
		kb = append(kb, []Button{r.Button(r.T("minutes.compose_button"), verbMinutesCompose, id)})
	} else {
		last := versions[len(versions)-1]
		v := strconv.Itoa(last.Version)
		sb.WriteString("\n\n" + r.N("minutes.items", len(last.Items)))
		if last.Status == mmo.MinutesFinal {
			sb.WriteString("\n" + r.T("minutes.state_final", "Version", last.Version, "Date", b.dateTime(last.FinalAt)))
			kb = append(kb,
				[]Button{r.Button(r.T("minutes.docx_button"), verbMinutesDOCX, id, v)},
				[]Button{r.Button(r.T("minutes.correct_button"), verbMinutesCompose, id)})
		} else {
			sb.WriteString("\n" + r.T("minutes.state_draft", "Version", last.Version))
			kb = append(kb,
				[]Button{r.Button(r.T("minutes.docx_button"), verbMinutesDOCX, id, v)},
				[]Button{r.Button(r.T("minutes.final_button"), verbMinutesFinal, id, v)},
				[]Button{r.Button(r.T("minutes.redo_button"), verbMinutesCompose, id)})
		}
		// One item can be changed without walking the others.
		var row []Button
		for i := range last.Items {
			row = append(row, r.Button(r.T("doc_minutes.edit_item", "N", i+1), verbMinutesItem, id, strconv.Itoa(i)))
			if len(row) == 3 {
				kb, row = append(kb, row), nil
			}
		}
		if len(row) > 0 {
			kb = append(kb, row)
		}
		for _, old := range versions[:len(versions)-1] {
			kb = append(kb, []Button{r.Button(r.T("minutes.old_button", "Version", old.Version), verbMinutesDOCX, id, strconv.Itoa(old.Version))})
		}
	}
	kb = append(kb, []Button{r.Button(r.T("event.back_to_event"), verbEvent, id)})
	if edit {
		r.Edit(sb.String(), kb...)
	} else {
		r.Reply(sb.String(), kb...)
	}
	return nil
}

// agendaItems splits an agenda into items, dropping their numbers.
func agendaItems(agenda string) []string {
	var out []string
	for _, line := range strings.Split(agenda, "\n") {
		line = strings.TrimSpace(numberRE.ReplaceAllString(line, ""))
		if line != "" {
			out = append(out, line)
		}
	}
	return out
}

// onMinutesCompose starts the form: the secretary, the agenda if the event
// has none, then for each item СЛУШАЛИ, ВЫСТУПИЛИ, РЕШИЛИ and the votes. A
// correction of final minutes offers each previous answer to keep.
func (b *Engine) onMinutesCompose(r *Request) error {
	e, _, ok, err := r.minutesEvent()
	if !ok {
		return err
	}
	versions, err := r.Tx.MinutesVersions(e.ID)
	if err != nil {
		return err
	}
	d := mmo.NewDialog(mmo.FlowMinutes, stepChair, r.Now, b.opt.DialogIdle)
	d.Draft["eid"] = eid(e)
	items := []mmo.MinutesItem{}
	for _, topic := range agendaItems(e.Agenda) {
		items = append(items, mmo.MinutesItem{Topic: topic})
	}
	if len(versions) > 0 {
		prev := versions[len(versions)-1]
		data, _ := json.Marshal(prev)
		d.Draft["prev"] = string(data)
		if prev.Status == mmo.MinutesFinal || len(items) == 0 {
			items = slices.Clone(prev.Items)
		}
	}
	if err := saveItems(&d, items); err != nil {
		return err
	}
	d.Draft["i"] = "0"
	if a, err := r.Tx.Association(e.AssociationID); err == nil && a.LeaderID != 0 {
		if u, err := r.Tx.User(a.LeaderID); err == nil {
			d.Draft["leader"], d.Draft["leader_name"] = strconv.FormatInt(u.ID, 10), u.Name
		}
	}
	if err := r.PutDialog(d); err != nil {
		return err
	}
	r.Reply(r.T("minutes.start"))
	return b.askMinutes(r, d)
}

func saveItems(d *mmo.Dialog, items []mmo.MinutesItem) error {
	data, err := json.Marshal(items)
	if err != nil {
		return err
	}
	d.Draft["items"] = string(data)
	return nil
}

func loadItems(d *mmo.Dialog) []mmo.MinutesItem {
	var items []mmo.MinutesItem
	json.Unmarshal([]byte(d.Draft["items"]), &items)
	return items
}

// previous returns the previous version's value of the current step, for
// a correction.
func previous(d *mmo.Dialog, i int) (string, bool) {
	if d.Draft["prev"] == "" {
		return "", false
	}
	var prev mmo.Minutes
	if json.Unmarshal([]byte(d.Draft["prev"]), &prev) != nil {
		return "", false
	}
	switch d.Step {
	case stepSecretary:
		return prev.Secretary, prev.Secretary != ""
	case stepChair:
		return prev.ChairName, prev.ChairName != ""
	case stepGuests:
		g := guestsText(prev.Guests)
		return g, g != ""
	}
	if i >= len(prev.Items) {
		return "", false
	}
	it := prev.Items[i]
	switch d.Step {
	case stepHeard:
		return it.Heard, it.Heard != ""
	case stepSpoke:
		return it.Spoke, it.Spoke != ""
	case stepDecided:
		return it.Decided, it.Decided != ""
	}
	return "", false
}

// onMinutesFinal approves the draft: the version is locked.
func (b *Engine) onMinutesFinal(r *Request) error {
	e, a, ok, err := r.minutesEvent()
	if !ok {
		return err
	}
	versions, err := r.Tx.MinutesVersions(e.ID)
	if err != nil {
		return err
	}
	if len(versions) == 0 || strconv.Itoa(versions[len(versions)-1].Version) != r.Press.Arg(1) {
		return r.stale()
	}
	m := versions[len(versions)-1]
	number, err := b.meetingNumber(r.Tx, e)
	if err != nil {
		return err
	}
	if m.Status != mmo.MinutesDraft {
		return r.stale()
	}
	m.Number = number
	snap, err := b.protocolSnapshot(r, e, a, m)
	if err != nil {
		return err
	}
	if err := m.Finalize(number, r.Now); err != nil {
		return r.stale()
	}
	m.Snapshot = snap // what was signed is what prints, whatever changes later
	if err := r.Tx.PutMinutes(m); err != nil {
		return fmt.Errorf("save the minutes of event %d: %w", m.EventID, err)
	}
	// Those the protocol lists present are marked so, for their records.
	att, err := r.Tx.EventAttendance(e.ID)
	if err != nil {
		return err
	}
	for _, x := range mmo.ProtocolMarks(e, snap, att) {
		if err := r.Tx.PutAttendance(x); err != nil {
			return fmt.Errorf("mark user %d present at event %d by its minutes: %w", x.UserID, e.ID, err)
		}
	}
	if err := r.audit("protocol.final", 0, a, eid(e)); err != nil {
		return err
	}
	r.Answer(r.T("minutes.finalized"), false)
	return b.showMinutes(r, e, a, true)
}

// onMinutesDOCX sends a version of the minutes as a Word file.
func (b *Engine) onMinutesDOCX(r *Request) error {
	e, a, ok, err := r.minutesEvent()
	if !ok {
		return err
	}
	versions, err := r.Tx.MinutesVersions(e.ID)
	if err != nil {
		return err
	}
	for _, m := range versions {
		if strconv.Itoa(m.Version) == r.Press.Arg(1) {
			return b.sendMinutes(r, e, a, m)
		}
	}
	return r.stale()
}

// draftMinutes is the minutes as the form holds them so far.
func draftMinutes(d *mmo.Dialog) *mmo.Minutes {
	m := &mmo.Minutes{Secretary: d.Draft["secretary"], ChairName: d.Draft["chair_name"], Status: mmo.MinutesDraft}
	m.Chair, _ = strconv.ParseInt(d.Draft["chair"], 10, 64)
	json.Unmarshal([]byte(d.Draft["guests"]), &m.Guests)
	return m
}

// draftPresent is how many were present at the meeting of the form: the
// marked, the chair and the secretary.
func (b *Engine) draftPresent(r *Request, d *mmo.Dialog) (int, error) {
	id, _ := strconv.ParseUint(d.Draft["eid"], 10, 64)
	e, err := r.Tx.Event(id)
	if err != nil {
		return 0, err
	}
	a, err := r.Tx.Association(e.AssociationID)
	if err != nil {
		return 0, err
	}
	return b.presentAt(r, e, a, draftMinutes(d))
}

// onMinutesPick takes a button of the form: the leader as chair, or a
// skipped answer.
func (b *Engine) onMinutesPick(r *Request) error {
	d, _, err := r.Dialog()
	if err != nil {
		return err
	}
	if d == nil || d.Flow != mmo.FlowMinutes || r.Press.Arg(0) != itoa(int64(d.Nonce)) {
		return r.stale()
	}
	nd := *d
	nd.Draft = maps.Clone(d.Draft)
	items := loadItems(d)
	switch {
	case d.Step == stepChair && r.Press.Arg(1) == "l" && d.Draft["leader"] != "":
		nd.Draft["chair"], nd.Draft["chair_name"] = d.Draft["leader"], d.Draft["leader_name"]
		nd.Step = stepSecretary
		r.Edit(r.T("doc_minutes.chair_set", "Name", shortName(d.Draft["leader_name"])))
	case d.Step == stepSecretary && r.Press.Arg(1) == "o":
		// Someone not marked: the name is typed, the form stays at the step.
		r.Edit(r.T("conv_forms2.secretary_type"), []Button{r.Button(r.T("doc_minutes.skip_button"), verbMinutesPick, itoa(int64(d.Nonce)), "-")}, r.cancelButton(d.Nonce))
		return nil
	case d.Step == stepSecretary && r.Press.Arg(1) == "s":
		u, ok, err := b.presentSecretary(r, d, r.Press.Arg(2))
		if err != nil || !ok {
			return err
		}
		nd.Draft["secretary"] = u.Name
		nd.Step = stepGuests
		r.Edit(r.T("conv_forms2.secretary_set", "Name", u.Name))
	case d.Step == stepSecretary && r.Press.Arg(1) == "-":
		nd.Draft["secretary"] = ""
		nd.Step = stepGuests
		r.Edit(r.T("doc_minutes.skipped"))
	case d.Step == stepGuests && r.Press.Arg(1) == "-":
		nd.Draft["guests"] = ""
		nd.Step = afterGuests(items)
		r.Edit(r.T("doc_minutes.skipped"))
	case d.Step == stepSpoke && r.Press.Arg(1) == "-":
		i, _ := strconv.Atoi(d.Draft["i"])
		items[i].Spoke = ""
		if err := saveItems(&nd, items); err != nil {
			return err
		}
		nd.Step = stepDecided
		r.Edit(r.T("doc_minutes.skipped"))
	default:
		return r.stale()
	}
	nd.Nonce++
	nd.ExpiresAt = r.Now.Add(b.opt.DialogIdle)
	if err := r.PutDialog(nd); err != nil {
		return err
	}
	return b.askMinutes(r, nd)
}

// onMinutesItem starts the form at one item of the latest version, the
// rest kept as they are: the chair, the secretary, the guests and the
// other items. It saves a draft (a new version after a signed one) once
// that item's vote is in. Each answer can be kept with «+».
func (b *Engine) onMinutesItem(r *Request) error {
	e, _, ok, err := r.minutesEvent()
	if !ok {
		return err
	}
	versions, err := r.Tx.MinutesVersions(e.ID)
	if err != nil {
		return err
	}
	i, err := strconv.Atoi(r.Press.Arg(1))
	if err != nil || len(versions) == 0 || i < 0 || i >= len(versions[len(versions)-1].Items) {
		return r.stale()
	}
	prev := versions[len(versions)-1]
	d := mmo.NewDialog(mmo.FlowMinutes, stepHeard, r.Now, b.opt.DialogIdle)
	d.Draft["eid"] = eid(e)
	data, _ := json.Marshal(prev)
	d.Draft["prev"] = string(data)
	if err := saveItems(&d, slices.Clone(prev.Items)); err != nil {
		return err
	}
	d.Draft["i"], d.Draft["only"] = strconv.Itoa(i), "1"
	d.Draft["secretary"], d.Draft["chair_name"] = prev.Secretary, prev.ChairName
	d.Draft["chair"] = strconv.FormatInt(minutesChair(e, prev), 10)
	if prev.Chair == 0 && prev.ChairName == "" {
		d.Draft["chair"] = "0"
	}
	if len(prev.Guests) > 0 {
		g, _ := json.Marshal(prev.Guests)
		d.Draft["guests"] = string(g)
	}
	if err := r.PutDialog(d); err != nil {
		return err
	}
	r.Reply(r.T("doc_minutes.edit_start", "N", i+1))
	return b.askMinutes(r, d)
}

// maxSecretaries bounds the people offered as the secretary.
const maxSecretaries = 12

// presentPeople are those marked present at the meeting of the minutes
// form, by name, except the chair: whom the secretary is picked from.
func (b *Engine) presentPeople(r *Request, d *mmo.Dialog) ([]*mmo.User, error) {
	id, _ := strconv.ParseUint(d.Draft["eid"], 10, 64)
	att, err := r.Tx.EventAttendance(id)
	if err != nil {
		return nil, fmt.Errorf("load the attendance of event %d: %w", id, err)
	}
	chair, _ := strconv.ParseInt(d.Draft["chair"], 10, 64)
	var out []*mmo.User
	for uid, x := range att {
		if x.Mark != mmo.MarkPresent || uid == chair {
			continue
		}
		u, err := r.Tx.User(uid)
		if errors.Is(err, mmo.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("load user %d: %w", uid, err)
		}
		out = append(out, u)
	}
	slices.SortFunc(out, func(x, y *mmo.User) int { return strings.Compare(x.Name, y.Name) })
	if len(out) > maxSecretaries {
		out = out[:maxSecretaries]
	}
	return out, nil
}

// presentSecretary is the person a secretary button names, if they are
// still marked present; a button that no longer is answers as stale.
func (b *Engine) presentSecretary(r *Request, d *mmo.Dialog, arg string) (*mmo.User, bool, error) {
	uid, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		return nil, false, r.stale()
	}
	present, err := b.presentPeople(r, d)
	if err != nil {
		return nil, false, err
	}
	for _, u := range present {
		if u.ID == uid {
			return u, true, nil
		}
	}
	return nil, false, r.stale()
}
