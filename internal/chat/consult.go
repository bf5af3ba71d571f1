package chat

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/mmobot/mmobot/internal/mmo"
)

// Callback verbs of consultations.
const (
	verbAskIn        = "qa" // ask in an association: aid
	verbAskCategory  = "qc" // nonce, category index
	verbAskDone      = "qd" // attachments done (or none): nonce
	verbAskForm      = "qf" // nonce, chat|phone|meeting
	verbAskCancel    = "qb" // leave the request form: nonce
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
	case "cat:p_learning", "cat:p_exams", "cat:p_contests", "cat:p_help", "cat:p_other":
		return l.T("conv_ask." + strings.TrimPrefix(c, "cat:"))
	}
	return c
}

// parentCategories are the built-in topics of those who ask through the
// public link, parents mostly: their words, not a teacher's.
var parentCategories = []string{"cat:p_learning", "cat:p_exams", "cat:p_contests", "cat:p_help", "cat:p_other"}

// categoriesFor returns the topics offered to an asker in association a:
// a member's, or the public link's (the association's own, else the
// deployment's, parent-friendly by default).
func (b *Engine) categoriesFor(member bool, a *mmo.Association) []string {
	if member {
		return b.categories()
	}
	if a != nil && len(a.ParentTopics) > 0 {
		return a.ParentTopics
	}
	return b.parentDefaults()
}

// parentDefaults are the public link's topics of an association that set
// none of its own.
func (b *Engine) parentDefaults() []string {
	if len(b.opt.ParentCategories) > 0 {
		return b.opt.ParentCategories
	}
	return parentCategories
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
		return nil, nil, access{}, false, fmt.Errorf("load consultation %d: %w", id, err)
	}
	a, err := r.Tx.Association(c.AssociationID)
	if err != nil {
		return nil, nil, access{}, false, fmt.Errorf("load association %d of consultation %d: %w", c.AssociationID, id, err)
	}
	x := r.consultAccess(c, a)
	if !x.Any() {
		r.Answer(r.T("consult.not_yours"), true)
		return nil, nil, access{}, false, nil
	}
	return c, a, x, true, nil
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
	if r.fromDigest() {
		// The digest stays for its other lines: the request opens below.
		r.Reply(text, kb...)
		return nil
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
		sb.WriteString("\n\n<b>" + who + "</b> (" + b.dateTimeIn(l.lang, m.At) + "):\n" + esc(body))
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
	from := att.Messenger
	if from == "" {
		from = "telegram"
	}
	return Message{Kind: kind, FileID: att.FileID, FileFrom: from, FileName: att.Name, Text: caption}
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

// cmdRequests lists the user's own requests and, for those who answer
// them, the open requests of their associations.
func (b *Engine) cmdRequests(r *Request) error {
	if !r.User.Registered() && !r.User.Parent() {
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
		if r.Role >= mmo.RoleMember && r.Role < mmo.RoleLeader {
			// The way to ask as a button, as on the home screen (leaders
			// answer questions rather than ask them).
			kb = append(kb, []Button{r.Button(l.T("conv_home.ask"), verbHome, "ask")})
		}
	}
	if len(kb) > 50 {
		kb = kb[:50]
	}
	return sb.String(), append(kb, r.homeRow()), nil
}
