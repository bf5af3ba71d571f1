package chat

// The topics parents pick from: an association's own, set by its leader
// from the consultants' screen (where the public link is), or the
// deployment's (consultations.parent_categories, parent-friendly by
// default) when it has none.

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mmobot/mmobot/internal/mmo"
)

const (
	// verbParentTopics opens the form of the association's topics for
	// parents: aid, and "d" to go back to the defaults.
	verbParentTopics = "qpt"
	// flowParentTopics is the form that takes them, one a line.
	flowParentTopics = "parent_topics"
)

// topicLines lists topics as lines of a message.
func topicLines(l loc, topics []string) string {
	var sb strings.Builder
	for _, t := range topics {
		sb.WriteString("\n• " + esc(categoryName(l, t)))
	}
	return sb.String()
}

// onParentTopics shows the topics parents are offered and asks for new
// ones; "d" drops the association's own.
func (b *Engine) onParentTopics(r *Request) error {
	a, ok, err := r.managed(0)
	if !ok {
		return err
	}
	if r.Press.Arg(1) == "d" {
		return b.saveParentTopics(r, a, nil)
	}
	d := mmo.NewDialog(flowParentTopics, "topics", r.Now, b.opt.DialogIdle)
	d.Draft["aid"] = aid(a)
	if err := r.PutDialog(d); err != nil {
		return err
	}
	l := r.loc()
	text := r.T("conv_wave3.topics_default") + topicLines(l, b.parentDefaults())
	kb := [][]Button{}
	if len(a.ParentTopics) > 0 {
		text = r.T("conv_wave3.topics_own") + topicLines(l, a.ParentTopics)
		kb = append(kb, []Button{r.Button(r.T("conv_wave3.topics_reset"), verbParentTopics, aid(a), "d")})
	}
	text += "\n\n" + r.T("conv_wave3.topics_ask", "Max", mmo.ParentTopicsMax, "Len", mmo.ParentTopicMax)
	r.Reply(text, append(kb, r.cancelButton(d.Nonce))...)
	return nil
}

// dialogParentTopics takes the new topics, one a line.
func (b *Engine) dialogParentTopics(r *Request, d *mmo.Dialog) error {
	if r.Text == "" {
		r.Reply(r.T("dialog.text_expected"))
		return nil
	}
	topics, err := mmo.ParseTopics(r.Text)
	if err != nil {
		if e, ok := err.(*mmo.Error); ok && e.Field == mmo.FieldTopicCount {
			r.Reply(r.N("conv_wave3.topics_too_many", e.Limit))
		} else if mmo.ErrorCode(err) == mmo.CodeInvalid {
			r.Reply(r.T("conv_wave3.topic_invalid"))
		} else {
			r.Reply(validationMessage(r, err))
		}
		return nil
	}
	id, _ := strconv.ParseUint(d.Draft["aid"], 10, 64)
	a, err := r.Tx.Association(id)
	if err != nil || a.Archived() || !r.canManage(a) {
		r.Reply(r.T("error.stale_button"))
		return r.EndDialog()
	}
	if err := r.EndDialog(); err != nil {
		return err
	}
	return b.saveParentTopics(r, a, topics)
}

// saveParentTopics sets the association's topics for parents (none: the
// defaults) and says what parents will see.
func (b *Engine) saveParentTopics(r *Request, a *mmo.Association, topics []string) error {
	a.ParentTopics = topics
	if err := r.Tx.PutAssociation(a); err != nil {
		return fmt.Errorf("save association %d: %w", a.ID, err)
	}
	if err := r.audit("association.edit", 0, a, "parent_topics"); err != nil {
		return err
	}
	text := r.T("conv_wave3.topics_saved") + topicLines(r.loc(), b.categoriesFor(false, a))
	r.Reply(text, []Button{r.Button(r.T("consult.back_to_consultants"), verbConsultants, aid(a))})
	return nil
}
