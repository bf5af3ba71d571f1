package chat

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/mmobot/mmobot/internal/mmo"
)

// cmdAsk starts a request in one of the user's associations.
func (b *Engine) cmdAsk(r *Request) error {
	return b.chooseMembership(r, verbAskIn, "consult.choose_association", "consult.no_association", func(r *Request, a *mmo.Association) error {
		return b.startAsk(r, a, true)
	})
}

// chooseMembership runs a member's command on one of the associations
// they belong to: the only one, or the one they last chose; with several
// and no choice yet it asks question, with buttons carrying verb and the
// association; with none it says none.
func (b *Engine) chooseMembership(r *Request, verb, question, none string, then func(*Request, *mmo.Association) error) error {
	ms, err := r.Tx.UserMemberships(r.User.ID)
	if err != nil {
		return err
	}
	var list []*mmo.Association
	for _, m := range ms {
		if m.State != mmo.MemberActive {
			continue
		}
		a, err := r.Tx.Association(m.AssociationID)
		if err != nil {
			return err
		}
		if !a.Archived() {
			list = append(list, a)
		}
	}
	switch {
	case len(list) == 0:
		r.Reply(r.T(none), []Button{r.catalogueButton()})
		return nil
	case len(list) == 1:
		return then(r, list[0])
	}
	for _, a := range list {
		if a.ID == r.User.Current {
			return then(r, a)
		}
	}
	var kb [][]Button
	for _, a := range list {
		kb = append(kb, []Button{r.Button(a.Name, verb, aid(a))})
	}
	r.Reply(r.T(question), kb...)
	return nil
}

// onAskIn starts a request in the chosen association (also from its card).
func (b *Engine) onAskIn(r *Request) error {
	a, ok, err := r.memberOf(0)
	if !ok {
		return err
	}
	return b.startAsk(r, a, true)
}

// startAsk opens the request form at its first step: the category.
func (b *Engine) startAsk(r *Request, a *mmo.Association, member bool) error {
	d := mmo.NewDialog(mmo.FlowAsk, "category", r.Now, b.opt.DialogIdle)
	d.Draft["aid"] = aid(a)
	d.Draft["member"] = strconv.FormatBool(member)
	if err := r.PutDialog(d); err != nil {
		return err
	}
	nonce := itoa(int64(d.Nonce))
	var kb [][]Button
	for i, c := range b.categoriesFor(member, a) {
		kb = append(kb, []Button{r.Button(categoryName(r.loc(), c), verbAskCategory, nonce, strconv.Itoa(i))})
	}
	kb = append(kb, []Button{r.Button(r.T("conv_form.cancel"), verbAskCancel, nonce)})
	r.Reply(r.T("consult.ask_category", "Name", a.Name), kb...)
	return nil
}

func (b *Engine) onAskCategory(r *Request) error {
	d, ok, err := r.formButton("category", mmo.FlowAsk)
	if !ok {
		return err
	}
	i, err := strconv.Atoi(r.Press.Arg(1))
	var a *mmo.Association
	if id, err := strconv.ParseUint(d.Draft["aid"], 10, 64); err == nil {
		if a, err = r.Tx.Association(id); err != nil {
			return r.stale()
		}
	}
	cats := b.categoriesFor(d.Draft["member"] == "true", a)
	if err != nil || i < 0 || i >= len(cats) {
		return r.stale()
	}
	nd, err := r.advance(d, "question", map[string]string{"category": cats[i]})
	if err != nil {
		return err
	}
	r.Edit(r.T("consult.category_chosen", "Category", categoryName(r.loc(), cats[i])))
	r.Reply(r.T("consult.ask_question"), []Button{r.Button(r.T("conv_form.cancel"), verbAskCancel, itoa(int64(nd.Nonce)))})
	return nil
}

// attachmentOf returns the document or photo of a message; other is true
// for other media, which consultations do not take.
func attachmentOf(u *Update) (att *mmo.Attachment, other bool) {
	switch {
	case u.File != nil:
		return &mmo.Attachment{Kind: u.File.Kind, FileID: u.File.ID, Name: u.File.Name, Messenger: u.Messenger}, false
	case u.OtherMedia, u.Location != nil, u.Contact != nil && u.Contact.Phone == "":
		return nil, true
	}
	return nil, false
}

// maxAttachments bounds the files of one question.
const maxAttachments = 3

// dialogAsk takes the typed steps of a request: the question (a file or
// photo with a caption counts too), more files, a phone number.
func (b *Engine) dialogAsk(r *Request, d *mmo.Dialog) error {
	att, other := attachmentOf(r.Update)
	text := r.Text
	if att != nil {
		text = r.Update.Caption
	}
	switch d.Step {
	case "form":
		if att == nil || other {
			r.Reply(r.T("create.press_button"))
			return nil
		}
		// A file sent while the form of the answer is asked: added.
		atts := loadAttachments(d)
		if len(atts) >= maxAttachments {
			r.Reply(r.N("consult.too_many_files", maxAttachments))
			return nil
		}
		saveAttachments(d, append(atts, *att))
		if err := r.PutDialog(*d); err != nil {
			return err
		}
		r.Reply(r.N("conv_ask.file_added", len(atts)+1))
		return nil
	case "category":
		r.Reply(r.T("create.press_button"))
		return nil
	case "phone":
		contact := r.Update.Contact
		if contact == nil || contact.Phone == "" {
			r.Reply(r.TAsk("consult.phone_hint"))
			return nil
		}
		if contact.UserID != 0 && contact.UserID != r.Update.From.ID {
			r.Reply(r.T("consult.phone_own"))
			return nil
		}
		d.Draft["phone"] = contact.Phone
		r.ReplyClosing(r.T("consult.phone_got"))
		return b.createConsultation(r, d)
	}
	if other {
		r.Reply(r.T("consult.unsupported"))
		return nil
	}
	atts := loadAttachments(d)
	if att != nil {
		if len(atts) >= maxAttachments {
			r.Reply(r.N("consult.too_many_files", maxAttachments))
			return nil
		}
		atts = append(atts, *att)
	}
	switch d.Step {
	case "question":
		if text == "" && att != nil {
			// A file without words: keep it and ask for the question.
			saveAttachments(d, atts)
			if err := r.PutDialog(*d); err != nil {
				return err
			}
			r.Reply(r.T("consult.file_then_question"))
			return nil
		}
		q, err := mmo.ValidateLongText("question", text, mmo.QuestionMin, mmo.QuestionMax)
		if err != nil {
			r.Reply(validationMessage(r, err))
			return nil
		}
		saveAttachments(d, atts)
		// Straight on to the form of the answer: a file can still be
		// sent there, without a step of its own to confirm.
		nd, err := r.advance(d, "form", map[string]string{"question": q})
		if err != nil {
			return err
		}
		b.askForm(r, nd)
	case "files":
		if att == nil {
			r.Reply(r.T("consult.files_hint"))
			return nil
		}
		saveAttachments(d, atts)
		nd, err := r.advance(d, "files", nil)
		if err != nil {
			return err
		}
		r.Reply(r.N("consult.ask_files", len(atts), "Max", maxAttachments), []Button{r.Button(r.T("consult.files_done"), verbAskDone, itoa(int64(nd.Nonce)))})
	}
	return nil
}

func loadAttachments(d *mmo.Dialog) []mmo.Attachment {
	var out []mmo.Attachment
	json.Unmarshal([]byte(d.Draft["files"]), &out)
	return out
}

func saveAttachments(d *mmo.Dialog, atts []mmo.Attachment) {
	data, _ := json.Marshal(atts)
	d.Draft["files"] = string(data)
}

// onAskDone moves on to the preferred form of the answer.
func (b *Engine) onAskDone(r *Request) error {
	d, ok, err := r.formButton("files", mmo.FlowAsk)
	if !ok {
		return err
	}
	nd, err := r.advance(d, "form", nil)
	if err != nil {
		return err
	}
	r.Edit(r.N("consult.files_count", len(loadAttachments(d))))
	b.askForm(r, nd)
	return nil
}

// askForm asks how the answer should come, and says a file can be added.
func (b *Engine) askForm(r *Request, d mmo.Dialog) {
	nonce := itoa(int64(d.Nonce))
	r.Reply(r.T("consult.ask_form")+"\n"+r.T("conv_ask.files_hint"), []Button{r.Button(r.T("consult.form_chat"), verbAskForm, nonce, string(mmo.FormChat))},
		[]Button{r.Button(r.T("consult.form_phone"), verbAskForm, nonce, string(mmo.FormPhone))},
		[]Button{r.Button(r.T("consult.form_meeting"), verbAskForm, nonce, string(mmo.FormMeeting))},
		[]Button{r.Button(r.T("conv_form.cancel"), verbAskCancel, nonce)})
}

func (b *Engine) onAskForm(r *Request) error {
	d, ok, err := r.formButton("form", mmo.FlowAsk)
	if !ok {
		return err
	}
	form := mmo.ConsultForm(r.Press.Arg(1))
	if form != mmo.FormChat && form != mmo.FormPhone && form != mmo.FormMeeting {
		return r.stale()
	}
	r.Edit(r.T("consult.form_chosen", "Form", formName(r.loc(), form)))
	if form != mmo.FormPhone {
		d.Draft["form"] = string(form)
		return b.createConsultation(r, d)
	}
	nd, err := r.advance(d, "phone", map[string]string{"form": string(form)})
	if err != nil {
		return err
	}
	r.AskContact(r.TAsk("consult.ask_phone"), r.T("consult.phone_button"))
	r.Reply(r.T("consult.phone_optional"), []Button{r.Button(r.T("consult.no_phone"), verbAskNoPhone, itoa(int64(nd.Nonce)))})
	return nil
}

func (b *Engine) onAskNoPhone(r *Request) error {
	d, ok, err := r.formButton("phone", mmo.FlowAsk)
	if !ok {
		return err
	}
	r.Edit(r.T("consult.phone_skipped"))
	r.ReplyClosing(r.T("consult.phone_none"))
	return b.createConsultation(r, d)
}

// createConsultation files the request, tells the asker its number and
// the leader and consultants that it came.
func (b *Engine) createConsultation(r *Request, d *mmo.Dialog) error {
	id, _ := strconv.ParseUint(d.Draft["aid"], 10, 64)
	if err := r.EndDialog(); err != nil {
		return err
	}
	a, err := r.Tx.Association(id)
	if err != nil || a.Archived() {
		r.Reply(r.T("assoc.archived_no_join", "Name", ""))
		return nil
	}
	c := &mmo.Consultation{
		AssociationID: a.ID,
		AskerID:       r.User.ID,
		Member:        d.Draft["member"] == "true",
		Category:      d.Draft["category"],
		Question:      d.Draft["question"],
		Attachments:   loadAttachments(d),
		Form:          mmo.ConsultForm(d.Draft["form"]),
		Phone:         d.Draft["phone"],
	}
	c.Start(r.Now)
	if err := r.Tx.CreateConsultation(c); err != nil {
		return fmt.Errorf("create a consultation in association %d: %w", c.AssociationID, err)
	}
	created := r.T("consult.created", "N", c.ID, "Name", a.Name)
	if days := b.opt.ConsultResponseDays; days > 0 {
		created += "\n" + r.N("conv_ask.expect", days)
	}
	r.Reply(created, []Button{r.Button(r.T("consult.open_button"), verbConsult, cid(c))})
	// The leader and the consultants hear of it; with none, the
	// coordinators, so a request never waits unseen.
	var staff []*mmo.User
	for _, uid := range mmo.ConsultRecipients(c, a) {
		if u, err := r.Tx.User(uid); err == nil && !u.Blocked {
			staff = append(staff, u)
		}
	}
	if len(staff) == 0 {
		if staff, err = b.coordinators(r.Tx); err != nil {
			return err
		}
	}
	for _, u := range staff {
		l := r.locOf(u)
		r.SendKept(u.ID, consultKey(c, 0, u.ID), b.consultSummary(r, l, c, a, l.T("consult.new_lead")), []Button{
			r.Button(l.T("consult.take_button"), verbConsultTake, cid(c)),
			r.Button(l.T("consult.open_button"), verbConsult, cid(c)),
		})
	}
	return nil
}

// openConsultLink opens an association's public consultation link. A
// teacher asks right away; anyone else first agrees to the notice and says
// how to address them.
func (b *Engine) openConsultLink(r *Request, token string) error {
	var a *mmo.Association
	all, err := r.Tx.Associations()
	if err != nil {
		return err
	}
	for _, x := range all {
		if x.ConsultToken != "" && x.ConsultToken == token && !x.Archived() {
			a = x
		}
	}
	if a == nil {
		r.Reply(r.T("consult.link_invalid"))
		return nil
	}
	if r.User.Registered() {
		member, err := r.isMember(a)
		if err != nil {
			return err
		}
		return b.startAsk(r, a, member)
	}
	if r.User.Parent() {
		return b.startAsk(r, a, false)
	}
	d := mmo.NewDialog(mmo.FlowAskConsent, "consent", r.Now, b.opt.DialogIdle)
	d.Draft["aid"] = aid(a)
	if err := r.PutDialog(d); err != nil {
		return err
	}
	nonce := itoa(int64(d.Nonce))
	r.Reply(r.T("consult.guest_consent", "Name", a.Name, "Messenger", r.messengerName(r.Update.Messenger)), []Button{
		r.Button(r.T("reg.consent_agree"), verbAskConsent, nonce, mmo.ActionAgree),
		r.Button(r.T("reg.consent_decline"), verbAskConsent, nonce, mmo.ActionDecline),
	})
	return nil
}

// onAskConsent takes a non-member's answer to the notice.
func (b *Engine) onAskConsent(r *Request) error {
	d, ok, err := r.formButton("consent", mmo.FlowAskConsent)
	if !ok {
		return err
	}
	if r.Press.Arg(1) != mmo.ActionAgree {
		r.Edit(r.T("consult.guest_declined"))
		return r.forgetNewcomer()
	}
	nd, err := r.advance(d, "name", nil)
	if err != nil {
		return err
	}
	r.Edit(r.T("reg.consent_given_mark"))
	r.Reply(r.T("consult.guest_name"), r.cancelButton(nd.Nonce))
	return nil
}

// dialogAskConsent takes the name a non-member wants to be addressed by.
func (b *Engine) dialogAskConsent(r *Request, d *mmo.Dialog) error {
	if d.Step != "name" {
		r.Reply(r.T("create.press_button"))
		return nil
	}
	name, err := mmo.ValidateName(r.Text)
	if err != nil {
		r.Reply(validationMessage(r, err))
		return nil
	}
	r.User.Name, r.User.Asker, r.User.ConsentAt = name, true, r.Now
	if err := r.SaveUser(); err != nil {
		return err
	}
	id, _ := strconv.ParseUint(d.Draft["aid"], 10, 64)
	a, err := r.Tx.Association(id)
	if err != nil {
		return err
	}
	return b.startAsk(r, a, false)
}

// onAskCancel leaves the request form by its button: nothing is filed.
func (b *Engine) onAskCancel(r *Request) error {
	d, _, err := r.Dialog()
	if err != nil {
		return err
	}
	if d == nil || d.Flow != mmo.FlowAsk || r.Press.Arg(0) != itoa(int64(d.Nonce)) {
		return r.stale()
	}
	if err := r.EndDialog(); err != nil {
		return err
	}
	r.Edit(r.T("cancel.done"), r.homeRows()...)
	return nil
}
