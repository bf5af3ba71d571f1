package app

import (
	"slices"

	"github.com/mmobot/mmobot/internal/max/maxtest"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// formButtons are the labels of the buttons a form's question carries to
// leave it, skip or clear a step.
var formButtons = []string{"✖ Отмена", "✖ Cancel", "Пропустить", "Skip", "🌐 Только онлайн", "🌐 Online only",
	"👤 Руководитель", "👤 The leader", "🗑 Убрать", "🗑 Remove"}

// questionDone reports an edit that only took a form's buttons off an
// answered question, its text unchanged: the journeys read on past it,
// as a person does (a test of it looks at the chat's state instead).
func questionDone(beforeText, afterText string, before, after []string) bool {
	if beforeText != afterText || len(after) != 0 {
		return false
	}
	return slices.ContainsFunc(before, func(l string) bool { return slices.Contains(formButtons, l) })
}

func tgLabels(m telegramtest.Message) []string {
	var out []string
	for _, b := range m.Buttons() {
		out = append(out, b.Text)
	}
	return out
}

func mxLabels(m maxtest.Message) []string {
	var out []string
	for _, b := range m.Buttons() {
		out = append(out, b.Text)
	}
	return out
}

// passOverDoneQuestions makes the fake servers' readers pass over such
// edits.
func (h *harness) passOverDoneQuestions() {
	h.srv.PassOver(func(before, after telegramtest.Message) bool {
		return questionDone(before.Text, after.Text, tgLabels(before), tgLabels(after))
	})
	if h.mx != nil {
		h.mx.PassOver(func(before, after maxtest.Message) bool {
			return questionDone(before.Text, after.Text, mxLabels(before), mxLabels(after))
		})
	}
}
