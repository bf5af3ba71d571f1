package boltdb

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mmobot/mmobot/internal/mmo"
)

// migration brings the schema from version i to i+1, where i is its index
// in migrations. The schema version is the number of migrations applied.
type migration struct {
	name string
	up   func(tx *bolt.Tx) error
}

// migrations are applied in order, all pending ones in one transaction, so
// a failure leaves the file as it was. Never edit or reorder an entry that
// has shipped: append a new one.
var migrations = []migration{
	{"create base buckets and the installation secret", migrateBase},
	{"create the audit log", migrateAudit},
	{"create associations, memberships, invitations", migrateAssociations},
	{"create events, answers, reminders, broadcasts", migrateEvents},
	{"create attendance, check-in tokens, minutes", migrateAttendance},
	{"create consultations", migrateConsultations},
	{"create plans, reports, proposals, marks", migrateYear},
	{"move the open cards of events into the sent-message registry", migrateSent},
	{"give users internal ids, and their Telegram ids as accounts", migrateAccounts},
	{"index events by start time", migrateEventsByStart},
	{"index users' attendance and answers", migrateUserIndexes},
	{"index consultations by deadline clock and by time", migrateConsultIndexes},
	{"index plans and reports by kind and school year", migrateDocuments},
	{"index broadcasts by time", migrateBroadcastsByTime},
	{"index coordinators, and sent messages by time", migrateCoordinatorsAndSent},
	{"create surveys", migrateSurveys},
	{"create news", migrateNews},
	{"create the materials bank", migrateMaterials},
	{"create the registers", migrateRegisters},
	{"create the copies of files in other messengers", migrateFileCopies},
	{"create the aliases of merged users", migrateUserAliases},
	{"remember the command menu queued per user", migrateMenuSums},
	{"count members per association; events' state and format in their association index", migrateSummaries},
	{"remember the messages that carry a location or phone button", migrateAsking},
	{"remember the leaders' live views across a restart", migrateLiveViews},
	{"events' creator in their association index", migrateEventCreators},
	{"events' length in their association index", migrateEventLengths},
	{"create the blobs: large files in chunks", migrateBlobs},
}

// SchemaVersion is the version of the schema this build writes.
func SchemaVersion() int { return len(migrations) }

func migrateBase(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketMeta, bucketUsers, bucketDialogs, bucketUpdates, bucketOutbox} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	meta := tx.Bucket(bucketMeta)
	if meta.Get(keySecret) == nil {
		s, err := newSecret()
		if err != nil {
			return err
		}
		return meta.Put(keySecret, s)
	}
	return nil
}

func migrateAudit(tx *bolt.Tx) error {
	_, err := tx.CreateBucketIfNotExists(bucketAudit)
	return err
}

func migrateAssociations(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketAssociations, bucketMembers, bucketUserMembers, bucketInvites, bucketAuditByAssoc} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

func migrateEvents(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketEvents, bucketAssocEvents, bucketRSVPs, bucketReminders, bucketBroadcasts, bucketOutboxKeys} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

func migrateAttendance(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketAttendance, bucketCheckinTokens, bucketMinutes} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

func migrateConsultations(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketConsults, bucketConsultsByAssoc, bucketConsultsByAsker, bucketConsultMessages} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

func migrateYear(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketPlans, bucketReports, bucketProposals, bucketMarks} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

// migrateSent creates the registry of sent messages and moves into it
// where each event's views were open: the leader's card and check-in
// view, which events kept as a Telegram chat and message id
// (leader_card_chat/msg, checkin_card_chat/msg). They become the records
// "card:<event>" and "checkin:<event>", the keys the conversation uses
// for those views. The old fields stay in the events' JSON, unread, until
// an event is next written; nothing else is rewritten.
func migrateSent(tx *bolt.Tx) error {
	sent, err := tx.CreateBucketIfNotExists(bucketSent)
	if err != nil {
		return err
	}
	events := tx.Bucket(bucketEvents)
	if events == nil {
		return nil
	}
	now := time.Now().UTC()
	return events.ForEach(func(k, v []byte) error {
		var old struct {
			LeaderChat  int64 `json:"leader_card_chat"`
			LeaderMsg   int   `json:"leader_card_msg"`
			CheckinChat int64 `json:"checkin_card_chat"`
			CheckinMsg  int   `json:"checkin_card_msg"`
		}
		if err := json.Unmarshal(v, &old); err != nil {
			return fmt.Errorf("event %d: %w", btoi(k), err)
		}
		id := strconv.FormatUint(btoi(k), 10)
		for key, at := range map[string]struct {
			chat int64
			msg  int
		}{"card:" + id: {old.LeaderChat, old.LeaderMsg}, "checkin:" + id: {old.CheckinChat, old.CheckinMsg}} {
			if at.msg == 0 {
				continue
			}
			// The card was opened in a private chat, whose id is its user's.
			s := SentRecord{Messenger: Telegram, Chat: at.chat, Message: strconv.Itoa(at.msg), User: at.chat, At: now}
			if err := putJSON(sent, []byte(key), &s); err != nil {
				return err
			}
		}
		return nil
	})
}

// migrateAccounts makes users' ids the bot's own. Until now a user's id
// was their Telegram user id; each existing user keeps it as their
// internal id, so every record that refers to users (memberships,
// answers, attendance, dialogs, the audit log...) stays valid with no
// rewrite, and gets their Telegram account, indexed. New users get ids
// from the users' sequence, started above the largest id there is.
func migrateAccounts(tx *bolt.Tx) error {
	accounts, err := tx.CreateBucketIfNotExists(bucketAccounts)
	if err != nil {
		return err
	}
	users := tx.Bucket(bucketUsers)
	if users == nil {
		return nil
	}
	type rewrite struct{ k, v []byte }
	var out []rewrite
	err = users.ForEach(func(k, v []byte) error {
		var rec map[string]json.RawMessage
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("user %d: %w", btoi(k), err)
		}
		id := btoi(k)
		acc, err := json.Marshal([]map[string]any{{"messenger": Telegram, "id": id}})
		if err != nil {
			return err
		}
		rec["accounts"] = acc
		data, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		out = append(out, rewrite{append([]byte(nil), k...), data})
		return accounts.Put(accountKey(Telegram, int64(id)), itob(id))
	})
	if err != nil {
		return err
	}
	for _, r := range out {
		if err := users.Put(r.k, r.v); err != nil {
			return err
		}
	}
	if k, _ := users.Cursor().Last(); k != nil && btoi(k) > users.Sequence() {
		return users.SetSequence(btoi(k))
	}
	return nil
}

// The index migrations below build an index from the records already
// stored: a store written before the index existed gets it whole. They
// decode with encoding/json directly, being no operation of the store.

// forEachJSON decodes every record of a bucket into a new T.
func forEachJSON[T any](tx *bolt.Tx, bucket []byte, fn func(*T) error) error {
	return tx.Bucket(bucket).ForEach(func(k, v []byte) error {
		var x T
		if err := json.Unmarshal(v, &x); err != nil {
			return fmt.Errorf("decode %s record %x: %w", bucket, k, err)
		}
		return fn(&x)
	})
}

func migrateEventsByStart(tx *bolt.Tx) error {
	idx, err := tx.CreateBucketIfNotExists(bucketEventsByStart)
	if err != nil {
		return err
	}
	return forEachJSON(tx, bucketEvents, func(e *mmo.Event) error {
		return idx.Put(timeIDKey(e.Start, e.ID), []byte(e.State))
	})
}

func migrateUserIndexes(tx *bolt.Tx) error {
	starts := map[uint64]int64{}
	if err := forEachJSON(tx, bucketEvents, func(e *mmo.Event) error {
		starts[e.ID] = e.Start.Unix()
		return nil
	}); err != nil {
		return err
	}
	att, err := tx.CreateBucketIfNotExists(bucketUserAttendance)
	if err != nil {
		return err
	}
	ans, err := tx.CreateBucketIfNotExists(bucketUserAnswers)
	if err != nil {
		return err
	}
	// A record of an event that is gone has no start to be found by; it
	// is left out, as it was unreachable before.
	if err := forEachJSON(tx, bucketAttendance, func(a *mmo.Attendance) error {
		if s, ok := starts[a.EventID]; ok {
			return att.Put(userEventKey(a.UserID, unixTime(s), a.EventID), []byte(a.Mark))
		}
		return nil
	}); err != nil {
		return err
	}
	return forEachJSON(tx, bucketRSVPs, func(r *mmo.RSVP) error {
		if s, ok := starts[r.EventID]; ok {
			return ans.Put(userEventKey(r.UserID, unixTime(s), r.EventID), answerValue(r))
		}
		return nil
	})
}

func migrateConsultIndexes(tx *bolt.Tx) error {
	due, err := tx.CreateBucketIfNotExists(bucketConsultsDue)
	if err != nil {
		return err
	}
	byTime, err := tx.CreateBucketIfNotExists(bucketConsultsByTime)
	if err != nil {
		return err
	}
	return forEachJSON(tx, bucketConsults, func(c *mmo.Consultation) error {
		if k := consultDueKey(c); k != nil {
			if err := due.Put(k, nil); err != nil {
				return err
			}
		}
		return byTime.Put(timeIDKey(c.CreatedAt, c.ID), nil)
	})
}

func migrateDocuments(tx *bolt.Tx) error {
	docs, err := tx.CreateBucketIfNotExists(bucketDocuments)
	if err != nil {
		return err
	}
	if err := forEachJSON(tx, bucketPlans, func(p *mmo.Plan) error {
		return docs.Put(docKey('p', p.Year, p.AssociationID), []byte(p.Status))
	}); err != nil {
		return err
	}
	return forEachJSON(tx, bucketReports, func(r *mmo.Report) error {
		return docs.Put(docKey('r', r.Year, r.AssociationID), []byte(r.Status))
	})
}

func migrateBroadcastsByTime(tx *bolt.Tx) error {
	idx, err := tx.CreateBucketIfNotExists(bucketBroadcastsByTime)
	if err != nil {
		return err
	}
	return forEachJSON(tx, bucketBroadcasts, func(b *Broadcast) error {
		return idx.Put(timeIDKey(b.CreatedAt, b.ID), nil)
	})
}

// migrate runs the pending migrations. A file written by a newer build is
// refused rather than silently misread.
func (db *DB) migrate() error {
	return migrateTo(db.bolt, migrations)
}

func migrateTo(b *bolt.DB, ms []migration) error {
	return b.Update(func(tx *bolt.Tx) error {
		v := schemaVersion(tx)
		if v > len(ms) {
			return fmt.Errorf("migrate: the database has schema version %d, newer than this build's %d: use a newer mmobot", v, len(ms))
		}
		for i := v; i < len(ms); i++ {
			if err := ms[i].up(tx); err != nil {
				return fmt.Errorf("migrate to version %d (%s): %w", i+1, ms[i].name, err)
			}
		}
		if v == len(ms) {
			return nil
		}
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		return meta.Put(keySchemaVersion, itob(uint64(len(ms))))
	})
}

func schemaVersion(tx *bolt.Tx) int {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0
	}
	return int(btoi(meta.Get(keySchemaVersion)))
}

// Version returns the schema version recorded in the file.
func (db *DB) Version() (int, error) {
	var v int
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v = schemaVersion(tx)
		return nil
	})
	return v, err
}
