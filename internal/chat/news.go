package chat

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// News verbs (the news area's block in routes.go).
const (
	verbNewsBuild = "nwb" // a button of the announcement form: nonce, action, arg
	verbNewsList  = "nwl" // the announcements a member sees: offset
	verbNewsFiles = "nwf" // the files of announcement id
)

// newsPage is how many announcements /news shows at a time.
const newsPage = 5

// Steps of the announcement form.
const (
	newsStepText     = "text"
	newsStepExtra    = "extra" // a link and files
	newsStepAudience = "audience"
	newsStepConfirm  = "confirm"
)

// cmdAnnounce starts an announcement of a leader or coordinator.
func (b *Engine) cmdAnnounce(r *Request) error {
	list, err := b.managed(r)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		r.Reply(r.T("assoc.none_managed"))
		return nil
	}
	d := mmo.NewDialog(mmo.FlowNews, "", r.Now, b.opt.DialogIdle)
	nd, err := r.saveNews(&d, newsStepText, &mmo.News{AuthorID: r.User.ID})
	if err != nil {
		return err
	}
	r.Reply(r.T("news.ask_text"), r.cancelButton(nd.Nonce))
	return nil
}

func newsDraft(d *mmo.Dialog) *mmo.News {
	var n mmo.News
	_ = json.Unmarshal([]byte(d.Draft["n"]), &n) // written by saveNews only
	return &n
}

func (r *Request) saveNews(d *mmo.Dialog, step string, n *mmo.News) (mmo.Dialog, error) {
	data, err := json.Marshal(n)
	if err != nil {
		return mmo.Dialog{}, fmt.Errorf("encode a news draft: %w", err)
	}
	return r.advance(d, step, map[string]string{"n": string(data)})
}

// newsError explains an announcement's text, link or file refused.
func newsError(r *Request, err error) string {
	var e *mmo.Error
	if errors.As(err, &e) {
		switch e.Code {
		case mmo.CodeInsecureLink:
			return r.T("news.insecure_link")
		case mmo.CodeFileTooLarge:
			return r.T("news.file_too_large", "Max", e.Limit)
		case mmo.CodeTooManyFiles:
			return r.T("news.too_many_files", "Max", e.Limit)
		case mmo.CodeInvalid:
			if e.Field == mmo.FieldLink {
				return r.T("news.bad_link")
			}
		}
	}
	return validationMessage(r, err)
}

// dialogNews takes the typed steps of an announcement: its text, then a
// link and files.
func (b *Engine) dialogNews(r *Request, d *mmo.Dialog) error {
	n := newsDraft(d)
	att, other := attachmentOf(r.Update)
	switch d.Step {
	case newsStepText:
		if att != nil || other || r.Text == "" {
			r.Reply(r.T("dialog.text_expected"))
			return nil
		}
		text, err := mmo.ValidateNewsText(r.Text)
		if err != nil {
			r.Reply(newsError(r, err))
			return nil
		}
		n.Text = text
	case newsStepExtra:
		switch {
		case att != nil:
			files, err := mmo.AddNewsFile(n.Files, mmo.NewsFile{Attachment: *att, Size: r.Update.File.Size})
			if err != nil {
				r.Reply(newsError(r, err))
				return nil
			}
			n.Files = files
		case other || r.Text == "":
			r.Reply(r.T("news.not_supported"))
			return nil
		default:
			link, err := mmo.ValidateNewsLink(r.Text)
			if err != nil {
				r.Reply(newsError(r, err))
				return nil
			}
			n.Link = link
		}
	default:
		r.Reply(r.T("create.press_button"))
		return nil
	}
	nd, err := r.saveNews(d, newsStepExtra, n)
	if err != nil {
		return err
	}
	link := r.T("news.no_link")
	if n.Link != "" {
		link = esc(n.Link)
	}
	r.Reply(r.T("news.ask_extra", "Files", rawArg(r.N("news_count.files", len(n.Files))), "Link", rawArg(link), "Max", mmo.NewsFiles),
		[]Button{r.Button(r.T("news.extra_done"), verbNewsBuild, itoa(int64(nd.Nonce)), "d")}, r.cancelButton(nd.Nonce))
	return nil
}

func (b *Engine) onNewsBuild(r *Request) error {
	d, ok, err := r.flowButton(mmo.FlowNews)
	if !ok {
		return err
	}
	n := newsDraft(d)
	action, arg := r.Press.Arg(1), r.Press.Arg(2)
	switch {
	case d.Step == newsStepExtra && action == "d":
		r.Edit(r.T("news.extra_chosen", "Files", rawArg(r.N("news_count.files", len(n.Files)))))
		return b.askNewsAudience(r, d, n, false, 0)
	case d.Step == newsStepAudience && action == "t":
		all, ids, ok, err := toggleAudience(r, n.All, n.AssociationIDs, arg)
		if !ok {
			return err
		}
		n.All, n.AssociationIDs = all, ids
		return b.askNewsAudience(r, d, n, true, pageArg(r.Press.Arg(3)))
	case d.Step == newsStepAudience && action == "p":
		return b.askNewsAudience(r, d, n, true, pageArg(arg))
	case d.Step == newsStepAudience && action == "ok":
		if !n.All && len(n.AssociationIDs) == 0 {
			r.Answer(r.T("survey.audience_empty"), true)
			return nil
		}
		return b.confirmNews(r, d, n)
	case d.Step == newsStepConfirm && action == "go":
		return b.sendNews(r, n)
	case d.Step == newsStepConfirm && action == "x":
		r.Edit(r.T("news.cancelled"))
		return r.EndDialog()
	}
	return r.stale()
}

// newsAudience is the survey of the same audience, whose helpers tell
// whom an announcement goes to.
func newsAudience(n *mmo.News) *mmo.Survey {
	return &mmo.Survey{AuthorID: n.AuthorID, All: n.All, AssociationIDs: n.AssociationIDs}
}

func (b *Engine) askNewsAudience(r *Request, d *mmo.Dialog, n *mmo.News, edit bool, at int) error {
	nd, err := r.saveNews(d, newsStepAudience, n)
	if err != nil {
		return err
	}
	nonce := itoa(int64(nd.Nonce))
	kb, p, err := b.audienceRows(r, n.All, n.AssociationIDs, verbNewsBuild, nonce, at)
	if err != nil {
		return err
	}
	kb = append(kb, []Button{r.Button(r.T("survey.audience_ok"), verbNewsBuild, nonce, "ok")}, r.cancelButton(nd.Nonce))
	text := audienceText(r, "news.ask_audience", n.AssociationIDs, p)
	if edit {
		r.Edit(text, kb...)
	} else {
		r.Reply(text, kb...)
	}
	return nil
}

// confirmNews shows the announcement as its readers will see it, and the
// number of recipients; an announcement to every teacher says so plainly.
func (b *Engine) confirmNews(r *Request, d *mmo.Dialog, n *mmo.News) error {
	nd, err := r.saveNews(d, newsStepConfirm, n)
	if err != nil {
		return err
	}
	to, err := b.surveyAudience(r, newsAudience(n))
	if err != nil {
		return err
	}
	names, err := b.audienceNames(r, newsAudience(n))
	if err != nil {
		return err
	}
	r.Edit(r.T("news.audience_chosen", "Names", names))
	key := "news.confirm"
	if n.All {
		key = "news.confirm_all"
	}
	nonce := itoa(int64(nd.Nonce))
	n.CreatedAt = r.Now // the preview's date; sending sets it again
	r.Reply(b.newsText(r.loc(), n, r.User)+"\n\n"+r.T(key, "Names", names, "Recipients", rawArg(r.N("survey_count.recipients", len(to))),
		"Files", rawArg(r.N("news_count.files", len(n.Files)))),
		[]Button{r.Button(r.T("news.send"), verbNewsBuild, nonce, "go")},
		[]Button{r.Button(r.T("survey.cancel"), verbNewsBuild, nonce, "x")})
	return nil
}

// newsText is an announcement as its readers see it.
func (b *Engine) newsText(l loc, n *mmo.News, author *mmo.User) string {
	text := l.T("news.head", "Author", author.Name, "Date", b.date(n.CreatedAt)) + "\n\n" + esc(n.Text)
	if n.Link != "" {
		text += "\n\n🔗 " + esc(n.Link)
	}
	return text
}

// sendNews stores the announcement and sends it through the paced
// outbox: its text as one broadcast, whose delivery count the author
// sees, and its files after it.
func (b *Engine) sendNews(r *Request, n *mmo.News) error {
	if err := r.EndDialog(); err != nil {
		return err
	}
	for _, id := range n.AssociationIDs { // rights may have changed since
		a, err := r.Tx.Association(id)
		if err != nil || !r.canManage(a) {
			return r.notYours()
		}
	}
	if n.All && r.Role < mmo.RoleCoordinator {
		return r.notYours()
	}
	to, err := b.surveyAudience(r, newsAudience(n))
	if err != nil {
		return err
	}
	n.AuthorID, n.CreatedAt, n.Recipients = r.User.ID, r.Now, len(to)
	bc := &boltdb.Broadcast{Kind: "news", Total: len(to)}
	if err := r.Tx.CreateBroadcast(bc); err != nil {
		return err
	}
	n.Broadcast = bc.ID
	if err := r.Tx.CreateNews(n); err != nil {
		return fmt.Errorf("create news: %w", err)
	}
	for _, u := range to {
		if u.Blocked {
			bc.Blocked++
			continue
		}
		l := r.locOf(u)
		var kb [][]Button
		if n.Link != "" {
			kb = append(kb, []Button{{Label: l.T("news.open_link"), URL: n.Link}})
		}
		r.out = append(r.out, Message{Kind: KindSend, to: u.ID, Text: b.newsText(l, n, r.User), Buttons: kb, broadcast: bc.ID, bulk: true})
		for _, f := range n.Files {
			m := attachment(f.Attachment, "")
			m.to, m.bulk = u.ID, true
			r.out = append(r.out, m)
		}
	}
	if err := r.Tx.PutBroadcast(bc); err != nil {
		return err
	}
	r.Edit(r.T("news.sent", "Recipients", rawArg(r.N("survey_count.recipients", len(to)))))
	return nil
}

// cmdNews shows a member the latest announcements to them.
func (b *Engine) cmdNews(r *Request) error { return b.showNews(r, 0) }

// onNewsList shows older announcements; a home screen's «Новости»
// button leads here with offset 0.
func (b *Engine) onNewsList(r *Request) error {
	off, _ := strconv.Atoi(r.Press.Arg(0))
	return b.showNews(r, max(off, 0))
}

// showNews sends the announcements to the user from offset on, newest
// first, each with its link and files; to the author, with its delivery.
func (b *Engine) showNews(r *Request, offset int) error {
	ms, err := r.Tx.UserMemberships(r.User.ID)
	if err != nil {
		return err
	}
	var mine []uint64
	for _, m := range ms {
		if m.State == mmo.MemberActive {
			mine = append(mine, m.AssociationID)
		}
	}
	var list []*mmo.News
	seen := 0
	more := false
	if err := r.Tx.LatestNews(func(n *mmo.News) bool {
		if !n.For(r.User.ID, mine) {
			return true
		}
		seen++
		if seen <= offset {
			return true
		}
		if len(list) == newsPage {
			more = true
			return false
		}
		list = append(list, n)
		return true
	}); err != nil {
		return err
	}
	if len(list) == 0 {
		r.Reply(r.T("news.none"), r.homeRow())
		return nil
	}
	l := r.loc()
	for i, n := range list {
		name := l.T("audit.deleted_user")
		author, err := r.Tx.User(n.AuthorID)
		if err == nil {
			name = author.Name
		} else {
			author = &mmo.User{Name: name}
		}
		text := b.newsText(l, n, author)
		if n.AuthorID == r.User.ID {
			if bc, err := r.Tx.Broadcast(n.Broadcast); err == nil {
				text += "\n\n" + l.T("news.delivery", "Delivered", bc.Delivered, "Total", bc.Total, "Blocked", bc.Blocked+bc.Failed)
			}
		}
		var kb [][]Button
		if n.Link != "" {
			kb = append(kb, []Button{{Label: l.T("news.open_link"), URL: n.Link}})
		}
		if len(n.Files) > 0 {
			kb = append(kb, []Button{r.Button(l.N("news_count.files_button", len(n.Files)), verbNewsFiles, strconv.FormatUint(n.ID, 10))})
		}
		if i == len(list)-1 {
			if more {
				kb = append(kb, []Button{r.Button(l.T("news.older"), verbNewsList, strconv.Itoa(offset+newsPage))})
			}
			kb = append(kb, r.homeRow())
		}
		r.Reply(text, kb...)
	}
	return nil
}

// onNewsFiles sends the files of an announcement to one of its readers.
func (b *Engine) onNewsFiles(r *Request) error {
	id, err := strconv.ParseUint(r.Press.Arg(0), 10, 64)
	if err != nil {
		return r.stale()
	}
	n, err := r.Tx.News(id)
	if errors.Is(err, mmo.ErrNotFound) {
		return r.stale()
	}
	if err != nil {
		return fmt.Errorf("load news %d: %w", id, err)
	}
	ms, err := r.Tx.UserMemberships(r.User.ID)
	if err != nil {
		return err
	}
	var mine []uint64
	for _, m := range ms {
		if m.State == mmo.MemberActive {
			mine = append(mine, m.AssociationID)
		}
	}
	if !n.For(r.User.ID, mine) && r.Role < mmo.RoleCoordinator {
		r.Answer(r.T("news.not_yours"), true)
		return nil
	}
	for _, f := range n.Files {
		r.replyAttachment(f.Attachment, "")
	}
	return nil
}

// NewsButton is the «Новости» button of a home screen: it shows the
// latest announcements to the person, as /news does.
func (r *Request) NewsButton() Button {
	return r.Button(r.T("news.button"), verbNewsList, "0")
}
