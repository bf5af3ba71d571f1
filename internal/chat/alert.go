package chat

import (
	"errors"
	"fmt"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/i18n"
	"github.com/mmobot/mmobot/internal/mmo"
)

// BackupAlert is what the administrators are told about the bot's
// scheduled backups: that one failed, or that they work again.
type BackupAlert struct {
	// Err is why the backup failed; nil when backups work again.
	Err error
	// Dir is where backups are written; File the one just written.
	Dir, File string
	// Last is when the last good backup was written (zero: none yet);
	// Retry when the next attempt is made.
	Last, Retry time.Time
}

// AlertBackup queues the alert for every administrator who has not
// blocked the bot, each in their own language. The operator reads the
// log, but the administrator, who is often someone else, must hear of a
// failing backup before the day a backup is needed. An administrator who
// never wrote to the bot is written to through the account the
// configuration names.
func (b *Engine) AlertBackup(a BackupAlert) error {
	err := b.db.Update(func(tx *boltdb.Tx) error {
		r := &Request{bot: b, Tx: tx, Now: b.now(), Update: &Update{}, User: &mmo.User{}}
		for _, acc := range b.opt.Admins {
			lang := i18n.Default
			u, err := tx.UserByAccount(acc.Messenger, acc.ID)
			switch {
			case err == nil && u.Blocked:
				continue
			case err == nil:
				lang = b.cat.Match(u.Lang, u.LanguageCode)
			case !errors.Is(err, mmo.ErrNotFound):
				return fmt.Errorf("load the administrator's account %d: %w", acc.ID, err)
			}
			l := loc{b.cat, lang}
			var text string
			if a.Err != nil {
				last := l.T("ops.backup_none")
				if !a.Last.IsZero() {
					last = b.formatWhen(a.Last, lang)
				}
				text = l.T("ops.backup_failed", "Error", a.Err.Error(), "Dir", a.Dir, "Last", rawArg(last),
					"Retry", rawArg(b.formatWhen(a.Retry, lang)))
			} else {
				text = l.T("ops.backup_recovered", "File", a.File)
			}
			if u != nil {
				r.Send(u.ID, text)
				continue
			}
			r.out = append(r.out, Message{Kind: KindSend, Chat: acc.ChatID(), messenger: acc.Messenger, Text: text})
		}
		return r.commit()
	})
	if err != nil {
		return fmt.Errorf("queue the backup alert: %w", err)
	}
	b.wake()
	return nil
}
