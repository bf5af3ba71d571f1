package chat

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
)

// Survey verbs (the survey area's block in routes.go).
const (
	verbSurveyNew     = "svn" // start: b(lank) | n(eeds) | f(eedback) | l(ist)
	verbSurveyBuild   = "svb" // a button of the builder: nonce, action, arg
	verbSurveyAnswer  = "sva" // survey id, question, action, arg
	verbSurveyResults = "svr" // survey id, v(iew) | c(hart) | x(lsx)
)

// Steps of the survey builder.
const (
	surveyStepTitle    = "title"
	surveyStepKind     = "kind"
	surveyStepQuestion = "question"
	surveyStepEvent    = "event"
	surveyStepAnon     = "anon"
	surveyStepAudience = "audience"
	surveyStepDeadline = "deadline"
	surveyStepConfirm  = "confirm"
)

// surveyDays are the deadlines offered as buttons, in days.
var surveyDays = []int{3, 7, 14}

// feedbackDays is how long a feedback form stays open after its event.
const feedbackDays = 3

// cmdSurvey offers a leader or coordinator to build a survey or read the
// results of theirs.
func (b *Engine) cmdSurvey(r *Request) error {
	list, err := b.managed(r)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		r.Reply(r.T("assoc.none_managed"))
		return nil
	}
	r.Reply(r.T("survey.menu"),
		[]Button{r.Button(r.T("survey.new_blank"), verbSurveyNew, "b")},
		[]Button{r.Button(r.T("survey.new_needs"), verbSurveyNew, "n")},
		[]Button{r.Button(r.T("survey.new_feedback"), verbSurveyNew, "f")},
		[]Button{r.Button(r.T("survey.mine"), verbSurveyNew, "l")},
		r.homeRow())
	return nil
}

// surveyDraft reads the survey a builder dialog holds.
func surveyDraft(d *mmo.Dialog) *mmo.Survey {
	var s mmo.Survey
	_ = json.Unmarshal([]byte(d.Draft["s"]), &s) // written by saveDraft only
	return &s
}

// saveDraft moves the builder to step with the survey s.
func (r *Request) saveDraft(d *mmo.Dialog, step string, s *mmo.Survey) (mmo.Dialog, error) {
	data, err := json.Marshal(s)
	if err != nil {
		return mmo.Dialog{}, fmt.Errorf("encode a survey draft: %w", err)
	}
	return r.advance(d, step, map[string]string{"s": string(data)})
}

func (b *Engine) onSurveyNew(r *Request) error {
	if r.Press.Arg(0) == "l" {
		return b.listSurveys(r)
	}
	d := mmo.NewDialog(mmo.FlowSurveyNew, "", r.Now, b.opt.DialogIdle)
	s := &mmo.Survey{AuthorID: r.User.ID}
	switch r.Press.Arg(0) {
	case "b":
		nd, err := r.saveDraft(&d, surveyStepTitle, s)
		if err != nil {
			return err
		}
		r.Edit(r.T("survey.ask_title"), r.cancelButton(nd.Nonce))
	case "n":
		s.Template = mmo.TemplateNeeds
		s.Title = r.T("survey_tpl.needs_title")
		for _, q := range []struct {
			kind mmo.QuestionKind
			key  string
		}{{mmo.QuestionMulti, "needs_q1"}, {mmo.QuestionSingle, "needs_q2"}, {mmo.QuestionScale, "needs_q3"}, {mmo.QuestionText, "needs_q4"}} {
			question, err := mmo.ParseQuestion(q.kind, r.T("survey_tpl."+q.key))
			if err != nil {
				return fmt.Errorf("template question %s: %w", q.key, err)
			}
			s.Questions = append(s.Questions, question)
		}
		nd, err := r.saveDraft(&d, surveyStepAnon, s)
		if err != nil {
			return err
		}
		r.Edit(r.T("survey.template_chosen", "Title", s.Title) + "\n\n" + b.surveyOutline(r, s))
		b.askAnonymous(r, &nd)
	case "f":
		return b.askFeedbackEvent(r, &d, s)
	default:
		return r.stale()
	}
	return nil
}

// askFeedbackEvent lists the events a feedback form can follow: those of
// the associations the user runs that are to come or ended in the last
// two weeks.
func (b *Engine) askFeedbackEvent(r *Request, d *mmo.Dialog, s *mmo.Survey) error {
	list, err := b.managed(r)
	if err != nil {
		return err
	}
	nd, err := r.saveDraft(d, surveyStepEvent, s)
	if err != nil {
		return err
	}
	nonce := itoa(int64(nd.Nonce))
	var kb [][]Button
list:
	for _, a := range list {
		events, err := r.Tx.AssociationEvents(a.ID, r.Now.Add(-14*24*time.Hour), r.Now.Add(120*24*time.Hour))
		if err != nil {
			return err
		}
		for _, e := range events {
			if e.State != mmo.EventPublished {
				continue
			}
			label := b.date(e.Start) + " " + e.Topic
			kb = append(kb, []Button{r.Button(label, verbSurveyBuild, nonce, "e", strconv.FormatUint(e.ID, 10))})
			if len(kb) == 10 {
				break list
			}
		}
	}
	if len(kb) == 0 {
		r.Edit(r.T("survey.no_events"))
		return r.EndDialog()
	}
	r.Edit(r.T("survey.choose_event"), kb...)
	return nil
}

func (b *Engine) onSurveyBuild(r *Request) error {
	d, ok, err := r.flowButton(mmo.FlowSurveyNew)
	if !ok {
		return err
	}
	s := surveyDraft(d)
	action, arg := r.Press.Arg(1), r.Press.Arg(2)
	switch {
	case d.Step == surveyStepKind && action == "k":
		kind := mmo.QuestionKind(arg)
		if !mmo.ValidQuestionKind(kind) {
			return r.stale()
		}
		if _, err := r.advance(d, surveyStepQuestion, map[string]string{"kind": arg}); err != nil {
			return err
		}
		key := "survey.ask_question"
		if kind == mmo.QuestionSingle || kind == mmo.QuestionMulti {
			key = "survey.ask_question_options"
		}
		r.Edit(r.T(key, "Kind", r.T("survey_kind."+arg), "Max", mmo.SurveyOptionsMax))
	case d.Step == surveyStepKind && action == "d" && len(s.Questions) > 0:
		nd, err := r.saveDraft(d, surveyStepAnon, s)
		if err != nil {
			return err
		}
		r.Edit(b.surveyOutline(r, s))
		b.askAnonymous(r, &nd)
	case d.Step == surveyStepEvent && action == "e":
		return b.pickFeedbackEvent(r, d, s, arg)
	case d.Step == surveyStepAnon && (action == "a" || action == "n"):
		s.Anonymous = action == "a"
		r.Edit(r.T(anonKey(s)))
		if s.EventID != 0 {
			return b.confirmSurvey(r, d, s)
		}
		return b.askAudience(r, d, s, false, 0)
	case d.Step == surveyStepAudience && action == "t":
		all, ids, ok, err := toggleAudience(r, s.All, s.AssociationIDs, arg)
		if !ok {
			return err
		}
		s.All, s.AssociationIDs = all, ids
		return b.askAudience(r, d, s, true, pageArg(r.Press.Arg(3)))
	case d.Step == surveyStepAudience && action == "p":
		return b.askAudience(r, d, s, true, pageArg(arg))
	case d.Step == surveyStepAudience && action == "ok":
		if !s.All && len(s.AssociationIDs) == 0 {
			r.Answer(r.T("survey.audience_empty"), true)
			return nil
		}
		nd, err := r.saveDraft(d, surveyStepDeadline, s)
		if err != nil {
			return err
		}
		names, err := b.audienceNames(r, s)
		if err != nil {
			return err
		}
		r.Edit(r.T("survey.audience_chosen", "Names", names))
		b.askDeadline(r, &nd)
	case d.Step == surveyStepDeadline && action == "w":
		days, err := strconv.Atoi(arg)
		if err != nil || !slices.Contains(surveyDays, days) {
			return r.stale()
		}
		s.Deadline = mmo.SurveyDeadline(r.Now, days, b.opt.Location)
		r.Edit(r.T("survey.deadline_chosen", "Date", b.dateTime(s.Deadline)))
		return b.confirmSurvey(r, d, s)
	case d.Step == surveyStepConfirm && action == "go":
		return b.createSurvey(r, s)
	case d.Step == surveyStepConfirm && action == "x":
		r.Edit(r.T("survey.cancelled"))
		return r.EndDialog()
	default:
		return r.stale()
	}
	return nil
}

func anonKey(s *mmo.Survey) string {
	if s.Anonymous {
		return "survey.is_anonymous"
	}
	return "survey.is_named"
}

// dialogSurveyNew takes the typed steps of the builder: the title, a
// question, a deadline date.
func (b *Engine) dialogSurveyNew(r *Request, d *mmo.Dialog) error {
	if r.Text == "" {
		r.Reply(r.T("dialog.text_expected"))
		return nil
	}
	s := surveyDraft(d)
	switch d.Step {
	case surveyStepTitle:
		title, err := mmo.ValidateLongText("title", r.Text, 3, mmo.SurveyTitleMax)
		if err != nil {
			r.Reply(validationMessage(r, err))
			return nil
		}
		s.Title = title
		nd, err := r.saveDraft(d, surveyStepKind, s)
		if err != nil {
			return err
		}
		b.askKind(r, &nd, s)
	case surveyStepQuestion:
		q, err := mmo.ParseQuestion(mmo.QuestionKind(d.Draft["kind"]), r.Text)
		if err != nil {
			r.Reply(questionError(r, err))
			return nil
		}
		s.Questions = append(s.Questions, q)
		nd, err := r.saveDraft(d, surveyStepKind, s)
		if err != nil {
			return err
		}
		b.askKind(r, &nd, s)
	case surveyStepDeadline:
		t, err := mmo.ParseWhen(r.Text, r.Now, b.opt.Location)
		if err != nil || !t.After(r.Now) {
			r.Reply(r.T("survey.bad_deadline"))
			return nil
		}
		s.Deadline = mmo.SurveyDeadline(t, 0, b.opt.Location)
		r.Reply(r.T("survey.deadline_chosen", "Date", b.dateTime(s.Deadline)))
		return b.confirmSurvey(r, d, s)
	default:
		r.Reply(r.T("create.press_button"))
	}
	return nil
}

// questionError explains a question the builder could not take.
func questionError(r *Request, err error) string {
	var e *mmo.Error
	if errors.As(err, &e) && (e.Field == "options" || e.Field == "option") {
		switch {
		case e.Field == "option":
			return r.T("survey.option_too_long", "Max", e.Limit)
		case e.Code == mmo.CodeTooShort:
			return r.T("survey.options_few", "Min", e.Limit)
		case e.Code == mmo.CodeTooLong:
			return r.T("survey.options_many", "Max", e.Limit)
		default:
			return r.T("survey.no_options")
		}
	}
	return validationMessage(r, err)
}

// askKind shows the questions so far and asks for the next one's kind.
func (b *Engine) askKind(r *Request, d *mmo.Dialog, s *mmo.Survey) {
	nonce := itoa(int64(d.Nonce))
	var kb [][]Button
	if len(s.Questions) < mmo.SurveyQuestions {
		kb = append(kb,
			[]Button{r.Button(r.T("survey_kind.single"), verbSurveyBuild, nonce, "k", string(mmo.QuestionSingle)),
				r.Button(r.T("survey_kind.multi"), verbSurveyBuild, nonce, "k", string(mmo.QuestionMulti))},
			[]Button{r.Button(r.T("survey_kind.scale"), verbSurveyBuild, nonce, "k", string(mmo.QuestionScale)),
				r.Button(r.T("survey_kind.text"), verbSurveyBuild, nonce, "k", string(mmo.QuestionText))})
	}
	text := b.surveyOutline(r, s) + "\n\n" + r.T("survey.ask_kind")
	if len(s.Questions) > 0 {
		kb = append(kb, []Button{r.Button(r.T("survey.questions_done"), verbSurveyBuild, nonce, "d")})
	}
	r.Reply(text, kb...)
}

// surveyOutline is the title and the questions of a survey, numbered.
func (b *Engine) surveyOutline(r *Request, s *mmo.Survey) string {
	var sb strings.Builder
	sb.WriteString(r.T("survey.outline_title", "Title", s.Title))
	for i, q := range s.Questions {
		fmt.Fprintf(&sb, "\n%d. %s <i>(%s)</i>", i+1, esc(q.Text), esc(r.T("survey_kind."+string(q.Kind))))
		for _, o := range q.Options {
			sb.WriteString("\n    • " + esc(o))
		}
	}
	if len(s.Questions) == 0 {
		sb.WriteString("\n" + r.T("survey.no_questions"))
	}
	return sb.String()
}

func (b *Engine) askAnonymous(r *Request, d *mmo.Dialog) {
	nonce := itoa(int64(d.Nonce))
	r.Reply(r.T("survey.ask_anonymous"),
		[]Button{r.Button(r.T("survey.anonymous"), verbSurveyBuild, nonce, "a")},
		[]Button{r.Button(r.T("survey.named"), verbSurveyBuild, nonce, "n")})
}

func (b *Engine) pickFeedbackEvent(r *Request, d *mmo.Dialog, s *mmo.Survey, arg string) error {
	eid, err := strconv.ParseUint(arg, 10, 64)
	if err != nil {
		return r.stale()
	}
	e, err := r.Tx.Event(eid)
	if err != nil {
		return r.stale()
	}
	a, err := r.Tx.Association(e.AssociationID)
	if err != nil || !r.canManage(a) {
		return r.notYours()
	}
	s.Template, s.EventID, s.Days = mmo.TemplateFeedback, e.ID, feedbackDays
	s.AssociationIDs = []uint64{a.ID}
	s.Title = r.T("survey_tpl.feedback_title", "Topic", e.Topic)
	for _, q := range []struct {
		kind mmo.QuestionKind
		key  string
	}{{mmo.QuestionScale, "feedback_q1"}, {mmo.QuestionSingle, "feedback_q2"}, {mmo.QuestionText, "feedback_q3"}} {
		question, err := mmo.ParseQuestion(q.kind, r.T("survey_tpl."+q.key))
		if err != nil {
			return fmt.Errorf("template question %s: %w", q.key, err)
		}
		s.Questions = append(s.Questions, question)
	}
	nd, err := r.saveDraft(d, surveyStepAnon, s)
	if err != nil {
		return err
	}
	r.Edit(r.T("survey.template_chosen", "Title", s.Title) + "\n\n" + b.surveyOutline(r, s))
	b.askAnonymous(r, &nd)
	return nil
}

// askAudience shows the associations the user runs to toggle, and for a
// coordinator "all teachers"; edit redraws the pressed message.
func (b *Engine) askAudience(r *Request, d *mmo.Dialog, s *mmo.Survey, edit bool, at int) error {
	nd, err := r.saveDraft(d, surveyStepAudience, s)
	if err != nil {
		return err
	}
	nonce := itoa(int64(nd.Nonce))
	kb, p, err := b.audienceRows(r, s.All, s.AssociationIDs, verbSurveyBuild, nonce, at)
	if err != nil {
		return err
	}
	kb = append(kb, []Button{r.Button(r.T("survey.audience_ok"), verbSurveyBuild, nonce, "ok")})
	text := audienceText(r, "survey.ask_audience", s.AssociationIDs, p)
	if edit {
		r.Edit(text, kb...)
	} else {
		r.Reply(text, kb...)
	}
	return nil
}

// audienceNames names whom a survey goes to.
func (b *Engine) audienceNames(r *Request, s *mmo.Survey) (string, error) {
	if s.All {
		return r.T("survey.all_teachers"), nil
	}
	var names []string
	for _, id := range s.AssociationIDs {
		a, err := r.Tx.Association(id)
		if err != nil {
			return "", fmt.Errorf("load association %d: %w", id, err)
		}
		names = append(names, "«"+a.Name+"»")
	}
	return strings.Join(names, ", "), nil
}

func (b *Engine) askDeadline(r *Request, d *mmo.Dialog) {
	nonce := itoa(int64(d.Nonce))
	var row []Button
	for _, n := range surveyDays {
		row = append(row, r.Button(r.N("survey_days.button", n), verbSurveyBuild, nonce, "w", strconv.Itoa(n)))
	}
	r.Reply(r.T("survey.ask_deadline"), row)
}

// surveyAudience returns whom a survey goes to: the active members of its
// associations, or every registered teacher; never its author.
func (b *Engine) surveyAudience(r *Request, s *mmo.Survey) ([]*mmo.User, error) {
	seen := map[int64]bool{s.AuthorID: true}
	var out []*mmo.User
	if s.All {
		err := r.Tx.Users(func(u *mmo.User) bool {
			if u.Registered() && !seen[u.ID] {
				seen[u.ID] = true
				out = append(out, u)
			}
			return true
		})
		return out, err
	}
	for _, id := range s.AssociationIDs {
		a, err := r.Tx.Association(id)
		if err != nil {
			return nil, fmt.Errorf("load association %d: %w", id, err)
		}
		list, err := b.activeMembers(r, a)
		if err != nil {
			return nil, err
		}
		for _, m := range list {
			if !seen[m.u.ID] {
				seen[m.u.ID] = true
				out = append(out, m.u)
			}
		}
	}
	return out, nil
}

// confirmSurvey shows what is about to go out, and to how many.
func (b *Engine) confirmSurvey(r *Request, d *mmo.Dialog, s *mmo.Survey) error {
	nd, err := r.saveDraft(d, surveyStepConfirm, s)
	if err != nil {
		return err
	}
	nonce := itoa(int64(nd.Nonce))
	var text string
	if s.EventID != 0 {
		e, err := r.Tx.Event(s.EventID)
		if err != nil {
			return fmt.Errorf("load event %d: %w", s.EventID, err)
		}
		text = r.T("survey.confirm_feedback", "Title", s.Title, "Questions", len(s.Questions),
			"End", b.dateTime(e.End()), "Days", rawArg(r.N("survey_days.count", s.Days)))
	} else {
		to, err := b.surveyAudience(r, s)
		if err != nil {
			return err
		}
		names, err := b.audienceNames(r, s)
		if err != nil {
			return err
		}
		text = r.T("survey.confirm", "Title", s.Title, "Questions", len(s.Questions), "Names", names,
			"Recipients", rawArg(r.N("survey_count.recipients", len(to))), "Date", b.dateTime(s.Deadline))
	}
	text += "\n" + r.T(anonKey(s))
	r.Reply(text,
		[]Button{r.Button(r.T("survey.send"), verbSurveyBuild, nonce, "go")},
		[]Button{r.Button(r.T("survey.cancel"), verbSurveyBuild, nonce, "x")})
	return nil
}

// createSurvey stores the survey and sends it, or for a feedback form
// waits for the end of its event.
func (b *Engine) createSurvey(r *Request, s *mmo.Survey) error {
	if err := r.EndDialog(); err != nil {
		return err
	}
	for _, id := range s.AssociationIDs { // rights may have changed since
		a, err := r.Tx.Association(id)
		if err != nil || !r.canManage(a) {
			return r.notYours()
		}
	}
	if s.All && r.Role < mmo.RoleCoordinator {
		return r.notYours()
	}
	s.AuthorID, s.CreatedAt = r.User.ID, r.Now
	if err := r.Tx.CreateSurvey(s); err != nil {
		return fmt.Errorf("create a survey: %w", err)
	}
	if s.EventID != 0 {
		e, err := r.Tx.Event(s.EventID)
		if err != nil {
			return fmt.Errorf("load event %d: %w", s.EventID, err)
		}
		if !r.Now.Before(e.End()) {
			n, err := b.sendFeedback(r, s, e)
			if err != nil {
				return err
			}
			r.Edit(r.T("survey.sent", "Title", s.Title, "Recipients", rawArg(r.N("survey_count.recipients", n))))
			return nil
		}
		r.Edit(r.T("survey.feedback_waits", "Title", s.Title, "End", b.dateTime(e.End())))
		return nil
	}
	to, err := b.surveyAudience(r, s)
	if err != nil {
		return err
	}
	if err := b.sendSurvey(r, s, to); err != nil {
		return err
	}
	r.Edit(r.T("survey.sent", "Title", s.Title, "Recipients", rawArg(r.N("survey_count.recipients", len(to)))))
	return nil
}
