package chat

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// sendSurvey sends a survey's invitation to its recipients through the
// paced outbox, as one broadcast.
func (b *Engine) sendSurvey(r *Request, s *mmo.Survey, to []*mmo.User) error {
	author, err := r.Tx.User(s.AuthorID)
	if err != nil {
		return fmt.Errorf("load the author of survey %d: %w", s.ID, err)
	}
	s.Sent, s.SentAt = true, r.Now
	s.Recipients = nil
	for _, u := range to {
		s.Recipients = append(s.Recipients, u.ID)
	}
	if err := r.Tx.PutSurvey(s); err != nil {
		return fmt.Errorf("save survey %d: %w", s.ID, err)
	}
	bc := &boltdb.Broadcast{Kind: "survey", Total: len(to)}
	if err := r.Tx.CreateBroadcast(bc); err != nil {
		return err
	}
	for _, u := range to {
		if u.Blocked {
			bc.Blocked++
			continue
		}
		l := r.locOf(u)
		text, kb := b.surveyInvitation(r, l, s, author, "survey.invitation")
		r.out = append(r.out, Message{Kind: KindSend, to: u.ID, Text: text, Buttons: kb, broadcast: bc.ID, bulk: true})
	}
	return r.Tx.PutBroadcast(bc)
}

// surveyInvitation is the message that brings a survey to a person (key:
// the invitation or the reminder).
func (b *Engine) surveyInvitation(r *Request, l loc, s *mmo.Survey, author *mmo.User, key string) (string, [][]Button) {
	text := l.T(key, "Title", s.Title, "Author", author.Name, "Questions", len(s.Questions), "Date", b.dateTime(s.Deadline))
	text += "\n" + l.T(anonKey(s))
	return text, [][]Button{{r.Button(l.T("survey.start"), verbSurveyAnswer, sid(s), "0", "g")}}
}

func sid(s *mmo.Survey) string { return strconv.FormatUint(s.ID, 10) }

// sendFeedback sends a feedback form to those who checked in at its
// event, and returns how many they are.
func (b *Engine) sendFeedback(r *Request, s *mmo.Survey, e *mmo.Event) (int, error) {
	marks, err := r.Tx.EventAttendance(e.ID)
	if err != nil {
		return 0, fmt.Errorf("load the attendance of event %d: %w", e.ID, err)
	}
	var to []*mmo.User
	for uid, m := range marks {
		if m.Mark != mmo.MarkPresent || uid == s.AuthorID {
			continue
		}
		u, err := r.Tx.User(uid)
		if errors.Is(err, mmo.ErrNotFound) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("load user %d: %w", uid, err)
		}
		to = append(to, u)
	}
	slices.SortFunc(to, func(x, y *mmo.User) int { return int(x.ID - y.ID) })
	s.Deadline = mmo.SurveyDeadline(r.Now, s.Days, b.opt.Location)
	return len(to), b.sendSurvey(r, s, to)
}

// loadSurvey loads the survey of the pressed button's argument 0.
func (r *Request) loadSurvey() (*mmo.Survey, bool, error) {
	id, err := strconv.ParseUint(r.Press.Arg(0), 10, 64)
	if err != nil {
		return nil, false, r.stale()
	}
	s, err := r.Tx.Survey(id)
	if errors.Is(err, mmo.ErrNotFound) {
		return nil, false, r.stale()
	}
	if err != nil {
		return nil, false, fmt.Errorf("load survey %d: %w", id, err)
	}
	return s, true, nil
}

// answerable checks that the user may answer s now, and tells them why
// not otherwise.
func (b *Engine) answerable(r *Request, s *mmo.Survey) bool {
	switch {
	case !s.Asked(r.User.ID):
		r.reply(r.T("survey.not_asked"))
	case !s.Open(r.Now):
		r.reply(r.T("survey.closed", "Date", b.dateTime(s.Deadline)))
	case r.Tx.SurveyFinished(s.ID, r.User.ID):
		r.reply(r.T("survey.already"))
	default:
		return true
	}
	return false
}

// progress loads the user's answers to s so far, or starts them.
func (r *Request) progress(s *mmo.Survey) (*mmo.SurveyResponse, error) {
	p, err := r.Tx.SurveyResponse(s.ID, r.User.ID)
	if errors.Is(err, mmo.ErrNotFound) {
		return mmo.NewResponse(s, r.User.ID), nil
	}
	if err != nil {
		return nil, fmt.Errorf("load the answers of user %d to survey %d: %w", r.User.ID, s.ID, err)
	}
	p.Fit(s)
	return p, nil
}

// onSurveyAnswer takes a tap on a survey: start (or go on), an option,
// next, back or skip.
func (b *Engine) onSurveyAnswer(r *Request) error {
	s, ok, err := r.loadSurvey()
	if !ok {
		return err
	}
	if !b.answerable(r, s) {
		return nil
	}
	p, err := r.progress(s)
	if err != nil {
		return err
	}
	action := r.Press.Arg(2)
	if action == "g" {
		return b.showQuestion(r, s, p, false)
	}
	q, err := strconv.Atoi(r.Press.Arg(1))
	if err != nil {
		return r.stale()
	}
	return b.applyAnswer(r, s, p, q, action, r.Press.Arg(3), true)
}

// dialogSurveyText takes a typed answer to a short-text question.
func (b *Engine) dialogSurveyText(r *Request, d *mmo.Dialog) error {
	id, _ := strconv.ParseUint(d.Draft["sid"], 10, 64)
	q, _ := strconv.Atoi(d.Draft["q"])
	s, err := r.Tx.Survey(id)
	if errors.Is(err, mmo.ErrNotFound) {
		r.Reply(r.T("dialog.expired"))
		return r.EndDialog()
	}
	if err != nil {
		return fmt.Errorf("load survey %d: %w", id, err)
	}
	if r.Text == "" {
		r.Reply(r.T("dialog.text_expected"))
		return nil
	}
	if !b.answerable(r, s) {
		return r.EndDialog()
	}
	p, err := r.progress(s)
	if err != nil {
		return err
	}
	return b.applyAnswer(r, s, p, q, mmo.AnswerOption, r.Text, false)
}

// applyAnswer records one answer as it is given, so that a survey left
// half-way loses nothing, and shows the next question (in place of the
// pressed message, or below a typed answer).
func (b *Engine) applyAnswer(r *Request, s *mmo.Survey, p *mmo.SurveyResponse, q int, action, arg string, edit bool) error {
	next, done, err := mmo.ApplyAnswer(s, *p, q, action, arg, r.Now)
	if err != nil {
		switch mmo.ErrorCode(err) {
		case mmo.CodeConflict:
			// A button of an earlier question, or a text typed after the
			// person moved on elsewhere: show where they are.
			if edit {
				r.Answer(r.T("survey.moved_on"), false)
			} else {
				r.Reply(r.T("survey.moved_on"))
			}
			return b.showQuestion(r, s, p, edit)
		case mmo.CodeInvalid:
			if edit {
				return r.stale()
			}
		}
		r.Reply(validationMessage(r, err))
		return nil
	}
	if done {
		if s.Anonymous {
			err = r.Tx.FinishAnonymous(&next)
		} else {
			err = r.Tx.PutSurveyResponse(&next)
		}
		if err != nil {
			return fmt.Errorf("save the answers of user %d to survey %d: %w", r.User.ID, s.ID, err)
		}
		if err := r.endSurveyText(); err != nil {
			return err
		}
		text := r.T("survey.thanks", "Title", s.Title)
		if edit {
			r.Edit(text)
		} else {
			r.Reply(text)
		}
		return nil
	}
	if err := r.Tx.PutSurveyResponse(&next); err != nil {
		return fmt.Errorf("save the answers of user %d to survey %d: %w", r.User.ID, s.ID, err)
	}
	return b.showQuestion(r, s, &next, edit)
}

// endSurveyText ends a text-answer dialog, if one is open.
func (r *Request) endSurveyText() error {
	d, _, err := r.Dialog()
	if err != nil || d == nil || d.Flow != mmo.FlowSurveyText {
		return err
	}
	return r.EndDialog()
}

// showQuestion shows the question the person is at, with one button per
// option, back and skip. A short-text question opens a dialog for the
// typed answer; any other closes one.
func (b *Engine) showQuestion(r *Request, s *mmo.Survey, p *mmo.SurveyResponse, edit bool) error {
	if p.Pos >= len(s.Questions) { // finished but not filed: cannot be, but never strand anyone
		r.reply(r.T("survey.already"))
		return nil
	}
	q := s.Questions[p.Pos]
	a := p.Answers[p.Pos]
	qs := strconv.Itoa(p.Pos)
	var sb strings.Builder
	sb.WriteString(r.T("survey.question", "Title", s.Title, "N", p.Pos+1, "Of", len(s.Questions), "Text", q.Text))
	sb.WriteString("\n<i>" + r.T("survey_hint."+string(q.Kind)) + "</i>")
	var kb [][]Button
	switch q.Kind {
	case mmo.QuestionSingle:
		for i, o := range q.Options {
			label := o
			if a.Given && slices.Contains(a.Choices, i) {
				label = "✅ " + o
			}
			kb = append(kb, []Button{r.Button(label, verbSurveyAnswer, sid(s), qs, mmo.AnswerOption, strconv.Itoa(i))})
		}
	case mmo.QuestionMulti:
		for i, o := range q.Options {
			label := "▫️ " + o
			if slices.Contains(a.Choices, i) {
				label = "✅ " + o
			}
			kb = append(kb, []Button{r.Button(label, verbSurveyAnswer, sid(s), qs, mmo.AnswerOption, strconv.Itoa(i))})
		}
		kb = append(kb, []Button{r.Button(r.T("survey.next"), verbSurveyAnswer, sid(s), qs, mmo.AnswerNext)})
	case mmo.QuestionScale:
		var row []Button
		for v := 1; v <= mmo.ScaleMax; v++ {
			label := strconv.Itoa(v)
			if a.Value == v {
				label = "✅ " + label
			}
			row = append(row, r.Button(label, verbSurveyAnswer, sid(s), qs, mmo.AnswerOption, strconv.Itoa(v)))
		}
		kb = append(kb, row)
	case mmo.QuestionText:
		if a.Given {
			sb.WriteString("\n" + r.T("survey.your_answer", "Text", a.Text))
		}
	}
	var nav []Button
	if p.Pos > 0 {
		nav = append(nav, r.Button(r.T("survey.back"), verbSurveyAnswer, sid(s), qs, mmo.AnswerBack))
	}
	nav = append(nav, r.Button(r.T("survey.skip"), verbSurveyAnswer, sid(s), qs, mmo.AnswerSkip))
	kb = append(kb, nav)
	if edit {
		r.Edit(sb.String(), kb...)
	} else {
		r.Reply(sb.String(), kb...)
	}
	if q.Kind != mmo.QuestionText {
		return r.endSurveyText()
	}
	d := mmo.NewDialog(mmo.FlowSurveyText, "text", r.Now, b.opt.DialogIdle)
	d.Draft["sid"], d.Draft["q"] = sid(s), qs
	return r.PutDialog(d)
}

// dueSurveys sends the feedback forms of events that ended, the one
// reminder of surveys near their deadline, and files the unfinished
// answers of anonymous surveys that closed apart from their authors.
func (b *Engine) dueSurveys(r *Request) (bool, error) {
	var due []*mmo.Survey
	if err := r.Tx.OpenSurveys(func(s *mmo.Survey) bool {
		due = append(due, s)
		return true
	}); err != nil {
		return false, err
	}
	queued := false
	for _, s := range due {
		switch {
		case s.EventID != 0 && !s.Sent:
			e, err := r.Tx.Event(s.EventID)
			if errors.Is(err, mmo.ErrNotFound) || err == nil && e.State == mmo.EventCancelled {
				s.Closed = true
				if err := r.Tx.PutSurvey(s); err != nil {
					return false, err
				}
				continue
			}
			if err != nil {
				return false, fmt.Errorf("load event %d: %w", s.EventID, err)
			}
			if r.Now.Before(e.End()) {
				continue
			}
			n, err := b.sendFeedback(r, s, e)
			if err != nil {
				return false, err
			}
			queued = queued || n > 0
		case mmo.SurveyReminderDue(s, s.SentAt, r.Now):
			n, err := b.remindSurvey(r, s)
			if err != nil {
				return false, err
			}
			queued = queued || n > 0
		case s.Sent && !s.Open(r.Now):
			if s.Anonymous {
				if err := r.Tx.CloseAnonymous(s.ID); err != nil {
					return false, fmt.Errorf("close survey %d: %w", s.ID, err)
				}
			}
			s.Closed = true
			if err := r.Tx.PutSurvey(s); err != nil {
				return false, err
			}
		}
	}
	return queued, nil
}

// surveysDue says whether an open survey has something due at now, as
// dueSurveys would act on it: a feedback form whose event ended (or is
// gone), a reminder, a close. It only reads, so the due scan takes the
// write lock only when there is something to do.
func surveysDue(tx *boltdb.Tx, now time.Time) (bool, error) {
	due := false
	var err error
	if e := tx.OpenSurveys(func(s *mmo.Survey) bool {
		switch {
		case s.EventID != 0 && !s.Sent:
			e, lerr := tx.Event(s.EventID)
			switch {
			case errors.Is(lerr, mmo.ErrNotFound):
				due = true
			case lerr != nil:
				err = fmt.Errorf("load event %d: %w", s.EventID, lerr)
			default:
				due = e.State == mmo.EventCancelled || !now.Before(e.End())
			}
		case mmo.SurveyReminderDue(s, s.SentAt, now):
			due = true
		case s.Sent && !s.Open(now):
			due = true
		}
		return !due && err == nil
	}); e != nil {
		return false, e
	}
	return due, err
}

// remindSurvey reminds those who have not finished a survey, once.
func (b *Engine) remindSurvey(r *Request, s *mmo.Survey) (int, error) {
	s.Reminded = true
	if err := r.Tx.PutSurvey(s); err != nil {
		return 0, err
	}
	author, err := r.Tx.User(s.AuthorID)
	if err != nil {
		return 0, fmt.Errorf("load the author of survey %d: %w", s.ID, err)
	}
	n := 0
	for _, uid := range s.Recipients {
		if r.Tx.SurveyFinished(s.ID, uid) {
			continue
		}
		u, err := r.Tx.User(uid)
		if errors.Is(err, mmo.ErrNotFound) {
			continue
		}
		if err != nil {
			return 0, err
		}
		if u.Blocked {
			continue
		}
		text, kb := b.surveyInvitation(r, r.locOf(u), s, author, "survey.reminder")
		r.Send(u.ID, text, kb...)
		n++
	}
	return n, nil
}
