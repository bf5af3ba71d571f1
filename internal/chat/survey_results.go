package chat

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/render"
)

// canSeeResults reports whether the user may read a survey's results: its
// author, or a coordinator.
func (r *Request) canSeeResults(s *mmo.Survey) bool {
	return s.AuthorID == r.User.ID || r.Role >= mmo.RoleCoordinator
}

// listSurveys lists the user's surveys (every survey for a coordinator),
// newest first, each leading to its results.
func (b *Engine) listSurveys(r *Request) error {
	var list []*mmo.Survey
	if err := r.Tx.Surveys(func(s *mmo.Survey) bool {
		if r.canSeeResults(s) {
			list = append(list, s)
		}
		return true
	}); err != nil {
		return err
	}
	if len(list) == 0 {
		r.Edit(r.T("survey.none"))
		return nil
	}
	slices.Reverse(list)
	var kb [][]Button
	for _, s := range list[:min(len(list), 15)] {
		kb = append(kb, []Button{r.Button(b.date(s.CreatedAt)+" "+s.Title, verbSurveyResults, sid(s), "v")})
	}
	r.Edit(r.T("survey.list"), kb...)
	return nil
}

// onSurveyResults shows a survey's results, its chart or its table.
func (b *Engine) onSurveyResults(r *Request) error {
	s, ok, err := r.loadSurvey()
	if !ok {
		return err
	}
	if !r.canSeeResults(s) {
		r.Answer(r.T("survey.not_yours"), true)
		return nil
	}
	responses, err := r.Tx.SurveyResponses(s.ID)
	if err != nil {
		return fmt.Errorf("load the answers to survey %d: %w", s.ID, err)
	}
	tallies := mmo.TallySurvey(s, responses)
	switch r.Press.Arg(1) {
	case "v":
		r.Reply(b.resultsText(r, s, responses, tallies),
			[]Button{r.Button(r.T("survey.chart"), verbSurveyResults, sid(s), "c"),
				r.Button(r.T("survey.xlsx"), verbSurveyResults, sid(s), "x")})
	case "c":
		bars := surveyBars(tallies)
		if len(bars) == 0 {
			r.Answer(r.T("survey.no_chart"), true)
			return nil
		}
		png, err := render.BarCharts(bars...)
		if err != nil {
			return fmt.Errorf("chart of survey %d: %w", s.ID, err)
		}
		r.ReplyPhoto("survey-"+sid(s)+".png", png, r.T("survey.chart_caption", "Title", s.Title))
	case "x":
		data, err := b.surveyXLSX(r, s, responses, tallies)
		if err != nil {
			return err
		}
		r.ReplyDocument(docFileName(r.T("doc_wave3.survey_file", "Title", s.Title))+".xlsx", data, r.T("survey.xlsx_caption", "Title", s.Title))
		r.Answer(r.T("export.sending"), false)
	default:
		return r.stale()
	}
	return nil
}

// surveyBars are the charts of a survey's choice and scale questions.
func surveyBars(tallies []mmo.QuestionTally) []render.Bars {
	var out []render.Bars
	for i, t := range tallies {
		if t.Question.Kind == mmo.QuestionText {
			continue
		}
		out = append(out, render.Bars{Title: strconv.Itoa(i+1) + ". " + t.Question.Text, Labels: t.Labels(), Counts: t.Counts})
	}
	return out
}

// resultsText is a survey's results in counts and percentages.
func (b *Engine) resultsText(r *Request, s *mmo.Survey, responses []*mmo.SurveyResponse, tallies []mmo.QuestionTally) string {
	finished := 0
	for _, p := range responses {
		if p.Done {
			finished++
		}
	}
	if s.Anonymous { // anonymous responses are filed once finished, or at the close
		finished = 0
		for _, uid := range s.Recipients {
			if r.Tx.SurveyFinished(s.ID, uid) {
				finished++
			}
		}
	}
	var sb strings.Builder
	sb.WriteString(r.T("survey.results_title", "Title", s.Title))
	sb.WriteString("\n" + r.T("survey.results_counts", "Finished", finished, "Started", len(responses), "Asked", len(s.Recipients)))
	state := "survey.results_open"
	if !s.Open(r.Now) {
		state = "survey.results_closed"
	}
	sb.WriteString("\n" + r.T(state, "Date", b.dateTime(s.Deadline)) + " " + r.T(anonKey(s)))
	for i, t := range tallies {
		sb.WriteString("\n\n" + r.T("survey.results_question", "N", i+1, "Text", t.Question.Text, "Answered", t.Answered))
		switch t.Question.Kind {
		case mmo.QuestionText:
			sb.WriteString("\n" + r.T("survey.results_texts", "N", len(t.Texts)))
		default:
			for j, label := range t.Labels() {
				sb.WriteString("\n" + r.T("survey.results_line", "Label", label, "Count", t.Counts[j], "Percent", t.Percent(j)))
			}
			if t.Question.Kind == mmo.QuestionScale && t.Answered > 0 {
				sb.WriteString("\n" + r.T("survey.results_average", "Average", strings.Replace(strconv.FormatFloat(t.Average(), 'f', 1, 64), ".", decimalSep(r), 1)))
			}
		}
	}
	return sb.String()
}

// decimalSep is the decimal separator of the user's language.
func decimalSep(r *Request) string { return r.T("survey.decimal") }

// surveyXLSX is every answer, one row a response, with the tally on a
// second sheet. A named survey's rows carry the person and the time.
func (b *Engine) surveyXLSX(r *Request, s *mmo.Survey, responses []*mmo.SurveyResponse, tallies []mmo.QuestionTally) ([]byte, error) {
	l := r.loc()
	answers := render.Table{
		Sheet:    l.T("survey.sheet_answers"),
		Title:    s.Title,
		Subtitle: []string{l.T(anonKey(s)), l.T("export.generated", "Date", b.dateTime(r.Now))},
		Headers:  []string{"№"},
	}
	if !s.Anonymous {
		answers.Headers = append(answers.Headers, l.T("survey.col_person"), l.T("survey.col_time"), l.T("survey.col_finished"))
	}
	for i, q := range s.Questions {
		answers.Headers = append(answers.Headers, strconv.Itoa(i+1)+". "+q.Text)
	}
	for n, p := range responses {
		row := []render.Cell{render.Int(n + 1)}
		if !s.Anonymous {
			name := l.T("audit.deleted_user")
			if u, err := r.Tx.User(p.UserID); err == nil {
				name = u.Name
			}
			done := l.T("survey.no")
			if p.Done {
				done = l.T("survey.yes")
			}
			row = append(row, render.Text(name), render.DateTime(p.UpdatedAt, b.opt.Location), render.Text(done))
		}
		for i, q := range s.Questions {
			if i >= len(p.Answers) || !p.Answers[i].Given {
				row = append(row, render.Empty())
				continue
			}
			a := p.Answers[i]
			switch q.Kind {
			case mmo.QuestionScale:
				row = append(row, render.Int(a.Value))
			case mmo.QuestionText:
				row = append(row, render.Text(a.Text))
			default:
				var chosen []string
				for _, c := range a.Choices {
					if c >= 0 && c < len(q.Options) {
						chosen = append(chosen, q.Options[c])
					}
				}
				row = append(row, render.Text(strings.Join(chosen, "; ")))
			}
		}
		answers.Rows = append(answers.Rows, row)
	}
	summary := render.Table{
		Sheet:   l.T("survey.sheet_summary"),
		Title:   s.Title,
		Headers: []string{l.T("survey.col_question"), l.T("survey.col_answer"), l.T("survey.col_count"), l.T("survey.col_percent")},
	}
	for i, t := range tallies {
		qt := strconv.Itoa(i+1) + ". " + t.Question.Text
		if t.Question.Kind == mmo.QuestionText {
			summary.Rows = append(summary.Rows, []render.Cell{render.Text(qt), render.Text(l.T("survey.col_texts")), render.Int(len(t.Texts)), render.Empty()})
			continue
		}
		for j, label := range t.Labels() {
			share := 0.0
			if t.Answered > 0 {
				share = float64(t.Counts[j]) / float64(t.Answered)
			}
			summary.Rows = append(summary.Rows, []render.Cell{render.Text(qt), render.Text(label), render.Int(t.Counts[j]), render.Percent(share)})
		}
	}
	data, err := render.XLSX(answers, summary)
	if err != nil {
		return nil, fmt.Errorf("table of survey %d: %w", s.ID, err)
	}
	return data, nil
}

// NeedsDifficulties returns the most named difficulties of the needs
// surveys that reached an association's members (its own, or a
// coordinator's to it or to all), at most n: what the leader sees when
// drafting the plan, and what the report may cite.
func (b *Engine) NeedsDifficulties(tx *boltdb.Tx, aid uint64, n int) ([]mmo.Difficulty, error) {
	var tallies []mmo.QuestionTally
	var surveys []*mmo.Survey
	if err := tx.Surveys(func(s *mmo.Survey) bool {
		if s.Template == mmo.TemplateNeeds && s.Sent && (s.All || slices.Contains(s.AssociationIDs, aid)) {
			surveys = append(surveys, s)
		}
		return true
	}); err != nil {
		return nil, err
	}
	counts := map[string]int{}
	var order []string
	for _, s := range surveys {
		responses, err := tx.SurveyResponses(s.ID)
		if err != nil {
			return nil, err
		}
		tallies = mmo.TallySurvey(s, responses)
		for _, d := range mmo.TopDifficulties(tallies, mmo.SurveyOptionsMax) {
			if _, ok := counts[d.Text]; !ok {
				order = append(order, d.Text)
			}
			counts[d.Text] += d.Count
		}
	}
	var out []mmo.Difficulty
	for _, t := range order {
		out = append(out, mmo.Difficulty{Text: t, Count: counts[t]})
	}
	slices.SortStableFunc(out, func(x, y mmo.Difficulty) int { return y.Count - x.Count })
	return out[:min(n, len(out))], nil
}

// needsLine is the leader's reminder of the top difficulties under the
// plan, "" when no needs survey has answers.
func (b *Engine) needsLine(r *Request, a *mmo.Association) (string, error) {
	top, err := b.NeedsDifficulties(r.Tx, a.ID, 3)
	if err != nil || len(top) == 0 {
		return "", err
	}
	var parts []string
	for _, d := range top {
		parts = append(parts, r.T("survey.needs_item", "Text", d.Text, "Count", d.Count))
	}
	return r.T("survey.needs_plan", "List", rawArg(strings.Join(parts, "; "))), nil
}
