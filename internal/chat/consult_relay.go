package chat

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mmobot/mmobot/internal/mmo"
)

// onConsultTake assigns a new request to the staff member who takes it;
// the asker is told.
func (b *Engine) onConsultTake(r *Request) error {
	c, a, x, ok, err := r.consultation(0)
	if !ok {
		return err
	}
	if !x.Staff() {
		return r.notYours()
	}
	if err := c.Take(r.User.ID, r.Now); err != nil {
		r.Answer(r.T("consult.already_taken"), true)
		return nil
	}
	if err := r.Tx.PutConsultation(c); err != nil {
		return fmt.Errorf("save consultation %d: %w", c.ID, err)
	}
	b.tellAsker(r, c, "consult.taken_notice", "Name", shortName(r.User.Name))
	r.Answer(r.T("consult.taken"), false)
	text, kb, err := b.consultCard(r, c, a, r.consultAccess(c, a))
	if err != nil {
		return err
	}
	r.Edit(text, kb...)
	return b.retireTake(r, c, a)
}

// tellAsker sends the asker a notice about their request, with a button
// to open it.
func (b *Engine) tellAsker(r *Request, c *mmo.Consultation, key string, args ...any) {
	u, err := r.Tx.User(c.AskerID)
	if err != nil || u.Blocked || u.ID == r.User.ID {
		return
	}
	l := r.locOf(u)
	r.Send(u.ID, l.T(key, append([]any{"N", c.ID}, args...)...), []Button{r.Button(l.T("consult.open_button"), verbConsult, cid(c))})
}

// onConsultGive lets the leader hand a request to a consultant.
func (b *Engine) onConsultGive(r *Request) error {
	c, a, x, ok, err := r.consultation(0)
	if !ok {
		return err
	}
	if !x.CanGive(c) {
		return r.notYours()
	}
	uidArg := r.Press.Arg(1)
	if uidArg == "" {
		var kb [][]Button
		for _, uid := range append([]int64{a.LeaderID}, a.Consultants...) {
			if u, err := r.Tx.User(uid); err == nil && uid != 0 {
				kb = append(kb, []Button{r.Button(u.Name, verbConsultGive, cid(c), itoa(uid))})
			}
		}
		kb = append(kb, []Button{r.Button(r.T("consult.back_to_request"), verbConsult, cid(c))})
		r.Edit(r.T("consult.give_to", "N", c.ID), kb...)
		return nil
	}
	uid, err := strconv.ParseInt(uidArg, 10, 64)
	if err != nil || !a.Answers(uid) {
		return r.stale()
	}
	u, err := r.Tx.User(uid)
	if err != nil {
		return r.stale()
	}
	c.Give(uid, r.Now)
	if err := r.Tx.PutConsultation(c); err != nil {
		return fmt.Errorf("save consultation %d: %w", c.ID, err)
	}
	if uid != r.User.ID && !u.Blocked {
		l := r.locOf(u)
		r.Send(u.ID, b.consultSummary(r, l, c, a, l.T("consult.given_lead")), []Button{r.Button(l.T("consult.open_button"), verbConsult, cid(c))})
	}
	b.tellAsker(r, c, "consult.taken_notice", "Name", shortName(u.Name))
	text, kb, err := b.consultCard(r, c, a, r.consultAccess(c, a))
	if err != nil {
		return err
	}
	r.Edit(text, kb...)
	return b.retireTake(r, c, a)
}

// onConsultReply opens the form for one message to the other side.
func (b *Engine) onConsultReply(r *Request) error {
	c, _, x, ok, err := r.consultation(0)
	if !ok {
		return err
	}
	if !x.CanWrite(c) {
		return r.stale()
	}
	d := mmo.NewDialog(mmo.FlowConsultReply, "reply", r.Now, b.opt.DialogIdle)
	d.Draft["cid"] = cid(c)
	if err := r.PutDialog(d); err != nil {
		return err
	}
	if x.Asker {
		r.Reply(r.T("consult.ask_followup", "N", c.ID), r.cancelButton(d.Nonce))
	} else {
		r.Reply(r.T("consult.ask_reply", "N", c.ID), r.cancelButton(d.Nonce))
	}
	return nil
}

// dialogConsultReply relays one message of the conversation: from the
// consultant to the asker, or from the asker to the consultant (to the
// leader and consultants while nobody has taken the request). Neither
// side sees the other's username or phone.
func (b *Engine) dialogConsultReply(r *Request, d *mmo.Dialog) error {
	att, other := attachmentOf(r.Update)
	text := r.Text
	if att != nil {
		text = r.Update.Caption
	}
	if other {
		r.Reply(r.T("consult.unsupported"))
		return nil
	}
	if att == nil {
		t, err := mmo.ValidateLongText("reply", text, 1, mmo.ReplyMax)
		if err != nil {
			r.Reply(validationMessage(r, err))
			return nil
		}
		text = t
	} else if len([]rune(text)) > 1000 {
		r.Reply(r.N("validate.too_long", 1000))
		return nil
	} else {
		text = strings.TrimSpace(mmo.CleanText(text)) // a caption may be empty
	}
	id, _ := strconv.ParseUint(d.Draft["cid"], 10, 64)
	if err := r.EndDialog(); err != nil {
		return err
	}
	c, err := r.Tx.Consultation(id)
	if err != nil {
		return r.notYours()
	}
	a, err := r.Tx.Association(c.AssociationID)
	if err != nil {
		return err
	}
	x := r.consultAccess(c, a)
	if !x.CanWrite(c) {
		r.Reply(r.T("consult.closed_now"))
		return nil
	}
	fromStaff := x.WritesAsStaff()
	msg := &mmo.ConsultMessage{ConsultID: c.ID, FromID: r.User.ID, FromStaff: fromStaff, Text: text, Attachment: att, At: r.Now}
	if err := r.Tx.AddConsultMessage(msg); err != nil {
		return err
	}
	if fromStaff {
		c.StaffWrote(r.User.ID, r.Now)
		if asker, err := r.Tx.User(c.AskerID); err == nil && !asker.Blocked {
			l := r.locOf(asker)
			lead := l.T("consult.answer_lead", "N", c.ID)
			if att != nil {
				r.sendAttachment(asker.ID, *att, lead)
			}
			r.SendKept(asker.ID, consultKey(c, msg.Seq, asker.ID), answerText(l, c, msg), []Button{
				r.Button(l.T("consult.followup_button"), verbConsultReply, cid(c)),
				r.Button(l.T("consult.solved_button"), verbConsultClose, cid(c), "y"),
			})
		}
	} else {
		c.AskerWrote(r.Now)
		for _, uid := range mmo.ConsultRecipients(c, a) {
			u, err := r.Tx.User(uid)
			if err != nil || u.Blocked {
				continue
			}
			l := r.locOf(u)
			lead := l.T("consult.followup_lead", "N", c.ID)
			if att != nil {
				r.sendAttachment(u.ID, *att, lead)
			}
			r.SendKept(u.ID, consultKey(c, msg.Seq, u.ID), followupText(l, c, msg), []Button{
				r.Button(l.T("consult.reply_button"), verbConsultReply, cid(c)),
				r.Button(l.T("consult.open_button"), verbConsult, cid(c)),
			})
		}
	}
	if err := r.Tx.PutConsultation(c); err != nil {
		return fmt.Errorf("save consultation %d: %w", c.ID, err)
	}
	kb := [][]Button{{r.Button(r.T("conv_forms2.to_request", "N", c.ID), verbConsult, cid(c))}}
	if r.Role >= mmo.RoleMember { // a parent's way on is the request itself
		kb = append(kb, r.homeRow())
	}
	r.Reply(r.T("consult.sent"), kb...)
	return nil
}

// onConsultClose closes a request after a confirmation; the asker is asked
// to rate the answer.
func (b *Engine) onConsultClose(r *Request) error {
	c, a, x, ok, err := r.consultation(0)
	if !ok {
		return err
	}
	if !c.Open() {
		r.Answer(r.T("consult.closed_now"), true)
		return nil
	}
	if !x.CanClose(c) {
		return r.notYours()
	}
	if r.Press.Arg(1) != "y" {
		r.Reply(r.T("consult.close_confirm", "N", c.ID), []Button{
			r.Button(r.T("consult.close_yes"), verbConsultClose, cid(c), "y"),
			r.Button(r.T("consult.close_no"), verbConsult, cid(c)),
		})
		return nil
	}
	by := mmo.ClosedByStaff
	if x.Asker {
		by = mmo.ClosedByAsker
	}
	c.Close(by, r.Now)
	if err := r.Tx.PutConsultation(c); err != nil {
		return fmt.Errorf("save consultation %d: %w", c.ID, err)
	}
	// Closed from under an answer («Вопрос решён»): the answer stays
	// readable, only its buttons go; closed from a confirmation, that
	// one just says so.
	edits, err := b.consultRetirements(r, c, a)
	if err != nil {
		return err
	}
	if e := r.pressedKept(edits); e != nil {
		r.Edit(e.text, e.kb)
	} else {
		r.Edit(r.T("consult.closed", "N", c.ID))
	}
	if x.Asker {
		r.Reply(r.T("consult.rate_ask", "N", c.ID), rateRow(r, c))
		if c.AssigneeID != 0 {
			r.notifyID(c.AssigneeID, "consult.closed_by_asker", "N", c.ID)
		}
	} else {
		b.askRating(r, c, "consult.closed_by_staff")
	}
	for _, e := range edits {
		r.editKeptElse(e.key, e.text, e.kb)
	}
	return nil
}

// askRating tells the asker their request was closed and asks for a
// rating.
func (b *Engine) askRating(r *Request, c *mmo.Consultation, key string) {
	u, err := r.Tx.User(c.AskerID)
	if err != nil || u.Blocked {
		return
	}
	r.Send(u.ID, r.TFor(u, key, "N", c.ID), rateRow(r, c))
}

// onConsultRate records the asker's rating of a closed request.
func (b *Engine) onConsultRate(r *Request) error {
	c, _, x, ok, err := r.consultation(0)
	if !ok {
		return err
	}
	n, _ := strconv.Atoi(r.Press.Arg(1))
	if !x.Asker {
		return r.notYours()
	}
	switch err := c.Rate(n); mmo.ErrorCode(err) {
	case mmo.CodeNotYet:
		r.Answer(r.T("consult.rate_later"), true)
		return nil
	case mmo.CodeAlready:
		r.Answer(r.T("consult.rated_already"), true)
		return nil
	case mmo.CodeInvalid:
		return r.notYours()
	}
	if err := r.Tx.PutConsultation(c); err != nil {
		return fmt.Errorf("save consultation %d: %w", c.ID, err)
	}
	r.Edit(r.T("consult.thanks", "N", c.ID, "Stars", strings.Repeat("⭐", n)))
	if c.AssigneeID != 0 {
		r.notifyID(c.AssigneeID, "consult.rated_notice", "N", c.ID, "Stars", strings.Repeat("⭐", n))
	}
	return nil
}

// dueConsultations closes the answered requests the asker left quiet and
// raises those that wait too long for an answer, as found by findDue
// through the deadline index; the rules decide again for each.
func (b *Engine) dueConsultations(r *Request, closing, raising []*mmo.Consultation) (bool, error) {
	due := append(slices.Clip(closing), raising...)
	sent := false
	for _, c := range due {
		a, err := r.Tx.Association(c.AssociationID)
		if err != nil {
			return false, err
		}
		if mmo.AutoCloseDue(c, b.opt.ConsultAutoClose, r.Now) {
			c.Close(mmo.ClosedByAuto, r.Now)
			if err := r.Tx.PutConsultation(c); err != nil {
				return false, err
			}
			b.askRating(r, c, "consult.auto_closed")
			if err := b.retireConsult(r, c, a); err != nil {
				return false, err
			}
			sent = true
			continue
		}
		esc, ok := mmo.NextEscalation(c, a.LeaderID, b.opt.ConsultResponseDays, r.Now, b.opt.Location)
		if !ok {
			continue
		}
		c.Escalation = esc.Level
		if err := r.Tx.PutConsultation(c); err != nil {
			return false, err
		}
		var to []*mmo.User
		key := "consult.escalate_coordinator"
		if esc.To != 0 {
			if u, err := r.Tx.User(esc.To); err == nil {
				to, key = []*mmo.User{u}, "consult.remind"
				if esc.Level == 2 {
					key = "consult.escalate_leader"
				}
			}
		}
		if len(to) == 0 { // the coordinators' turn, or nobody at this level
			if to, err = b.coordinators(r.Tx); err != nil {
				return false, err
			}
		}
		for _, u := range to {
			if u.Blocked {
				continue
			}
			l := r.locOf(u)
			r.Send(u.ID, l.N(key, esc.Days, "N", c.ID, "Association", a.Name), []Button{r.Button(l.T("consult.open_button"), verbConsult, cid(c))})
			sent = true
		}
	}
	return sent, nil
}
