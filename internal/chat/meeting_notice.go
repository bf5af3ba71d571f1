package chat

// A change notice tells what changed, old and new. Once the event changes
// again (even quietly, as a typo fixed), what an earlier notice says is
// no longer true: it is reduced to a pointer to the announcement, the
// one place the meeting lives, so that no message shows stale facts.

import (
	"errors"
	"fmt"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// chgKey names a member's latest change notice of an event.
func chgKey(e *mmo.Event, uid int64) string {
	return "chg:" + eid(e) + ":" + itoa(uid)
}

// outdateNotices reduces every member's latest change notice of the event
// of v to a pointer to its announcement. The notice is named by its id
// when it is known, so that a new notice taking the key does not take
// the edit with it.
func (b *Engine) outdateNotices(r *Request, v *boltdb.EventView) error {
	e := v.Event
	for _, m := range v.Members {
		key := chgKey(e, m.User.ID)
		rec, err := r.Tx.Sent(key)
		if errors.Is(err, mmo.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("load the notice %s: %w", key, err)
		}
		l := r.locOf(m.User)
		text := l.T("conv_forms2.change_outdated", "Title", rawArg(b.viewTitle(l, v)), "Topic", e.Topic)
		kb := [][]Button{{{Label: l.T("conv_change.open"), Verb: verbEvent, Args: []string{eid(e)}}}}
		if rec.Message == "" {
			r.EditKept(key, text, kb...)
			continue
		}
		r.out = append(r.out, Message{Kind: KindEdit, Chat: rec.Chat, messenger: rec.Messenger, User: rec.User, Target: rec.Message, Text: text, Buttons: kb})
		if err := r.Tx.DeleteSent(key); err != nil {
			return err
		}
	}
	return nil
}
