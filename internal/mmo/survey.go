package mmo

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Survey flows: building a survey, and typing a short-text answer.
const (
	FlowSurveyNew  = "survey_new"  // a leader or coordinator builds a survey; Draft["s"] is its JSON
	FlowSurveyText = "survey_text" // a short-text answer to question Draft["q"] of survey Draft["sid"]
)

// QuestionKind is how a survey question is answered.
type QuestionKind string

// Kinds of questions.
const (
	QuestionSingle QuestionKind = "single" // one of the options
	QuestionMulti  QuestionKind = "multi"  // any of the options
	QuestionScale  QuestionKind = "scale"  // 1 to 5
	QuestionText   QuestionKind = "text"   // a short text
)

// ValidQuestionKind reports whether k is a kind of question.
func ValidQuestionKind(k QuestionKind) bool {
	return k == QuestionSingle || k == QuestionMulti || k == QuestionScale || k == QuestionText
}

// Templates a survey can be built from.
const (
	TemplateNeeds    = "needs"    // professional needs and difficulties (мониторинг затруднений)
	TemplateFeedback = "feedback" // feedback after an event, to those who checked in
)

// Limits of a survey.
const (
	SurveyTitleMax    = 150
	SurveyQuestionMax = 300
	SurveyQuestions   = 20 // questions per survey
	SurveyOptionsMin  = 2
	SurveyOptionsMax  = 8
	SurveyOptionMax   = 60 // characters per option: it is a button's label
	SurveyTextMax     = 500
	ScaleMax          = 5
)

// Question is one question of a survey.
type Question struct {
	Kind    QuestionKind `json:"kind"`
	Text    string       `json:"text"`
	Options []string     `json:"options,omitempty"` // single and multi
}

// Survey is a questionnaire sent to chosen people until a deadline.
type Survey struct {
	ID       uint64 `json:"id"`
	AuthorID int64  `json:"author"`
	// AssociationIDs are the associations it went to; empty with All for
	// every registered teacher.
	AssociationIDs []uint64   `json:"associations,omitempty"`
	All            bool       `json:"all,omitempty"`
	Template       string     `json:"template,omitempty"`
	Title          string     `json:"title"`
	Questions      []Question `json:"questions"`
	// Anonymous answers are stored apart from who gave them: only
	// "finished" is kept per person, for the reminder.
	Anonymous bool `json:"anonymous,omitempty"`
	// EventID is the event a feedback form follows; it goes out once the
	// event ended (Sent), to those who checked in, and stays open for
	// Days days.
	EventID    uint64    `json:"event,omitempty"`
	Days       int       `json:"days,omitempty"`
	Sent       bool      `json:"sent,omitempty"`
	SentAt     time.Time `json:"sent_at,omitzero"`
	Recipients []int64   `json:"recipients,omitempty"`
	Deadline   time.Time `json:"deadline"`
	Reminded   bool      `json:"reminded,omitempty"`
	// Closed is set once, after the deadline, when unfinished anonymous
	// answers were moved apart from their authors.
	Closed    bool      `json:"closed,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Open reports whether answers are still taken.
func (s *Survey) Open(now time.Time) bool { return s.Sent && now.Before(s.Deadline) }

// Asked reports whether the survey went to a user.
func (s *Survey) Asked(uid int64) bool { return slices.Contains(s.Recipients, uid) }

// SurveyAnswer is the answer to one question.
type SurveyAnswer struct {
	Given   bool   `json:"given,omitempty"`
	Skipped bool   `json:"skipped,omitempty"`
	Choices []int  `json:"choices,omitempty"` // option indexes (single: one)
	Value   int    `json:"value,omitempty"`   // scale 1..5
	Text    string `json:"text,omitempty"`
}

// SurveyResponse is one person's answers. An anonymous survey's finished
// response has no UserID and no time.
type SurveyResponse struct {
	SurveyID  uint64         `json:"survey"`
	UserID    int64          `json:"user,omitempty"`
	Answers   []SurveyAnswer `json:"answers"`
	Pos       int            `json:"pos"` // the question to show next
	Done      bool           `json:"done,omitempty"`
	UpdatedAt time.Time      `json:"updated_at,omitzero"`
}

// NewResponse starts a person's answers to s.
func NewResponse(s *Survey, uid int64) *SurveyResponse {
	return &SurveyResponse{SurveyID: s.ID, UserID: uid, Answers: make([]SurveyAnswer, len(s.Questions))}
}

// Fit makes the answers as long as the questions (a response read back is
// never trusted to be).
func (p *SurveyResponse) Fit(s *Survey) {
	for len(p.Answers) < len(s.Questions) {
		p.Answers = append(p.Answers, SurveyAnswer{})
	}
	p.Answers = p.Answers[:len(s.Questions)]
	p.Pos = min(max(p.Pos, 0), len(s.Questions))
}

// Survey answer actions, as buttons carry them.
const (
	AnswerOption = "o" // choose option (or scale value) Arg
	AnswerNext   = "n" // confirm a multiple choice
	AnswerBack   = "b" // the previous question
	AnswerSkip   = "s" // leave the question unanswered
)

// ApplyAnswer applies one action of a person on question q and returns
// the response after it; done reports that the last question was passed.
// For a multiple choice, an option toggles and the question stays; text
// answers come typed (arg is the text). A question index other than the
// current one or an option out of range is CodeConflict or CodeInvalid,
// and changes nothing.
func ApplyAnswer(s *Survey, p SurveyResponse, q int, action, arg string, now time.Time) (SurveyResponse, bool, error) {
	p.Fit(s)
	if q < 0 || q >= len(s.Questions) || q != p.Pos || p.Done {
		return p, false, Errorf(CodeConflict, "question")
	}
	answers := slices.Clone(p.Answers)
	a := answers[q]
	a.Choices = slices.Clone(a.Choices)
	question := s.Questions[q]
	advance := false
	switch action {
	case AnswerBack:
		if q == 0 {
			return p, false, Errorf(CodeConflict, "question")
		}
		p.Answers, p.Pos, p.UpdatedAt = answers, q-1, now
		return p, false, nil
	case AnswerSkip:
		a = SurveyAnswer{Skipped: true}
		advance = true
	case AnswerNext:
		if question.Kind != QuestionMulti {
			return p, false, Errorf(CodeInvalid, "action")
		}
		if len(a.Choices) == 0 {
			a = SurveyAnswer{Skipped: true}
		}
		advance = true
	case AnswerOption:
		n, ok := smallInt(arg)
		switch question.Kind {
		case QuestionSingle:
			if !ok || n >= len(question.Options) {
				return p, false, Errorf(CodeInvalid, "option")
			}
			a = SurveyAnswer{Given: true, Choices: []int{n}}
			advance = true
		case QuestionMulti:
			if !ok || n >= len(question.Options) {
				return p, false, Errorf(CodeInvalid, "option")
			}
			if i := slices.Index(a.Choices, n); i >= 0 {
				a.Choices = slices.Delete(a.Choices, i, i+1)
			} else {
				a.Choices = append(a.Choices, n)
				slices.Sort(a.Choices)
			}
			a.Given, a.Skipped = len(a.Choices) > 0, false
		case QuestionScale:
			if !ok || n < 1 || n > ScaleMax {
				return p, false, Errorf(CodeInvalid, "option")
			}
			a = SurveyAnswer{Given: true, Value: n}
			advance = true
		case QuestionText:
			text, err := ValidateLongText("answer", arg, 1, SurveyTextMax)
			if err != nil {
				return p, false, err
			}
			a = SurveyAnswer{Given: true, Text: text}
			advance = true
		}
	default:
		return p, false, Errorf(CodeInvalid, "action")
	}
	answers[q] = a
	p.Answers, p.UpdatedAt = answers, now
	if advance {
		p.Pos = q + 1
	}
	if p.Pos == len(s.Questions) {
		p.Done = true
	}
	return p, p.Done, nil
}

// listMarker is how a person numbers or bullets the lines of a list.
var listMarker = regexp.MustCompile(`^\s*(?:[-•*–—]|\d{1,2}[.)])\s*`)

func smallInt(s string) (int, bool) {
	if s == "" || len(s) > 3 {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// ParseQuestion reads a question as a person types it: its text on the
// first line, and for a choice the options on the lines after, one a line
// (a leading "-", "•" or number is dropped).
func ParseQuestion(kind QuestionKind, s string) (Question, error) {
	if !ValidQuestionKind(kind) {
		return Question{}, Errorf(CodeInvalid, "kind")
	}
	var lines []string
	for l := range strings.SplitSeq(CleanText(s), "\n") {
		l = strings.TrimSpace(listMarker.ReplaceAllString(l, ""))
		if l != "" {
			lines = append(lines, NormalizeText(l))
		}
	}
	if len(lines) == 0 {
		return Question{}, Errorf(CodeTooShort, "question")
	}
	text, err := ValidateLongText("question", lines[0], 3, SurveyQuestionMax)
	if err != nil {
		return Question{}, err
	}
	q := Question{Kind: kind, Text: text}
	if kind != QuestionSingle && kind != QuestionMulti {
		if len(lines) > 1 {
			return Question{}, Errorf(CodeInvalid, "options")
		}
		return q, nil
	}
	opts := lines[1:]
	if len(opts) < SurveyOptionsMin {
		return Question{}, &Error{Code: CodeTooShort, Field: "options", Limit: SurveyOptionsMin}
	}
	if len(opts) > SurveyOptionsMax {
		return Question{}, &Error{Code: CodeTooLong, Field: "options", Limit: SurveyOptionsMax}
	}
	for _, o := range opts {
		if len([]rune(o)) > SurveyOptionMax {
			return Question{}, &Error{Code: CodeTooLong, Field: "option", Limit: SurveyOptionMax}
		}
	}
	q.Options = opts
	return q, nil
}

// SurveyReminderAt is when the one reminder of a survey goes: a day before
// its deadline, or halfway for a survey open less than two days.
func SurveyReminderAt(sentAt, deadline time.Time) time.Time {
	lead := 24 * time.Hour
	if d := deadline.Sub(sentAt); d < 2*lead {
		lead = d / 2
	}
	return deadline.Add(-lead)
}

// SurveyReminderDue reports whether the reminder of s is due now: sent,
// not yet reminded, the reminder time reached and the deadline not.
func SurveyReminderDue(s *Survey, sentAt, now time.Time) bool {
	return s.Sent && !s.Reminded && !now.Before(SurveyReminderAt(sentAt, s.Deadline)) && now.Before(s.Deadline)
}

// QuestionTally counts the answers to one question.
type QuestionTally struct {
	Question  Question
	Answered  int   // responses that answered it
	Skipped   int   // responses that skipped it or left it
	Counts    []int // per option (choice) or per value 1..5 (scale)
	Sum       int   // of the scale values
	Texts     []string
	Responses int // responses counted
}

// Percent is the share of those who answered that chose option i, 0..100,
// rounded.
func (t QuestionTally) Percent(i int) int {
	if t.Answered == 0 || i < 0 || i >= len(t.Counts) {
		return 0
	}
	return (t.Counts[i]*200 + t.Answered) / (2 * t.Answered)
}

// Average is the mean of a scale question's values, 0 with none.
func (t QuestionTally) Average() float64 {
	if t.Answered == 0 {
		return 0
	}
	return float64(t.Sum) / float64(t.Answered)
}

// Labels are the bars of a choice or scale question: its options, or
// "1".."5".
func (t QuestionTally) Labels() []string {
	if t.Question.Kind == QuestionScale {
		return []string{"1", "2", "3", "4", "5"}
	}
	return t.Question.Options
}

// TallySurvey counts the responses (finished and unfinished alike: every
// answer given counts) question by question.
func TallySurvey(s *Survey, responses []*SurveyResponse) []QuestionTally {
	out := make([]QuestionTally, len(s.Questions))
	for i, q := range s.Questions {
		t := QuestionTally{Question: q, Responses: len(responses)}
		switch q.Kind {
		case QuestionSingle, QuestionMulti:
			t.Counts = make([]int, len(q.Options))
		case QuestionScale:
			t.Counts = make([]int, ScaleMax)
		}
		for _, p := range responses {
			if i >= len(p.Answers) || !p.Answers[i].Given {
				t.Skipped++
				continue
			}
			a := p.Answers[i]
			counted := false
			switch q.Kind {
			case QuestionSingle, QuestionMulti:
				for _, c := range a.Choices {
					if c >= 0 && c < len(t.Counts) {
						t.Counts[c]++
						counted = true
					}
				}
			case QuestionScale:
				if a.Value >= 1 && a.Value <= ScaleMax {
					t.Counts[a.Value-1]++
					t.Sum += a.Value
					counted = true
				}
			case QuestionText:
				t.Texts = append(t.Texts, a.Text)
				counted = true
			}
			if counted {
				t.Answered++
			} else {
				t.Skipped++
			}
		}
		out[i] = t
	}
	return out
}

// Difficulty is one option of a needs survey's difficulties question with
// how many chose it.
type Difficulty struct {
	Text  string
	Count int
}

// TopDifficulties returns the most chosen options of the difficulties
// question (the first multiple choice) of the needs surveys among tallies,
// at most n, most chosen first; options nobody chose are left out.
func TopDifficulties(tallies []QuestionTally, n int) []Difficulty {
	var out []Difficulty
	for _, t := range tallies {
		if t.Question.Kind != QuestionMulti {
			continue
		}
		for i, c := range t.Counts {
			if c > 0 {
				out = append(out, Difficulty{t.Question.Options[i], c})
			}
		}
		break
	}
	slices.SortStableFunc(out, func(a, b Difficulty) int { return cmp.Compare(b.Count, a.Count) })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// SurveyDeadline is the end of the day days after from, in loc: a
// deadline a person reads as "until the 5th" means the whole 5th.
func SurveyDeadline(from time.Time, days int, loc *time.Location) time.Time {
	d := from.In(loc).AddDate(0, 0, days)
	return time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 0, 0, loc).UTC()
}
