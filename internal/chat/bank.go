package chat

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
)

// Materials bank verbs (the bank area's block in routes.go).
const (
	verbBankIn      = "bki" // share with association id
	verbBankBuild   = "bkb" // a button of the share form: nonce, action, arg
	verbBankDecide  = "bkd" // the leader approves (y) or declines (n) material id
	verbBankKind    = "bkk" // search by kind
	verbBankGet     = "bkg" // send material id
	verbBankPending = "bkp" // the leader's list of materials waiting
)

// bankResults is how many materials a search lists.
const bankResults = 10

// Steps of sharing a material.
const (
	bankStepFile    = "file"
	bankStepTitle   = "title"
	bankStepKind    = "kind"
	bankStepEvent   = "event"
	bankStepItem    = "item"
	bankStepSubject = "subject"
	bankStepTags    = "tags"
)

// cmdShare lets a member share a material with their association's bank.
func (b *Engine) cmdShare(r *Request) error {
	return b.chooseMembership(r, verbBankIn, "bank.choose", "bank.no_association", b.startShare)
}

func (b *Engine) onBankIn(r *Request) error {
	a, ok, err := r.memberOf(0)
	if !ok {
		return err
	}
	return b.startShare(r, a)
}

func (b *Engine) startShare(r *Request, a *mmo.Association) error {
	d := mmo.NewDialog(mmo.FlowBankShare, "", r.Now, b.opt.DialogIdle)
	d.Draft["aid"] = aid(a)
	nd, err := r.saveMaterial(&d, bankStepFile, &mmo.Material{AssociationID: a.ID, AuthorID: r.User.ID})
	if err != nil {
		return err
	}
	r.Reply(r.T("bank.ask_file", "Name", a.Name, "Max", mmo.NewsFileMax>>20), r.cancelButton(nd.Nonce))
	return nil
}

func materialDraft(d *mmo.Dialog) *mmo.Material {
	var m mmo.Material
	_ = json.Unmarshal([]byte(d.Draft["m"]), &m) // written by saveMaterial only
	return &m
}

func (r *Request) saveMaterial(d *mmo.Dialog, step string, m *mmo.Material) (mmo.Dialog, error) {
	data, err := json.Marshal(m)
	if err != nil {
		return mmo.Dialog{}, fmt.Errorf("encode a material draft: %w", err)
	}
	return r.advance(d, step, map[string]string{"m": string(data)})
}

// dialogBankShare takes the typed steps of sharing: the file or link, the
// title, the subject, the tags.
func (b *Engine) dialogBankShare(r *Request, d *mmo.Dialog) error {
	m := materialDraft(d)
	a, err := r.Tx.Association(m.AssociationID)
	if err != nil {
		return fmt.Errorf("load association %d: %w", m.AssociationID, err)
	}
	att, other := attachmentOf(r.Update)
	if d.Step != bankStepFile && (att != nil || other) {
		r.Reply(r.T("dialog.text_expected"))
		return nil
	}
	switch d.Step {
	case bankStepFile:
		switch {
		case att != nil:
			if r.Update.File.Size > mmo.NewsFileMax {
				r.Reply(r.T("news.file_too_large", "Max", mmo.NewsFileMax>>20))
				return nil
			}
			m.File = &mmo.NewsFile{Attachment: *att, Size: r.Update.File.Size}
			if t := strings.TrimSpace(r.Update.Caption); t != "" {
				m.Title = t
			}
		case other || r.Text == "":
			r.Reply(r.T("news.not_supported"))
			return nil
		default:
			link, err := mmo.ValidateNewsLink(r.Text)
			if err != nil {
				r.Reply(newsError(r, err))
				return nil
			}
			m.Link = link
		}
		nd, err := r.saveMaterial(d, bankStepTitle, m)
		if err != nil {
			return err
		}
		r.Reply(r.T("bank.ask_title"), r.cancelButton(nd.Nonce))
	case bankStepTitle:
		if r.Text == "" {
			r.Reply(r.T("dialog.text_expected"))
			return nil
		}
		title, err := mmo.ValidateLongText("title", r.Text, 3, mmo.MaterialTitleMax)
		if err != nil {
			r.Reply(validationMessage(r, err))
			return nil
		}
		m.Title = title
		nd, err := r.saveMaterial(d, bankStepKind, m)
		if err != nil {
			return err
		}
		nonce := itoa(int64(nd.Nonce))
		var kb [][]Button
		for _, k := range mmo.MaterialKinds {
			kb = append(kb, []Button{r.Button(r.T("bank_kind."+string(k)), verbBankBuild, nonce, "k", string(k))})
		}
		r.Reply(r.T("bank.ask_kind"), kb...)
	case bankStepSubject:
		subject, err := mmo.ValidateLongText("subject", r.Text, 2, mmo.MaterialSubjectMax)
		if err != nil {
			r.Reply(validationMessage(r, err))
			return nil
		}
		m.Subject = subject
		return b.askTags(r, d, m)
	case bankStepTags:
		tags, err := mmo.ParseTags(r.Text)
		if err != nil {
			r.Reply(r.T("bank.bad_tags", "Max", mmo.MaterialTags, "Len", mmo.MaterialTagMax))
			return nil
		}
		m.Tags = tags
		return b.saveShared(r, a, m)
	default:
		r.Reply(r.T("create.press_button"))
	}
	return nil
}

func (b *Engine) onBankBuild(r *Request) error {
	d, ok, err := r.flowButton(mmo.FlowBankShare)
	if !ok {
		return err
	}
	m := materialDraft(d)
	a, err := r.Tx.Association(m.AssociationID)
	if err != nil {
		return fmt.Errorf("load association %d: %w", m.AssociationID, err)
	}
	action, arg := r.Press.Arg(1), r.Press.Arg(2)
	switch {
	case d.Step == bankStepKind && action == "k":
		k := mmo.MaterialKind(arg)
		if !mmo.ValidMaterialKind(k) {
			return r.stale()
		}
		m.Kind = k
		r.Edit(r.T("bank.kind_chosen", "Kind", r.T("bank_kind."+arg)))
		if k == mmo.MaterialTheses {
			return b.askThesesEvent(r, d, m, a)
		}
		return b.askSubject(r, d, m, a)
	case d.Step == bankStepEvent && action == "e":
		eid, err := strconv.ParseUint(arg, 10, 64)
		if err != nil {
			return r.stale()
		}
		if eid == 0 {
			r.Edit(r.T("bank.no_event"))
			return b.askSubject(r, d, m, a)
		}
		e, err := r.Tx.Event(eid)
		if err != nil || e.AssociationID != a.ID {
			return r.stale()
		}
		m.EventID = e.ID
		items := mmo.AgendaItems(e.Agenda)
		if len(items) == 0 {
			r.Edit(r.T("bank.event_chosen", "Topic", e.Topic, "Date", b.date(e.Start)))
			return b.askSubject(r, d, m, a)
		}
		nd, err := r.saveMaterial(d, bankStepItem, m)
		if err != nil {
			return err
		}
		nonce := itoa(int64(nd.Nonce))
		var kb [][]Button
		for i, it := range items {
			kb = append(kb, []Button{r.Button(strconv.Itoa(i+1)+". "+it, verbBankBuild, nonce, "i", strconv.Itoa(i+1))})
		}
		r.Edit(r.T("bank.ask_item", "Topic", e.Topic, "Date", b.date(e.Start)), kb...)
	case d.Step == bankStepItem && action == "i":
		e, err := r.Tx.Event(m.EventID)
		if err != nil {
			return r.stale()
		}
		items := mmo.AgendaItems(e.Agenda)
		n, err := strconv.Atoi(arg)
		if err != nil || n < 1 || n > len(items) {
			return r.stale()
		}
		m.AgendaItem = n
		r.Edit(r.T("bank.item_chosen", "Topic", e.Topic, "Date", b.date(e.Start), "Item", items[n-1]))
		return b.askSubject(r, d, m, a)
	case d.Step == bankStepSubject && action == "s":
		m.Subject = a.Subject
		r.Edit(r.T("bank.subject_chosen", "Subject", a.Subject))
		return b.askTags(r, d, m)
	default:
		return r.stale()
	}
	return nil
}

// askThesesEvent asks which заседание theses were given at: the
// association's events of the last four months and the coming month.
func (b *Engine) askThesesEvent(r *Request, d *mmo.Dialog, m *mmo.Material, a *mmo.Association) error {
	nd, err := r.saveMaterial(d, bankStepEvent, m)
	if err != nil {
		return err
	}
	events, err := r.Tx.AssociationEvents(a.ID, r.Now.Add(-120*24*time.Hour), r.Now.Add(31*24*time.Hour))
	if err != nil {
		return err
	}
	nonce := itoa(int64(nd.Nonce))
	var kb [][]Button
	for i := len(events) - 1; i >= 0 && len(kb) < 8; i-- {
		e := events[i]
		if e.State != mmo.EventPublished {
			continue
		}
		kb = append(kb, []Button{r.Button(b.date(e.Start)+" "+e.Topic, verbBankBuild, nonce, "e", strconv.FormatUint(e.ID, 10))})
	}
	kb = append(kb, []Button{r.Button(r.T("bank.without_event"), verbBankBuild, nonce, "e", "0")})
	r.Reply(r.T("bank.ask_event"), kb...)
	return nil
}

func (b *Engine) askSubject(r *Request, d *mmo.Dialog, m *mmo.Material, a *mmo.Association) error {
	nd, err := r.saveMaterial(d, bankStepSubject, m)
	if err != nil {
		return err
	}
	r.Reply(r.T("bank.ask_subject"), []Button{r.Button(a.Subject, verbBankBuild, itoa(int64(nd.Nonce)), "s")}, r.cancelButton(nd.Nonce))
	return nil
}

func (b *Engine) askTags(r *Request, d *mmo.Dialog, m *mmo.Material) error {
	nd, err := r.saveMaterial(d, bankStepTags, m)
	if err != nil {
		return err
	}
	r.Reply(r.T("bank.ask_tags"), r.skipRow(nd, r.T("doc_minutes.skip_button")), r.cancelButton(nd.Nonce))
	return nil
}

// saveShared files the material: visible at once when its association's
// leader (or a coordinator) shares it, else waiting for the leader.
func (b *Engine) saveShared(r *Request, a *mmo.Association, m *mmo.Material) error {
	if err := r.EndDialog(); err != nil {
		return err
	}
	m.AuthorID, m.CreatedAt, m.State = r.User.ID, r.Now, mmo.MaterialPending
	if r.canManage(a) {
		m.State, m.DecidedBy = mmo.MaterialApproved, r.User.ID
	}
	if err := r.Tx.CreateMaterial(m); err != nil {
		return fmt.Errorf("save a material: %w", err)
	}
	if m.State == mmo.MaterialApproved {
		r.Reply(r.T("bank.saved", "Title", m.Title))
		return nil
	}
	r.Reply(r.T("bank.sent_for_approval", "Title", m.Title, "Name", a.Name))
	if leader, err := r.Tx.User(a.LeaderID); err == nil && a.LeaderID != 0 && !leader.Blocked {
		l := r.locOf(leader)
		text, kb := b.materialCard(r, l, m, true)
		r.Send(leader.ID, l.T("bank.to_approve", "Name", r.User.Name, "Association", a.Name)+"\n\n"+text, kb...)
	}
	return nil
}

// materialCard describes a material, with the button that sends it and,
// for the leader deciding, approve and decline.
func (b *Engine) materialCard(r *Request, l loc, m *mmo.Material, decide bool) (string, [][]Button) {
	id := strconv.FormatUint(m.ID, 10)
	author := l.T("audit.deleted_user")
	if u, err := r.Tx.User(m.AuthorID); err == nil {
		author = u.Name
	}
	text := l.T("bank.card", "Title", m.Title, "Kind", l.T("bank_kind."+string(m.Kind)), "Subject", m.Subject, "Author", author)
	if len(m.Tags) > 0 {
		text += "\n" + l.T("bank.tags", "Tags", "#"+strings.Join(m.Tags, " #"))
	}
	kb := [][]Button{{r.Button(l.T("bank.get"), verbBankGet, id)}}
	if decide {
		kb = append(kb, []Button{r.Button(l.T("bank.approve"), verbBankDecide, id, "y"), r.Button(l.T("bank.decline"), verbBankDecide, id, "n")})
	}
	return text, kb
}

// loadMaterial loads the material of the pressed button's argument 0.
func (r *Request) loadMaterial() (*mmo.Material, *mmo.Association, bool, error) {
	id, err := strconv.ParseUint(r.Press.Arg(0), 10, 64)
	if err != nil {
		return nil, nil, false, r.stale()
	}
	m, err := r.Tx.Material(id)
	if errors.Is(err, mmo.ErrNotFound) {
		return nil, nil, false, r.stale()
	}
	if err != nil {
		return nil, nil, false, fmt.Errorf("load material %d: %w", id, err)
	}
	a, err := r.Tx.Association(m.AssociationID)
	if err != nil {
		return nil, nil, false, fmt.Errorf("load association %d: %w", m.AssociationID, err)
	}
	return m, a, true, nil
}

// onBankDecide approves or declines a material another member shared.
func (b *Engine) onBankDecide(r *Request) error {
	m, a, ok, err := r.loadMaterial()
	if !ok {
		return err
	}
	if !r.canManage(a) {
		return r.notYours()
	}
	if m.State != mmo.MaterialPending {
		r.Answer(r.T("bank.decided"), true)
		return nil
	}
	key := "bank.approved"
	m.State = mmo.MaterialApproved
	if r.Press.Arg(1) == "n" {
		m.State, key = mmo.MaterialDeclined, "bank.declined"
	}
	m.DecidedBy = r.User.ID
	if err := r.Tx.PutMaterial(m); err != nil {
		return fmt.Errorf("save material %d: %w", m.ID, err)
	}
	r.Edit(r.T(key, "Title", m.Title))
	r.notifyID(m.AuthorID, key+"_notice", "Title", m.Title, "Name", a.Name)
	return nil
}

// onBankPending lists the materials waiting for the leader's decision.
func (b *Engine) onBankPending(r *Request) error {
	n := 0
	err := r.Tx.Materials(func(m *mmo.Material) bool {
		if m.State != mmo.MaterialPending {
			return true
		}
		if a, err := r.Tx.Association(m.AssociationID); err == nil && r.canManage(a) {
			text, kb := b.materialCard(r, r.loc(), m, true)
			r.Reply(text, kb...)
			n++
		}
		return true
	})
	if err == nil && n == 0 {
		r.reply(r.T("bank.none_pending"))
	}
	return err
}

// onBankGet sends a material: its file, or its link.
func (b *Engine) onBankGet(r *Request) error {
	m, a, ok, err := r.loadMaterial()
	if !ok {
		return err
	}
	if !m.Visible(r.User.ID, r.canManage(a)) {
		return r.stale()
	}
	if m.File != nil {
		r.replyAttachment(m.File.Attachment, m.Title)
		return nil
	}
	r.Reply(esc(m.Title)+"\n"+esc(m.Link), []Button{{Label: r.T("news.open_link"), URL: m.Link}})
	return nil
}

// cmdBank opens the bank: search by words (typed) or by kind (buttons).
func (b *Engine) cmdBank(r *Request) error {
	d := mmo.NewDialog(mmo.FlowBankSearch, "words", r.Now, b.opt.DialogIdle)
	if err := r.PutDialog(d); err != nil {
		return err
	}
	var kb [][]Button
	for _, k := range mmo.MaterialKinds {
		kb = append(kb, []Button{r.Button(r.T("bank_kind."+string(k)), verbBankKind, string(k))})
	}
	if r.Role >= mmo.RoleLeader {
		kb = append(kb, []Button{r.Button(r.T("bank.pending"), verbBankPending)})
	}
	r.Reply(r.T("bank.search"), append(kb, r.homeRow())...)
	return nil
}

// dialogBankSearch searches the bank for the typed words; the search stays
// open for the next words.
func (b *Engine) dialogBankSearch(r *Request, d *mmo.Dialog) error {
	if r.Text == "" {
		r.Reply(r.T("dialog.text_expected"))
		return nil
	}
	q := mmo.ParseQuery(r.Text)
	if k := mmo.MaterialKind(d.Draft["kind"]); mmo.ValidMaterialKind(k) {
		q.Kind = k
	}
	return b.searchBank(r, q)
}

func (b *Engine) onBankKind(r *Request) error {
	k := mmo.MaterialKind(r.Press.Arg(0))
	if !mmo.ValidMaterialKind(k) {
		return r.stale()
	}
	d := mmo.NewDialog(mmo.FlowBankSearch, "words", r.Now, b.opt.DialogIdle)
	d.Draft["kind"] = string(k)
	if err := r.PutDialog(d); err != nil {
		return err
	}
	return b.searchBank(r, mmo.MaterialQuery{Kind: k})
}

// searchBank lists what the user may see that answers the query, newest
// first, each a tap away.
func (b *Engine) searchBank(r *Request, q mmo.MaterialQuery) error {
	var found []*mmo.Material
	total := 0
	manage := map[uint64]bool{}
	err := r.Tx.Materials(func(m *mmo.Material) bool {
		can, seen := manage[m.AssociationID]
		if !seen {
			if a, err := r.Tx.Association(m.AssociationID); err == nil {
				can = r.canManage(a)
			}
			manage[m.AssociationID] = can
		}
		if !m.Visible(r.User.ID, can) || !q.Matches(m) {
			return true
		}
		total++
		if len(found) < bankResults {
			found = append(found, m)
		}
		return true
	})
	if err != nil {
		return err
	}
	if total == 0 {
		r.Reply(r.T("bank.nothing"))
		return nil
	}
	var sb strings.Builder
	sb.WriteString(r.T("bank.found", "N", total, "Shown", len(found)))
	var kb [][]Button
	var row []Button
	for i, m := range found {
		mark := ""
		if m.State == mmo.MaterialPending {
			mark = " " + r.T("bank.pending_mark")
		}
		fmt.Fprintf(&sb, "\n%d. %s — %s, %s%s", i+1, esc(m.Title), esc(r.T("bank_kind."+string(m.Kind))), esc(m.Subject), mark)
		row = append(row, r.Button(strconv.Itoa(i+1), verbBankGet, strconv.FormatUint(m.ID, 10)))
		if len(row) == 5 {
			kb, row = append(kb, row), nil
		}
	}
	if len(row) > 0 {
		kb = append(kb, row)
	}
	sb.WriteString("\n\n" + r.T("bank.tap"))
	r.Reply(sb.String(), kb...)
	return nil
}
