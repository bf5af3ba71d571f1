package chat

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/render"
)

// Callback verbs of consultations.
const (
	verbAskIn        = "qa" // ask in an association: aid
	verbAskCategory  = "qc" // nonce, category index
	verbAskDone      = "qd" // attachments done (or none): nonce
	verbAskForm      = "qf" // nonce, chat|phone|meeting
	verbAskNoPhone   = "qp" // go on without a phone number: nonce
	verbAskConsent   = "qy" // a non-member's consent: nonce, agree|decline
	verbConsult      = "qv" // open a request: cid
	verbConsultTake  = "qt" // take it: cid
	verbConsultReply = "qr" // write in its conversation: cid
	verbConsultClose = "qx" // close it: cid [, y]
	verbConsultRate  = "qg" // rate the answer: cid, 1..5
	verbConsultGive  = "qn" // assign to a consultant: cid [, uid]
	verbConsultFiles = "qz" // send the attachments again: cid
	verbConsultants  = "qk" // the consultants of an association: aid [, "a" | "d", uid] or aid, "p", page
	verbConsultLink  = "qo" // the public link: aid, on|off
	verbConsultXLSX  = "qe" // the year's requests as XLSX: aid
	verbRequests     = "ql" // the list of requests again
)

// defaultCategories are the built-in topics, stored as keys and shown in
// each user's language.
var defaultCategories = []string{"cat:normative", "cat:methods", "cat:families", "cat:contests", "cat:certification", "cat:software", "cat:other"}

// categoryName renders a category for a reader.
func categoryName(l loc, c string) string {
	switch c {
	case "cat:normative":
		return l.T("consult.cat_normative")
	case "cat:methods":
		return l.T("consult.cat_methods")
	case "cat:families":
		return l.T("consult.cat_families")
	case "cat:contests":
		return l.T("consult.cat_contests")
	case "cat:certification":
		return l.T("consult.cat_certification")
	case "cat:software":
		return l.T("consult.cat_software")
	case "cat:other":
		return l.T("consult.cat_other")
	}
	return c
}

func (b *Engine) categories() []string {
	if len(b.opt.ConsultCategories) > 0 {
		return b.opt.ConsultCategories
	}
	return defaultCategories
}

func formName(l loc, f mmo.ConsultForm) string {
	switch f {
	case mmo.FormPhone:
		return l.T("consult.form_phone")
	case mmo.FormMeeting:
		return l.T("consult.form_meeting")
	}
	return l.T("consult.form_chat")
}

func statusName(l loc, s mmo.ConsultStatus) string {
	switch s {
	case mmo.ConsultProgress:
		return l.T("consult.status_progress")
	case mmo.ConsultAnswered:
		return l.T("consult.status_answered")
	case mmo.ConsultClosed:
		return l.T("consult.status_closed")
	}
	return l.T("consult.status_new")
}

func cid(c *mmo.Consultation) string { return strconv.FormatUint(c.ID, 10) }

// access says who the user is to a request.
type access = mmo.ConsultAccess

func (r *Request) consultAccess(c *mmo.Consultation, a *mmo.Association) access {
	return mmo.ConsultAccessFor(c, a, r.User.ID, r.User.Registered(), r.Role >= mmo.RoleCoordinator)
}

// consultation loads the request of a button and checks the user may
// touch it.
func (r *Request) consultation(i int) (*mmo.Consultation, *mmo.Association, access, bool, error) {
	id, err := strconv.ParseUint(r.Press.Arg(i), 10, 64)
	if err != nil {
		return nil, nil, access{}, false, r.stale()
	}
	c, err := r.Tx.Consultation(id)
	if errors.Is(err, mmo.ErrNotFound) {
		return nil, nil, access{}, false, r.stale()
	}
	if err != nil {
		return nil, nil, access{}, false, err
	}
	a, err := r.Tx.Association(c.AssociationID)
	if err != nil {
		return nil, nil, access{}, false, err
	}
	x := r.consultAccess(c, a)
	if !x.Any() {
		r.Answer(r.T("consult.not_yours"), true)
		return nil, nil, access{}, false, nil
	}
	return c, a, x, true, nil
}

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
		r.Reply(r.T(none))
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
	for i, c := range b.categories() {
		kb = append(kb, []Button{r.Button(categoryName(r.loc(), c), verbAskCategory, nonce, strconv.Itoa(i))})
	}
	r.Reply(r.T("consult.ask_category", "Name", a.Name), kb...)
	return nil
}

func (b *Engine) onAskCategory(r *Request) error {
	d, ok, err := r.formButton("category", mmo.FlowAsk)
	if !ok {
		return err
	}
	i, err := strconv.Atoi(r.Press.Arg(1))
	cats := b.categories()
	if err != nil || i < 0 || i >= len(cats) {
		return r.stale()
	}
	if _, err := r.advance(d, "question", map[string]string{"category": cats[i]}); err != nil {
		return err
	}
	r.Edit(r.T("consult.category_chosen", "Category", categoryName(r.loc(), cats[i])))
	r.Reply(r.T("consult.ask_question"))
	return nil
}

// attachmentOf returns the document or photo of a message; other is true
// for other media, which consultations do not take.
func attachmentOf(u *Update) (att *mmo.Attachment, other bool) {
	switch {
	case u.File != nil:
		return &mmo.Attachment{Kind: u.File.Kind, FileID: u.File.ID, Name: u.File.Name}, false
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
	case "category", "form":
		r.Reply(r.T("create.press_button"))
		return nil
	case "phone":
		contact := r.Update.Contact
		if contact == nil || contact.Phone == "" {
			r.Reply(r.T("consult.phone_hint"))
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
		nd, err := r.advance(d, "files", map[string]string{"question": q})
		if err != nil {
			return err
		}
		r.Reply(r.N("consult.ask_files", len(atts), "Max", maxAttachments), []Button{r.Button(r.T("consult.files_done"), verbAskDone, itoa(int64(nd.Nonce)))})
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
	nonce := itoa(int64(nd.Nonce))
	r.Reply(r.T("consult.ask_form"), []Button{r.Button(r.T("consult.form_chat"), verbAskForm, nonce, string(mmo.FormChat))},
		[]Button{r.Button(r.T("consult.form_phone"), verbAskForm, nonce, string(mmo.FormPhone))},
		[]Button{r.Button(r.T("consult.form_meeting"), verbAskForm, nonce, string(mmo.FormMeeting))})
	return nil
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
	r.AskContact(r.T("consult.ask_phone"), r.T("consult.phone_button"))
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
		return err
	}
	r.Reply(r.T("consult.created", "N", c.ID, "Name", a.Name), []Button{r.Button(r.T("consult.open_button"), verbConsult, cid(c))})
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
		r.Send(u.ID, b.consultSummary(r, l, c, a, l.T("consult.new_lead")), []Button{
			r.Button(l.T("consult.take_button"), verbConsultTake, cid(c)),
			r.Button(l.T("consult.open_button"), verbConsult, cid(c)),
		})
	}
	return nil
}

// consultSummary is a request's header: number, association, category,
// form, and the question.
func (b *Engine) consultSummary(r *Request, l loc, c *mmo.Consultation, a *mmo.Association, lead string) string {
	asker := l.T("audit.deleted_user")
	if u, err := r.Tx.User(c.AskerID); err == nil {
		asker = u.Name
		if !c.Member {
			asker += " " + l.T("consult.not_member_mark")
		}
	}
	var sb strings.Builder
	sb.WriteString(lead + "\n" + l.T("consult.header", "N", c.ID, "Association", a.Name))
	sb.WriteString("\n" + l.T("consult.asker", "Name", asker))
	sb.WriteString("\n" + l.T("consult.category", "Category", categoryName(l, c.Category)))
	sb.WriteString("\n" + l.T("consult.form", "Form", formName(l, c.Form)))
	if c.Phone != "" {
		sb.WriteString(" · " + l.T("consult.phone", "Phone", c.Phone))
	}
	sb.WriteString("\n\n" + l.T("consult.question", "Question", c.Question))
	if n := len(c.Attachments); n > 0 {
		sb.WriteString("\n" + l.N("consult.files", n))
	}
	return sb.String()
}

// onConsult shows a request: its header, status, conversation and the
// actions the viewer may take.
func (b *Engine) onConsult(r *Request) error {
	c, a, x, ok, err := r.consultation(0)
	if !ok {
		return err
	}
	text, kb, err := b.consultCard(r, c, a, x)
	if err != nil {
		return err
	}
	r.Edit(text, kb...)
	return nil
}

// threadShown is how many of the latest messages a card shows.
const threadShown = 6

func (b *Engine) consultCard(r *Request, c *mmo.Consultation, a *mmo.Association, x access) (string, [][]Button, error) {
	l := r.loc()
	var sb strings.Builder
	sb.WriteString(b.consultSummary(r, l, c, a, ""))
	sb.WriteString("\n\n" + l.T("consult.status", "Status", statusName(l, c.Status)))
	if c.AssigneeID != 0 {
		if u, err := r.Tx.User(c.AssigneeID); err == nil {
			sb.WriteString(" · " + l.T("consult.assignee", "Name", shortName(u.Name)))
		}
	}
	if c.Rating > 0 {
		sb.WriteString(" · " + l.T("consult.rated", "Stars", strings.Repeat("⭐", c.Rating)))
	}
	msgs, err := r.Tx.ConsultMessages(c.ID)
	if err != nil {
		return "", nil, err
	}
	if len(msgs) > threadShown {
		sb.WriteString("\n\n" + l.N("consult.earlier", len(msgs)-threadShown))
		msgs = msgs[len(msgs)-threadShown:]
	}
	for _, m := range msgs {
		who := l.T("consult.from_asker")
		if m.FromStaff {
			who = l.T("consult.from_staff")
		}
		body := m.Text
		if m.Attachment != nil {
			body = "📎 " + body
		}
		sb.WriteString("\n\n<b>" + who + "</b> (" + b.dateTime(m.At) + "):\n" + esc(body))
	}
	id := cid(c)
	var kb [][]Button
	if len(c.Attachments) > 0 {
		kb = append(kb, []Button{r.Button(l.N("consult.files_button", len(c.Attachments)), verbConsultFiles, id)})
	}
	if c.Open() {
		if x.CanTake(c) {
			kb = append(kb, []Button{r.Button(l.T("consult.take_button"), verbConsultTake, id)})
		}
		if x.CanWrite(c) {
			kb = append(kb, []Button{r.Button(l.T("consult.reply_button"), verbConsultReply, id)})
		}
		if x.CanGive(c) {
			kb = append(kb, []Button{r.Button(l.T("consult.give_button"), verbConsultGive, id)})
		}
		if x.CanClose(c) {
			kb = append(kb, []Button{r.Button(l.T("consult.close_button"), verbConsultClose, id)})
		}
	} else if x.Asker && c.Rating == 0 {
		kb = append(kb, rateRow(r, c))
	}
	kb = append(kb, []Button{r.Button(l.T("consult.back"), verbRequests)})
	return sb.String(), kb, nil
}

func rateRow(r *Request, c *mmo.Consultation) []Button {
	var row []Button
	for n := 1; n <= 5; n++ {
		row = append(row, r.Button(strconv.Itoa(n)+"⭐", verbConsultRate, cid(c), strconv.Itoa(n)))
	}
	return row
}

// onConsultFiles sends the attachments of the question again.
func (b *Engine) onConsultFiles(r *Request) error {
	c, _, _, ok, err := r.consultation(0)
	if !ok {
		return err
	}
	for _, att := range c.Attachments {
		r.replyAttachment(att, r.T("consult.file_of", "N", c.ID))
	}
	return nil
}

// attachment is a file or photo a person sent, to be sent on by the
// messenger's id of it.
func attachment(att mmo.Attachment, caption string) Message {
	kind := KindDocument
	if att.Kind == FilePhoto {
		kind = KindPhoto
	}
	return Message{Kind: kind, FileID: att.FileID, FileName: att.Name, Text: caption}
}

// replyAttachment sends an attachment to the chat of the update.
func (r *Request) replyAttachment(att mmo.Attachment, caption string) {
	m := attachment(att, caption)
	m.Chat, m.messenger = r.Update.Chat, r.Update.Messenger
	r.out = append(r.out, m)
}

// sendAttachment sends an attachment to a user.
func (r *Request) sendAttachment(uid int64, att mmo.Attachment, caption string) {
	m := attachment(att, caption)
	m.to = uid
	r.out = append(r.out, m)
}

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
		return err
	}
	b.tellAsker(r, c, "consult.taken_notice", "Name", shortName(r.User.Name))
	r.Answer(r.T("consult.taken"), false)
	text, kb, err := b.consultCard(r, c, a, r.consultAccess(c, a))
	if err != nil {
		return err
	}
	r.Edit(text, kb...)
	return nil
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
		return err
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
	return nil
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
		r.Reply(r.T("consult.ask_followup", "N", c.ID))
	} else {
		r.Reply(r.T("consult.ask_reply", "N", c.ID))
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
	if err := r.Tx.AddConsultMessage(&mmo.ConsultMessage{ConsultID: c.ID, FromID: r.User.ID, FromStaff: fromStaff, Text: text, Attachment: att, At: r.Now}); err != nil {
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
			if text != "" || att == nil {
				r.Send(asker.ID, lead+"\n\n"+esc(text), []Button{
					r.Button(l.T("consult.followup_button"), verbConsultReply, cid(c)),
					r.Button(l.T("consult.solved_button"), verbConsultClose, cid(c)),
				})
			} else {
				r.Send(asker.ID, l.T("consult.answer_file_only", "N", c.ID), []Button{
					r.Button(l.T("consult.followup_button"), verbConsultReply, cid(c)),
					r.Button(l.T("consult.solved_button"), verbConsultClose, cid(c)),
				})
			}
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
			r.Send(u.ID, lead+"\n\n"+esc(text), []Button{
				r.Button(l.T("consult.reply_button"), verbConsultReply, cid(c)),
				r.Button(l.T("consult.open_button"), verbConsult, cid(c)),
			})
		}
	}
	if err := r.Tx.PutConsultation(c); err != nil {
		return err
	}
	r.Reply(r.T("consult.sent"))
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
		return err
	}
	r.Edit(r.T("consult.closed", "N", c.ID))
	if x.Asker {
		r.Reply(r.T("consult.rate_ask", "N", c.ID), rateRow(r, c))
		if c.AssigneeID != 0 {
			r.notifyID(c.AssigneeID, "consult.closed_by_asker", "N", c.ID)
		}
		return nil
	}
	b.askRating(r, c, "consult.closed_by_staff")
	_ = a
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
		return err
	}
	r.Edit(r.T("consult.thanks", "N", c.ID, "Stars", strings.Repeat("⭐", n)))
	if c.AssigneeID != 0 {
		r.notifyID(c.AssigneeID, "consult.rated_notice", "N", c.ID, "Stars", strings.Repeat("⭐", n))
	}
	return nil
}

// cmdRequests lists the user's own requests and, for those who answer
// them, the open requests of their associations.
func (b *Engine) cmdRequests(r *Request) error {
	if !r.User.Registered() && !r.User.Asker {
		r.Reply(r.T("error.register_first"))
		return nil
	}
	text, kb, err := b.requestsList(r)
	if err != nil {
		return err
	}
	r.Reply(text, kb...)
	return nil
}

func (b *Engine) onRequests(r *Request) error {
	text, kb, err := b.requestsList(r)
	if err != nil {
		return err
	}
	r.Edit(text, kb...)
	return nil
}

func (b *Engine) requestsList(r *Request) (string, [][]Button, error) {
	l := r.loc()
	var sb strings.Builder
	var kb [][]Button
	line := func(c *mmo.Consultation, a *mmo.Association) {
		sb.WriteString("\n• " + l.T("consult.line", "N", c.ID, "Category", categoryName(l, c.Category), "Status", statusName(l, c.Status), "Association", a.Name))
		kb = append(kb, []Button{r.Button(l.T("consult.line_button", "N", c.ID, "Category", categoryName(l, c.Category)), verbConsult, cid(c))})
	}
	own, err := r.Tx.UserConsultations(r.User.ID)
	if err != nil {
		return "", nil, err
	}
	mine := own[max(0, len(own)-10):]
	if len(mine) > 0 {
		sb.WriteString(l.T("consult.mine_title"))
		for i := len(mine) - 1; i >= 0; i-- {
			a, err := r.Tx.Association(mine[i].AssociationID)
			if err != nil {
				return "", nil, err
			}
			line(mine[i], a)
		}
	}
	if r.User.Registered() {
		all, err := r.Tx.Associations()
		if err != nil {
			return "", nil, err
		}
		var open []struct {
			c *mmo.Consultation
			a *mmo.Association
		}
		for _, a := range all {
			if !(r.Role >= mmo.RoleCoordinator || a.Answers(r.User.ID)) {
				continue
			}
			cs, err := r.Tx.AssociationConsultations(a.ID)
			if err != nil {
				return "", nil, err
			}
			for _, c := range cs {
				if c.Open() && c.AskerID != r.User.ID && r.consultAccess(c, a).Any() {
					open = append(open, struct {
						c *mmo.Consultation
						a *mmo.Association
					}{c, a})
				}
			}
		}
		if len(open) > 0 {
			if sb.Len() > 0 {
				sb.WriteString("\n\n")
			}
			sb.WriteString(l.N("consult.open_title", len(open)))
			for _, o := range open {
				line(o.c, o.a)
			}
		}
	}
	if sb.Len() == 0 {
		sb.WriteString(l.T("consult.none"))
	}
	if len(kb) > 50 {
		kb = kb[:50]
	}
	return sb.String(), kb, nil
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
	if r.User.Asker {
		return b.startAsk(r, a, false)
	}
	d := mmo.NewDialog(mmo.FlowAskConsent, "consent", r.Now, b.opt.DialogIdle)
	d.Draft["aid"] = aid(a)
	if err := r.PutDialog(d); err != nil {
		return err
	}
	nonce := itoa(int64(d.Nonce))
	r.Reply(r.T("consult.guest_consent", "Name", a.Name), []Button{
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
	if _, err := r.advance(d, "name", nil); err != nil {
		return err
	}
	r.Edit(r.T("reg.consent_given_mark"))
	r.Reply(r.T("consult.guest_name"))
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

// onConsultants shows and changes the consultants of an association.
func (b *Engine) onConsultants(r *Request) error {
	a, ok, err := r.managed(0)
	if !ok {
		return err
	}
	id := aid(a)
	switch r.Press.Arg(1) {
	case "a", "d":
		uid, ok := r.Press.Int(2)
		if !ok {
			return r.stale()
		}
		if r.Press.Arg(1) == "a" {
			if m, err := r.Tx.Membership(a.ID, uid); err != nil || m.State != mmo.MemberActive {
				return r.stale()
			}
			if !slices.Contains(a.Consultants, uid) {
				a.Consultants = append(a.Consultants, uid)
				r.notifyID(uid, "consult.you_consultant", "Name", a.Name)
			}
		} else {
			a.Consultants = slices.DeleteFunc(a.Consultants, func(x int64) bool { return x == uid })
		}
		if err := r.Tx.PutAssociation(a); err != nil {
			return err
		}
	case "p": // choosing a member to add
		page, _ := strconv.Atoi(r.Press.Arg(2))
		members, err := b.activeMembers(r, a)
		if err != nil {
			return err
		}
		var cands []member
		for _, m := range members {
			if m.u.ID != a.LeaderID && !slices.Contains(a.Consultants, m.u.ID) {
				cands = append(cands, m)
			}
		}
		pages := max(1, (len(cands)+membersPage-1)/membersPage)
		page = min(max(page, 0), pages-1)
		var kb [][]Button
		for _, m := range cands[page*membersPage : min(len(cands), (page+1)*membersPage)] {
			kb = append(kb, []Button{r.Button(m.u.Name, verbConsultants, id, "a", itoa(m.u.ID))})
		}
		var nav []Button
		if page > 0 {
			nav = append(nav, r.Button("◀", verbConsultants, id, "p", strconv.Itoa(page-1)))
		}
		if page < pages-1 {
			nav = append(nav, r.Button("▶", verbConsultants, id, "p", strconv.Itoa(page+1)))
		}
		if len(nav) > 0 {
			kb = append(kb, nav)
		}
		kb = append(kb, []Button{r.Button(r.T("consult.back_to_consultants"), verbConsultants, id)})
		r.Edit(r.T("consult.choose_consultant"), kb...)
		return nil
	}
	var sb strings.Builder
	sb.WriteString(r.T("consult.consultants_title", "Name", a.Name))
	var kb [][]Button
	if len(a.Consultants) == 0 {
		sb.WriteString("\n" + r.T("consult.consultants_none"))
	}
	for _, uid := range a.Consultants {
		if u, err := r.Tx.User(uid); err == nil {
			sb.WriteString("\n• " + esc(u.Name))
			kb = append(kb, []Button{r.Button(r.T("consult.remove_consultant", "Name", shortName(u.Name)), verbConsultants, id, "d", itoa(uid))})
		}
	}
	if a.ConsultToken != "" {
		sb.WriteString("\n\n" + r.T("consult.public_on", "Link", r.deepLink("q_"+a.ConsultToken)))
		kb = append(kb, []Button{r.Button(r.T("consult.public_off_button"), verbConsultLink, id, "off")})
	} else {
		sb.WriteString("\n\n" + r.T("consult.public_off"))
		kb = append(kb, []Button{r.Button(r.T("consult.public_on_button"), verbConsultLink, id, "on")})
	}
	kb = append(kb, []Button{r.Button(r.T("consult.add_consultant"), verbConsultants, id, "p", "0")},
		[]Button{r.Button(r.T("assoc.back_to_card"), verbAssocCard, id)})
	r.Edit(sb.String(), kb...)
	return nil
}

// onConsultLink turns the public consultation link on or off.
func (b *Engine) onConsultLink(r *Request) error {
	a, ok, err := r.managed(0)
	if !ok {
		return err
	}
	switch r.Press.Arg(1) {
	case "on":
		token, err := mmo.NewToken()
		if err != nil {
			return err
		}
		a.ConsultToken = token
	case "off":
		a.ConsultToken = ""
	default:
		return r.stale()
	}
	if err := r.Tx.PutAssociation(a); err != nil {
		return err
	}
	r.Press.Args = []string{aid(a)}
	return b.onConsultants(r)
}

// onConsultXLSX exports the association's requests of the school year, for
// the annual report: every request, and counts by category and status.
func (b *Engine) onConsultXLSX(r *Request) error {
	a, ok, err := r.managed(0)
	if !ok {
		return err
	}
	l := r.loc()
	year := b.opt.Regulation.SchoolYearOf(r.Now, b.opt.Location)
	all, err := r.Tx.AssociationConsultations(a.ID)
	if err != nil {
		return err
	}
	list := render.Table{
		Sheet:    l.T("consultx.sheet_list"),
		Title:    l.T("consultx.title", "Name", a.Name, "From", year, "To", year+1),
		Subtitle: []string{l.T("export.generated", "Date", b.dateTime(r.Now))},
		Headers: []string{l.T("consultx.col_n"), l.T("consultx.col_date"), l.T("consultx.col_category"), l.T("consultx.col_form"),
			l.T("consultx.col_status"), l.T("consultx.col_assignee"), l.T("consultx.col_hours"), l.T("consultx.col_rating")},
	}
	type key struct{ cat, status string }
	counts := map[key]int{}
	var cats []string
	var total, answered int
	var hours float64
	for _, c := range all {
		if b.opt.Regulation.SchoolYearOf(c.CreatedAt, b.opt.Location) != year {
			continue
		}
		total++
		assignee := ""
		if u, err := r.Tx.User(c.AssigneeID); err == nil && c.AssigneeID != 0 {
			assignee = u.Name
		}
		resp, rating := render.Empty(), render.Empty()
		if d := c.ResponseTime(); d > 0 {
			resp = render.Float(d.Hours(), 1)
			answered++
			hours += d.Hours()
		}
		if c.Rating > 0 {
			rating = render.Int(c.Rating)
		}
		cat := categoryName(l, c.Category)
		if !slices.Contains(cats, cat) {
			cats = append(cats, cat)
		}
		counts[key{cat, string(c.Status)}]++
		list.Rows = append(list.Rows, []render.Cell{render.Int(int(c.ID)), render.Date(c.CreatedAt, b.opt.Location), render.Text(cat),
			render.Text(formName(l, c.Form)), render.Text(statusName(l, c.Status)), render.Text(assignee), resp, rating})
	}
	summary := render.Table{
		Sheet:   l.T("consultx.sheet_summary"),
		Title:   l.T("consultx.summary_title", "Name", a.Name, "From", year, "To", year+1),
		Headers: []string{l.T("consultx.col_category"), l.T("consult.status_new"), l.T("consult.status_progress"), l.T("consult.status_answered"), l.T("consult.status_closed"), l.T("consultx.col_total")},
	}
	slices.Sort(cats)
	for _, cat := range cats {
		row := []render.Cell{render.Text(cat)}
		sum := 0
		for _, s := range []mmo.ConsultStatus{mmo.ConsultNew, mmo.ConsultProgress, mmo.ConsultAnswered, mmo.ConsultClosed} {
			n := counts[key{cat, string(s)}]
			sum += n
			row = append(row, render.Int(n))
		}
		summary.Rows = append(summary.Rows, append(row, render.Int(sum)))
	}
	summary.Footer = []string{l.N("consultx.total", total)}
	if answered > 0 {
		summary.Footer = append(summary.Footer, l.T("consultx.avg_hours", "Hours", strconv.FormatFloat(hours/float64(answered), 'f', 1, 64)))
	}
	plainTable(&list)
	plainTable(&summary)
	data, err := render.XLSX(summary, list)
	if err != nil {
		return err
	}
	r.ReplyDocument("consultations-"+aid(a)+"-"+strconv.Itoa(year)+".xlsx", data, l.T("consultx.caption", "Name", a.Name))
	r.Answer(r.T("export.sending"), false)
	return nil
}

// dueConsultations raises requests that wait too long for an answer and
// closes answered ones the asker left quiet.
func (b *Engine) dueConsultations(r *Request) (bool, error) {
	var due []*mmo.Consultation
	if err := r.Tx.Consultations(func(c *mmo.Consultation) bool {
		if c.Open() {
			due = append(due, c)
		}
		return true
	}); err != nil {
		return false, err
	}
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
