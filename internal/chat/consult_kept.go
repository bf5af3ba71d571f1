package chat

// No dead buttons on a request: the messages of a request that carry
// buttons which stop making sense — «Взять в работу» on the notice of a
// new request once someone took it, «Уточнить / Вопрос решён» under an
// answer and «Ответить» under a follow-up once the request is closed —
// are recorded in the registry of sent messages under consultKey, and
// redrawn without those buttons when that moment comes.

import (
	"slices"
	"strconv"

	"github.com/mmobot/mmobot/internal/mmo"
)

// consultKey names the message of request c that carries its message seq
// (0: the notice of the new request) in the chat of user uid.
func consultKey(c *mmo.Consultation, seq int, uid int64) string {
	return "cq:" + cid(c) + ":" + strconv.Itoa(seq) + ":" + strconv.FormatInt(uid, 10)
}

// answerText is an answer of the staff as the asker reads it.
func answerText(l loc, c *mmo.Consultation, m *mmo.ConsultMessage) string {
	if m.Text == "" && m.Attachment != nil {
		return l.T("consult.answer_file_only", "N", c.ID)
	}
	return l.T("consult.answer_lead", "N", c.ID) + "\n\n" + esc(m.Text)
}

// followupText is the asker's message as the staff read it.
func followupText(l loc, c *mmo.Consultation, m *mmo.ConsultMessage) string {
	return l.T("consult.followup_lead", "N", c.ID) + "\n\n" + esc(m.Text)
}

// consultStaff is everyone who may have had a message of request c with
// buttons: the leader, the consultants, whoever has it, and the
// coordinators (told of a request nobody else could take).
func (b *Engine) consultStaff(r *Request, c *mmo.Consultation, a *mmo.Association) ([]*mmo.User, error) {
	ids := append([]int64{a.LeaderID, c.AssigneeID}, a.Consultants...)
	coords, err := b.coordinators(r.Tx)
	if err != nil {
		return nil, err
	}
	var out []*mmo.User
	for _, u := range coords {
		out = append(out, u)
		ids = slices.DeleteFunc(ids, func(id int64) bool { return id == u.ID })
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if id == 0 || id == c.AskerID || seen[id] {
			continue
		}
		seen[id] = true
		if u, err := r.Tx.User(id); err == nil {
			out = append(out, u)
		}
	}
	return out, nil
}

// retireTake takes «Взять в работу» off every notice of the new request
// once it is somebody's; «Открыть» stays.
func (b *Engine) retireTake(r *Request, c *mmo.Consultation, a *mmo.Association) error {
	staff, err := b.consultStaff(r, c, a)
	if err != nil {
		return err
	}
	for _, u := range staff {
		l := r.locOf(u)
		r.editKeptElse(consultKey(c, 0, u.ID), b.consultSummary(r, l, c, a, l.T("consult.new_lead")),
			[]Button{r.Button(l.T("consult.open_button"), verbConsult, cid(c))})
	}
	return nil
}

// keptEdit is a redraw of a message on record: its key, new text and
// buttons.
type keptEdit struct {
	key, text string
	kb        []Button
}

// retireConsult redraws every message of a closed request that still
// offers to write or to close it: each keeps what it said, adds that the
// request is closed and keeps only «Открыть», which still shows the whole
// conversation.
func (b *Engine) retireConsult(r *Request, c *mmo.Consultation, a *mmo.Association) error {
	edits, err := b.consultRetirements(r, c, a)
	if err != nil {
		return err
	}
	for _, e := range edits {
		r.editKeptElse(e.key, e.text, e.kb)
	}
	return nil
}

// consultRetirements are the redraws retireConsult makes.
func (b *Engine) consultRetirements(r *Request, c *mmo.Consultation, a *mmo.Association) ([]keptEdit, error) {
	staff, err := b.consultStaff(r, c, a)
	if err != nil {
		return nil, err
	}
	var edits []keptEdit
	closed := func(key string, l loc, text string) {
		edits = append(edits, keptEdit{key: key, text: text + "\n\n" + l.T("conv_wave3.consult_closed", "N", c.ID),
			kb: []Button{r.Button(l.T("consult.open_button"), verbConsult, cid(c))}})
	}
	for _, u := range staff {
		l := r.locOf(u)
		closed(consultKey(c, 0, u.ID), l, b.consultSummary(r, l, c, a, l.T("consult.new_lead")))
	}
	msgs, err := r.Tx.ConsultMessages(c.ID)
	if err != nil {
		return nil, err
	}
	asker, err := r.Tx.User(c.AskerID)
	if err != nil {
		asker = nil // gone: nothing of theirs to redraw
	}
	for _, m := range msgs {
		if m.FromStaff {
			if asker != nil {
				l := r.locOf(asker)
				closed(consultKey(c, m.Seq, asker.ID), l, answerText(l, c, m))
			}
			continue
		}
		for _, u := range staff {
			l := r.locOf(u)
			closed(consultKey(c, m.Seq, u.ID), l, followupText(l, c, m))
		}
	}
	return edits, nil
}

// pressedKept is the one of edits whose message on record is the one
// whose button was pressed, or nil.
func (r *Request) pressedKept(edits []keptEdit) *keptEdit {
	if r.Update == nil || r.Update.Press == nil || r.Update.Press.Message == "" {
		return nil
	}
	for i, e := range edits {
		rec, err := r.Tx.Sent(e.key)
		if err == nil && rec.Chat == r.Update.Chat && rec.Messenger == r.Update.Messenger &&
			rec.Message == r.Update.Press.Message {
			return &edits[i]
		}
	}
	return nil
}

// editKeptElse is EditKept for a message other than the one whose button
// was pressed: the handler redraws that one itself, and a second edit
// would draw over what it shows. A record in the presser's chat whose
// message id the transport has not written back yet may be the pressed
// message (pressed the moment it arrived): it is left alone too, as the
// smaller harm.
func (r *Request) editKeptElse(key, text string, kb ...[]Button) {
	if r.Update != nil && r.Update.Press != nil && r.Update.Press.Message != "" {
		rec, err := r.Tx.Sent(key)
		if err == nil && rec.Chat == r.Update.Chat && rec.Messenger == r.Update.Messenger &&
			(rec.Message == r.Update.Press.Message || rec.Message == "") {
			return
		}
	}
	r.EditKept(key, text, kb...)
}
