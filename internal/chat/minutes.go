package chat

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/render"
)

// Callback verbs of minutes and participation records.
const (
	verbMinutes        = "mn" // the minutes of a meeting: eid
	verbMinutesCompose = "mc" // fill them in (a new version after a final one): eid
	verbMinutesFinal   = "mf" // approve the draft: eid, version
	verbMinutesDOCX    = "md" // a version as DOCX: eid, version
	verbMinutesVote    = "mv" // the votes step: nonce, "-" for no vote
	verbHistory        = "hy" // a participation record: school year or "all"
)

// Steps of the minutes form.
const (
	stepSecretary = "secretary"
	stepAgenda    = "agenda"
	stepHeard     = "heard"
	stepSpoke     = "spoke"
	stepDecided   = "decided"
	stepVotes     = "votes"
	keepValue     = "+" // typed to keep what the previous version said
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
	title, err := b.title(r.Tx, r.loc(), e, a)
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
	d := mmo.NewDialog(mmo.FlowMinutes, stepSecretary, r.Now, b.opt.DialogIdle)
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
	if d.Step == stepSecretary {
		return prev.Secretary, prev.Secretary != ""
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

// askMinutes sends the question of the form's current step.
func (b *Engine) askMinutes(r *Request, d mmo.Dialog) error {
	items := loadItems(&d)
	i, _ := strconv.Atoi(d.Draft["i"])
	var q string
	switch d.Step {
	case stepSecretary:
		q = r.T("minutes.ask_secretary")
	case stepAgenda:
		q = r.T("minutes.ask_agenda")
	case stepHeard:
		q = r.T("minutes.ask_heard", "N", i+1, "Total", len(items), "Topic", items[i].Topic)
	case stepSpoke:
		q = r.T("minutes.ask_spoke", "N", i+1)
	case stepDecided:
		q = r.T("minutes.ask_decided", "N", i+1)
	case stepVotes:
		r.Reply(r.T("minutes.ask_votes", "N", i+1), []Button{r.Button(r.T("minutes.no_vote"), verbMinutesVote, itoa(int64(d.Nonce)), "-")})
		return nil
	}
	if old, ok := previous(&d, i); ok {
		q += "\n\n" + r.T("minutes.was", "Old", old)
	}
	r.Reply(q)
	return nil
}

// dialogMinutes takes a typed answer of the minutes form.
func (b *Engine) dialogMinutes(r *Request, d *mmo.Dialog) error {
	if r.Text == "" {
		r.Reply(r.T("dialog.text_expected"))
		return nil
	}
	if len([]rune(r.Text)) > minutesMx {
		r.Reply(r.N("validate.too_long", minutesMx))
		return nil
	}
	items := loadItems(d)
	i, _ := strconv.Atoi(d.Draft["i"])
	text := strings.TrimSpace(r.Text)
	if d.Step != stepSecretary {
		// The other answers are texts of the minutes, cleaned rather than
		// refused (mmo.CleanText); the secretary's name is refused below.
		text = strings.TrimSpace(mmo.CleanText(text))
	}
	if text == keepValue {
		if old, ok := previous(d, i); ok {
			text = old
		} else {
			r.Reply(r.T("minutes.nothing_to_keep"))
			return nil
		}
	}
	nd := *d
	nd.Draft = map[string]string{}
	for k, v := range d.Draft {
		nd.Draft[k] = v
	}
	switch d.Step {
	case stepSecretary:
		if text == mmo.SkipValue {
			text = ""
		} else if _, err := mmo.ValidateName(text); err != nil {
			r.Reply(validationMessage(r, err))
			return nil
		}
		nd.Draft["secretary"] = mmo.NormalizeText(text)
		if len(items) == 0 {
			nd.Step = stepAgenda
		} else {
			nd.Step = stepHeard
		}
	case stepAgenda:
		for _, topic := range agendaItems(text) {
			items = append(items, mmo.MinutesItem{Topic: topic})
		}
		if len(items) == 0 {
			r.Reply(r.T("minutes.ask_agenda"))
			return nil
		}
		nd.Step = stepHeard
	case stepHeard:
		if len([]rune(text)) < 3 {
			r.Reply(r.N("validate.too_short", 3))
			return nil
		}
		items[i].Heard = text
		nd.Step = stepSpoke
	case stepSpoke:
		if text == mmo.SkipValue {
			text = ""
		}
		items[i].Spoke = text
		nd.Step = stepDecided
	case stepDecided:
		if len([]rune(text)) < 3 {
			r.Reply(r.N("validate.too_short", 3))
			return nil
		}
		items[i].Decided = text
		nd.Step = stepVotes
	case stepVotes:
		v, ok := mmo.ParseVotes(text)
		if !ok {
			r.Reply(r.T("minutes.bad_votes"))
			return nil
		}
		items[i].Votes = &v
		return b.nextItem(r, &nd, items, i)
	}
	if err := saveItems(&nd, items); err != nil {
		return err
	}
	nd.Nonce++
	nd.ExpiresAt = r.Now.Add(b.opt.DialogIdle)
	if err := r.PutDialog(nd); err != nil {
		return err
	}
	return b.askMinutes(r, nd)
}

// onMinutesVote takes "no vote" for the current item.
func (b *Engine) onMinutesVote(r *Request) error {
	d, ok, err := r.formButton(stepVotes, mmo.FlowMinutes)
	if !ok {
		return err
	}
	items := loadItems(d)
	i, _ := strconv.Atoi(d.Draft["i"])
	items[i].Votes = nil
	r.Edit(r.T("minutes.vote_skipped", "N", i+1))
	return b.nextItem(r, d, items, i)
}

// nextItem moves to the next agenda item, or saves the draft after the
// last one.
func (b *Engine) nextItem(r *Request, d *mmo.Dialog, items []mmo.MinutesItem, i int) error {
	if err := saveItems(d, items); err != nil {
		return err
	}
	if i+1 < len(items) {
		d.Draft["i"] = strconv.Itoa(i + 1)
		d.Step = stepHeard
		d.Nonce++
		d.ExpiresAt = r.Now.Add(b.opt.DialogIdle)
		if err := r.PutDialog(*d); err != nil {
			return err
		}
		return b.askMinutes(r, *d)
	}
	id, _ := strconv.ParseUint(d.Draft["eid"], 10, 64)
	if err := r.EndDialog(); err != nil {
		return err
	}
	e, err := r.Tx.Event(id)
	if err != nil {
		r.Reply(r.T("event.gone"))
		return nil
	}
	a, err := r.Tx.Association(e.AssociationID)
	if err != nil || !r.canManage(a) {
		return r.notYours()
	}
	versions, err := r.Tx.MinutesVersions(e.ID)
	if err != nil {
		return err
	}
	m := &mmo.Minutes{EventID: e.ID, Version: mmo.NextMinutesVersion(versions), Status: mmo.MinutesDraft, Secretary: d.Draft["secretary"],
		Items: items, By: r.User.ID, CreatedAt: r.Now}
	if err := r.Tx.PutMinutes(m); err != nil {
		return fmt.Errorf("save the minutes of event %d: %w", m.EventID, err)
	}
	r.Reply(r.T("minutes.saved"))
	if err := b.sendMinutes(r, e, a, m); err != nil {
		return err
	}
	return b.showMinutes(r, e, a, false)
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
	if err := m.Finalize(number, r.Now); err != nil {
		return r.stale()
	}
	if err := r.Tx.PutMinutes(m); err != nil {
		return fmt.Errorf("save the minutes of event %d: %w", m.EventID, err)
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

// sendMinutes renders the minutes on the form of school documents; the
// date, number and attendance come from the event and its check-ins.
func (b *Engine) sendMinutes(r *Request, e *mmo.Event, a *mmo.Association, m *mmo.Minutes) error {
	l := r.loc()
	number := m.Number
	if number == 0 {
		var err error
		if number, err = b.meetingNumber(r.Tx, e); err != nil {
			return err
		}
	}
	members, err := b.activeMembers(r, a)
	if err != nil {
		return err
	}
	att, err := r.Tx.EventAttendance(e.ID)
	if err != nil {
		return err
	}
	var present, absent []string
	seen := map[int64]bool{}
	for _, x := range members {
		seen[x.u.ID] = true
		if at, ok := att[x.u.ID]; ok && at.Mark == mmo.MarkPresent {
			present = append(present, x.u.Name)
		} else {
			absent = append(absent, x.u.Name)
		}
	}
	anonymous := 0
	for uid, at := range att { // those who attended and left the association since
		if !seen[uid] && at.Mark == mmo.MarkPresent {
			if u, err := r.Tx.User(uid); err == nil && u.Registered() {
				present = append(present, u.Name)
			} else {
				anonymous++ // deleted their data: counted, not named
			}
		}
	}
	slices.Sort(present)
	for i := 0; i < anonymous; i++ {
		present = append(present, l.T("docx.anonymous"))
	}
	chair := ""
	if a.LeaderID != 0 {
		if u, err := r.Tx.User(a.LeaderID); err == nil {
			chair = shortName(u.Name)
		}
	}
	doc := render.MinutesDoc{
		Labels: render.MinutesLabels{
			DraftMark: l.T("docx.draft"), Version: l.T("docx.version"), Chair: l.T("docx.chair"), Secretary: l.T("docx.secretary"),
			Present: l.T("docx.present"), Absent: l.T("docx.absent"), Agenda: l.T("docx.agenda"),
			Heard: l.T("docx.heard"), Spoke: l.T("docx.spoke"), Decided: l.T("docx.decided"), Votes: l.T("docx.votes"),
			SignChair: l.T("docx.sign_chair"), SignSecretary: l.T("docx.sign_secretary"),
		},
		Org:         l.T("docx.org", "Name", a.Name),
		Title:       l.T("docx.title", "N", number),
		Subtitle:    l.T("docx.subtitle", "Name", a.Name),
		Date:        e.Start.In(b.opt.Location).Format("02.01.2006"),
		Chair:       chair,
		Secretary:   shortName(m.Secretary),
		Present:     len(present),
		Absent:      len(absent),
		PresentList: present,
		AbsentList:  absent,
		Draft:       m.Status == mmo.MinutesDraft,
		Version:     m.Version,
	}
	if m.Secretary == "" {
		doc.Secretary = ""
	}
	for _, it := range m.Items {
		doc.Agenda = append(doc.Agenda, it.Topic)
		item := render.MinutesItem{Heard: it.Heard, Decided: it.Decided}
		for _, s := range strings.Split(it.Spoke, "\n") {
			if s = strings.TrimSpace(s); s != "" {
				item.Spoke = append(item.Spoke, s)
			}
		}
		if it.Votes != nil {
			item.Votes = &render.Votes{For: it.Votes.For, Against: it.Votes.Against, Abstained: it.Votes.Abstained}
		}
		doc.Items = append(doc.Items, item)
	}
	plainMinutes(&doc)
	data, err := render.Minutes(doc)
	if err != nil {
		return err
	}
	name := "protocol-" + strconv.Itoa(number) + "-" + e.Start.In(b.opt.Location).Format("2006-01-02") + "-v" + strconv.Itoa(m.Version) + ".docx"
	r.ReplyDocument(name, data, l.T("minutes.caption", "N", number, "Version", m.Version))
	return nil
}
