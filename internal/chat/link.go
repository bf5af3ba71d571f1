package chat

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
)

// Links and accounts across messengers: a bot that runs on several
// messengers shows a link of each where a person may pass a link on to
// people on another messenger.

// messengerName is the name of a messenger as people know it.
func (r *Request) messengerName(messenger string) string {
	switch messenger {
	case "max":
		return r.T("max_link.name_max")
	case "telegram":
		return r.T("max_link.name_telegram")
	}
	return messenger
}

// otherLinks is a line per messenger other than the request's with the
// deep link of payload there, "" when the bot runs on one messenger.
func (r *Request) otherLinks(payload string) string {
	s := ""
	for _, t := range r.bot.opt.Transports {
		if t.Messenger == r.Update.Messenger {
			continue
		}
		s += "\n" + r.T("max_link.other_messenger", "Messenger", r.messengerName(t.Messenger), "Link", t.DeepLink(payload))
	}
	return s
}

// Linking accounts: a person on both messengers asks for a one-time code
// in one (/link) and sends it to the bot in the other (/link CODE, or the
// deep link a_CODE). The second account then belongs to the first
// person: one member, one history. Until then the two accounts are two
// people. The second account may be new or not registered yet (a
// registration begun there is dropped); a registered profile with a
// history of its own is merged into the first person's once the person
// confirms it, having seen what moves (link_merge.go).

// linkTTL is how long a code may be used.
const linkTTL = 10 * time.Minute

// linkAlphabet leaves out the letters and digits read alike (0/O, 1/I).
const linkAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// linkCode is what a code stands for, kept in the store's meta bucket
// under "link:<code>", and the person's latest code under "linkof:<id>".
type linkCode struct {
	User    int64     `json:"u"`
	Expires time.Time `json:"e"`
}

func newLinkCode() string {
	b := make([]byte, 8)
	for i := range b {
		b[i] = linkAlphabet[rand.IntN(len(linkAlphabet))]
	}
	return string(b)
}

// cmdLink issues a code, or, with one, links the account of the request
// to the person who asked for it.
func (b *Engine) cmdLink(r *Request) error {
	if code := strings.ToUpper(strings.TrimSpace(r.Args)); code != "" {
		return b.redeemLink(r, code)
	}
	if r.User.Parent() {
		return b.refuseParent(r)
	}
	if !r.User.Registered() {
		r.Reply(r.T("start.need_register"))
		return nil
	}
	if len(b.opt.Transports) < 2 {
		r.Reply(r.T("max_link.one_messenger", "Messenger", r.messengerName(r.Update.Messenger)))
		return nil
	}
	if old := r.Tx.Meta("linkof:" + itoa(r.User.ID)); len(old) > 0 {
		if err := r.Tx.PutMeta("link:"+string(old), nil); err != nil {
			return err
		}
	}
	code := newLinkCode()
	data, err := json.Marshal(linkCode{User: r.User.ID, Expires: r.Now.Add(linkTTL)})
	if err != nil {
		return err
	}
	if err := r.Tx.PutMeta("link:"+code, data); err != nil {
		return fmt.Errorf("store a link code: %w", err)
	}
	if err := r.Tx.PutMeta("linkof:"+itoa(r.User.ID), []byte(code)); err != nil {
		return fmt.Errorf("store a link code: %w", err)
	}
	r.Reply(r.T("max_link.code", "Code", code, "Minutes", int(linkTTL/time.Minute)) + r.otherLinks("a_"+code))
	return nil
}

// openLinkCode opens the deep link of a code.
func (b *Engine) openLinkCode(r *Request, code string) error {
	return b.redeemLink(r, strings.ToUpper(code))
}

// linkOwner reads a linking code: the person who asked for it and the
// account of the request that redeems it; a nil owner if the code is
// unknown, expired or its person gone.
func linkOwner(r *Request, code string) (*mmo.User, mmo.Account, error) {
	acc := mmo.Account{Messenger: r.Update.Messenger, ID: r.Update.From.ID}
	if r.Update.Chat != acc.ID {
		acc.Chat = r.Update.Chat
	}
	raw := r.Tx.Meta("link:" + code)
	var lc linkCode
	if code == "" || len(raw) == 0 || json.Unmarshal(raw, &lc) != nil || r.Now.After(lc.Expires) {
		return nil, acc, nil
	}
	owner, err := r.Tx.User(lc.User)
	if errors.Is(err, mmo.ErrNotFound) {
		return nil, acc, nil
	}
	if err != nil {
		return nil, acc, fmt.Errorf("load user %d: %w", lc.User, err)
	}
	return owner, acc, nil
}

// redeemLink links the request's account to the person of code.
func (b *Engine) redeemLink(r *Request, code string) error {
	r.route = "link:redeem"
	owner, acc, err := linkOwner(r, code)
	if err != nil {
		return err
	}
	if owner == nil {
		r.Reply(r.T("max_link.bad_code"))
		return nil
	}
	switch {
	case r.Known && r.User.ID == owner.ID:
		r.Reply(r.T("max_link.already", "Name", owner.Name))
		return nil
	}
	for _, a := range owner.Accounts {
		if a.Messenger == acc.Messenger {
			r.Reply(r.T("max_link.has_one", "Messenger", r.messengerName(acc.Messenger)))
			return nil
		}
	}
	if r.Known && r.User.Registered() {
		// A profile of its own here: the two are merged once the person
		// has seen what moves (link_merge.go).
		return b.offerMerge(r, owner, code)
	}
	if r.Known {
		// A registration begun here, or a first contact saved: it is
		// not a person of its own.
		if err := r.Tx.DeleteUser(r.User.ID); err != nil {
			return fmt.Errorf("drop user %d: %w", r.User.ID, err)
		}
	}
	if err := r.Tx.PutMeta("link:"+code, nil); err != nil {
		return err
	}
	if err := r.Tx.PutMeta("linkof:"+itoa(owner.ID), nil); err != nil {
		return err
	}
	owner.UseAccount(acc)
	r.User, r.Known = owner, true
	if err := r.SaveUser(); err != nil {
		return err
	}
	r.Lang = r.bot.cat.Match(owner.Lang, owner.LanguageCode)
	r.Role = owner.Role(b.isAdmin(owner))
	r.Reply(r.T("max_link.done", "Name", owner.Name, "Messenger", r.messengerName(acc.Messenger)) + "\n\n" + b.helpText(r))
	return nil
}
