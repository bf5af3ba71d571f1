package telegram

import (
	"encoding/json"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/i18n"
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
// failing backup before the day a backup is needed.
func (b *Bot) AlertBackup(a BackupAlert) error {
	err := b.db.Update(func(tx *boltdb.Tx) error {
		for _, id := range b.opt.Admins {
			lang := i18n.Default
			if u, err := tx.User(id); err == nil {
				if u.Blocked {
					continue
				}
				lang = b.cat.Match(u.Lang, u.LanguageCode)
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
			data, err := json.Marshal(&outMsg{Kind: outSend, ChatID: id, Text: text})
			if err != nil {
				return err
			}
			if err := tx.Enqueue(&boltdb.OutboxItem{ChatID: id, Payload: data, Priority: boltdb.PriorityNotice}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	b.out.notify()
	return nil
}
