package chat

import (
	"fmt"
	"strings"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// Merging two profiles of one person: the code was asked for in one
// account (the profile kept) and sent from the other, which has a
// registered profile with a history of its own. The person sees what
// moves and confirms; the store moves it all in the update's one
// transaction (boltdb.MergeUsers), and the second profile's id becomes
// an alias of the first.

// verbLinkMerge confirms (code) or cancels (code, "x") a merge.
const verbLinkMerge = "lkm"

// offerMerge shows what a merge of the request's profile into owner's
// moves, and asks to confirm it.
func (b *Engine) offerMerge(r *Request, owner *mmo.User, code string) error {
	h, err := r.Tx.History(r.User.ID)
	if err != nil {
		return fmt.Errorf("count the history of user %d: %w", r.User.ID, err)
	}
	l := r.loc()
	text := l.T("duties_wave3.merge_offer", "Gone", r.User.Name, "Kept", owner.Name,
		"Messenger", r.messengerName(r.Update.Messenger)) + "\n" + historyLines(l, h)
	r.Reply(text, []Button{
		r.Button(l.T("duties_wave3.merge_yes"), verbLinkMerge, code),
		r.Button(l.T("duties_wave3.merge_no"), verbLinkMerge, code, "x"),
	})
	return nil
}

// historyLines tells what a profile has, a line per kind, or that it has
// nothing but the profile.
func historyLines(l loc, h boltdb.UserHistory) string {
	if h.Empty() {
		return l.T("duties_wave3.merge_nothing")
	}
	var lines []string
	for _, x := range []struct {
		key string
		n   int
	}{
		{"merge_memberships", h.Memberships}, {"merge_leads", h.Leads}, {"merge_answers", h.Answers},
		{"merge_attendance", h.Attendance}, {"merge_consultations", h.Consultations},
		{"merge_registers", h.Registers}, {"merge_surveys", h.Surveys}, {"merge_materials", h.Materials},
	} {
		if x.n > 0 {
			lines = append(lines, "• "+l.T("duties_wave3."+x.key, "N", x.n))
		}
	}
	return strings.Join(lines, "\n")
}

// onLinkMerge merges the profile of the account pressing into the one
// that asked for the code, after checking again all that offerMerge
// checked: the code may have expired or been used meanwhile.
func (b *Engine) onLinkMerge(r *Request) error {
	r.route = "link:merge"
	code := r.Press.Arg(0)
	if r.Press.Arg(1) == "x" {
		r.Edit(r.T("duties_wave3.merge_cancelled"))
		return nil
	}
	owner, acc, err := linkOwner(r, code)
	if err != nil {
		return err
	}
	if owner == nil {
		r.Edit(r.T("max_link.bad_code"))
		return nil
	}
	switch {
	case !r.Known || !r.User.Registered():
		return r.stale()
	case r.User.ID == owner.ID:
		r.Edit(r.T("max_link.already", "Name", owner.Name))
		return nil
	}
	for _, a := range owner.Accounts {
		if a.Messenger == acc.Messenger {
			r.Edit(r.T("max_link.has_one", "Messenger", r.messengerName(acc.Messenger)))
			return nil
		}
	}
	gone := r.User
	res, err := r.Tx.MergeUsers(owner.ID, gone.ID)
	if err != nil {
		return err
	}
	for _, k := range []string{"link:" + code, "linkof:" + itoa(owner.ID), "linkof:" + itoa(gone.ID)} {
		if err := r.Tx.PutMeta(k, nil); err != nil {
			return err
		}
	}
	if owner, err = r.Tx.User(owner.ID); err != nil {
		return fmt.Errorf("reload user %d: %w", owner.ID, err)
	}
	owner.UseAccount(acc)
	r.User, r.Known = owner, true
	if err := r.SaveUser(); err != nil {
		return err
	}
	r.Lang = r.bot.cat.Match(owner.Lang, owner.LanguageCode)
	r.Role = owner.Role(b.isAdmin(owner))
	l := r.loc()
	text := l.T("duties_wave3.merge_done", "Gone", gone.Name, "Kept", owner.Name) + "\n" + historyLines(l, res.Moved)
	if c := b.mergeConflicts(r, res); c != "" {
		text += "\n\n" + c
	}
	r.Edit(text)
	r.Reply(b.helpText(r))
	return nil
}

// mergeConflicts tells what both profiles had and which record stayed.
func (b *Engine) mergeConflicts(r *Request, res *boltdb.MergeResult) string {
	l := r.loc()
	var lines []string
	event := func(id uint64) string {
		if e, err := r.Tx.Event(id); err == nil {
			return l.T("duties_wave3.merge_event", "Topic", e.Topic, "Date", b.date(e.Start))
		}
		return "№ " + itoa(int64(id))
	}
	for _, id := range res.AnswerConflicts {
		lines = append(lines, "• "+l.T("duties_wave3.merge_conflict_answer", "Event", event(id)))
	}
	for _, id := range res.AttendanceConflicts {
		lines = append(lines, "• "+l.T("duties_wave3.merge_conflict_attendance", "Event", event(id)))
	}
	for _, id := range res.SurveyConflicts {
		title := "№ " + itoa(int64(id))
		if s, err := r.Tx.Survey(id); err == nil {
			title = s.Title
		}
		lines = append(lines, "• "+l.T("duties_wave3.merge_conflict_survey", "Title", title))
	}
	if len(lines) == 0 {
		return ""
	}
	return l.T("duties_wave3.merge_conflicts") + "\n" + strings.Join(lines, "\n")
}
