package chat

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// Due queues what is due: check-in buttons of events whose window
// opened, reminders, consultations' deadlines and the daily jobs. Each
// reminder is marked in the transaction that queues it, so none is ever
// sent twice; one that fell due while the bot was down is sent now, unless
// the event has begun. When several fell due (the bot was down long), only
// the nearest to the start goes out.
//
// What can fall due is found through the store's indexes (events by start
// time, requests by the time their clock started), so a scan costs what
// is due, not what was ever stored. The scan first looks in a read
// transaction and takes the write lock only when something is due; the
// daily digest, which reads every association's year, is drawn up before
// the write transaction too. A school year removed by retention goes
// after the commit, a few short transactions per scan (see purgeSome).
//
// It returns the clock time the scan went by, whether it queued any
// message and whether it wrote to the store.
func (b *Engine) Due() (now time.Time, queued, wrote bool, err error) {
	now = b.now()
	var look dueSet
	if err := b.db.View(func(tx *boltdb.Tx) error {
		var err error
		look, err = b.findDue(tx, now)
		return err
	}); err != nil {
		return now, false, false, fmt.Errorf("due scan at %s: %w", now.Format(time.RFC3339), err)
	}
	if !look.empty() {
		wrote = true
		queued, err = b.actDue(now, look)
		if err != nil {
			return now, false, wrote, fmt.Errorf("due scan at %s: %w", now.Format(time.RFC3339), err)
		}
	}
	if b.flushLive(now) {
		queued, wrote = true, true
	}
	if look.daily {
		// Once a day: the stored files of messages long gone (or given up).
		n, err := b.db.PurgeBlobs(now.Add(-blobKeep))
		wrote = wrote || n > 0
		if err != nil {
			return now, queued, wrote, fmt.Errorf("due scan at %s: %w", now.Format(time.RFC3339), err)
		}
	}
	purged, err := b.purgeSome(purgeSlice)
	wrote = wrote || purged
	if err != nil {
		return now, queued, wrote, fmt.Errorf("due scan at %s: %w", now.Format(time.RFC3339), err)
	}
	if queued {
		b.wake()
	}
	return now, queued, wrote, nil
}

// dueSet is what falls due at a moment.
type dueSet struct {
	remind []*mmo.Event // events with a reminder to send or to mark
	open   []*mmo.Event // events whose check-in window opened
	close  []*mmo.Consultation
	raise  []*mmo.Consultation
	daily  bool // the daily jobs have not run today
	// surveys: an open survey has something due (its feedback form to
	// send, its reminder, its close).
	surveys bool
	// Events whose buttons went dead (answers after the start, "I am
	// here" after the check-in closed) and заседания whose leader is due a
	// prompt for the minutes.
	started, closed, ended []*mmo.Event
	// downtime is the start of the span looked at for them when it
	// reaches back past the usual lookback, after a downtime (zero
	// otherwise); downtimeMark is the time of the daily jobs' mark it was
	// told by, and newDowntime that this scan found it: actDue records
	// the span until a scan finds nothing left in it (see metaDowntime).
	downtime, downtimeMark time.Time
	newDowntime            bool
}

func (d *dueSet) empty() bool {
	return len(d.remind) == 0 && len(d.open) == 0 && len(d.close) == 0 && len(d.raise) == 0 && !d.daily && !d.surveys &&
		len(d.started) == 0 && len(d.closed) == 0 && len(d.ended) == 0 && d.downtime.IsZero()
}

// metaDowntime holds, after a downtime, the start of the span the due
// scan looks at for dead buttons and the time of the daily jobs' mark
// that told of the downtime (Unix seconds, 8 bytes each). Once a scan
// finds nothing left in the span, the start is zeroed and the mark's time
// kept: until the daily jobs run again (after the alert time) that mark
// is still the latest, and must not tell of the same downtime again.
const metaDowntime = "due_downtime_from"

// findDue reads what falls due at now through the indexes: the published
// events starting within the longest reminder ahead or within a check-in
// window of now, the answered requests quiet for the auto-close time and
// the waiting ones whose next escalation can be due.
func (b *Engine) findDue(tx *boltdb.Tx, now time.Time) (dueSet, error) {
	var d dueSet
	offsets := b.opt.Reminders // sorted by New: nearest to the start first
	var longest time.Duration
	if len(offsets) > 0 {
		longest = offsets[len(offsets)-1]
	}
	events, err := tx.EventsBetween(now.Add(-mmo.MaxCheckinShift), now.Add(max(longest, mmo.MaxCheckinShift)+time.Second), mmo.EventPublished)
	if err != nil {
		return d, err
	}
	for _, e := range events {
		if e.Live(now) && !e.Start.After(now.Add(longest)) {
			if rd := b.dueReminder(tx, e, now); rd.Send != 0 || len(rd.Mark) > 0 {
				// A copy, so the check-in announced below does not
				// change the event the reminder describes.
				c := *e
				d.remind = append(d.remind, &c)
			}
		}
		if e.CheckinDue(now) {
			d.open = append(d.open, e)
		}
	}
	if after := b.opt.ConsultAutoClose; after > 0 {
		cs, err := tx.QuietConsultations(now.Add(-after))
		if err != nil {
			return d, err
		}
		for _, c := range cs {
			if mmo.AutoCloseDue(c, after, now) {
				d.close = append(d.close, c)
			}
		}
	}
	if days := b.opt.ConsultResponseDays; days > 0 {
		for level := 0; level < 3; level++ {
			cs, err := tx.WaitingConsultations(level, boltdb.ConsultWatchFrom(level, days, now))
			if err != nil {
				return d, err
			}
			for _, c := range cs {
				if at, ok := mmo.ConsultDue(c, days, b.opt.Location); ok && !now.Before(at) {
					d.raise = append(d.raise, c)
				}
			}
		}
	}
	if today, ok := mmo.DailyDue(now, b.alerts.Hour(), b.alerts.Minute(), b.opt.Location); ok {
		d.daily = !tx.Marked(dailyMark + today.Format("2006-01-02"))
	}
	var err2 error
	if d.surveys, err2 = surveysDue(tx, now); err2 != nil {
		return d, err2
	}
	// The events that began or ended lately: their dead buttons and the
	// prompt for the minutes. The usual span covers a downtime of up to
	// two days; after a longer one (the last daily jobs' mark is older)
	// the span reaches back to before the bot stopped, at most
	// downtimeReach: the events that began or ended while it was down
	// lose their dead buttons too. Events that began before the span are
	// not looked at; their old buttons still answer politely, as the
	// store is the truth.
	from := now.Add(-(minutesLookback + eventLookback))
	var recorded, recordedMark time.Time
	if v := tx.Meta(metaDowntime); len(v) == 16 {
		recorded, recordedMark = unixOrZero(v[:8]), unixOrZero(v[8:])
	}
	switch last, ok := tx.LastMarkedAt(dailyMark); {
	case !recorded.IsZero():
		if recorded.Before(from) {
			from = recorded
		}
		d.downtime, d.downtimeMark = from, recordedMark
	case ok && now.Sub(last) > minutesLookback+eventLookback-24*time.Hour && !last.Equal(recordedMark):
		since := last.Add(-(minutesLookback + eventLookback))
		if reach := now.Add(-downtimeReach); since.Before(reach) {
			since = reach
		}
		if since.Before(from) {
			from = since
		}
		d.downtime, d.downtimeMark, d.newDowntime = from, last, true
	}
	recent, err := tx.EventsBetween(from, now.Add(time.Second), mmo.EventPublished)
	if err != nil {
		return d, err
	}
	for _, e := range recent {
		switch {
		case e.CheckinDue(now):
			// in d.open already
		case e.Started(now) && !e.AnswersClosed:
			d.started = append(d.started, e)
		case e.Checkin.Announced && !e.Checkin.HereClosed && !e.CheckinOpen(now):
			d.closed = append(d.closed, e)
		case b.minutesDue(e, now):
			d.ended = append(d.ended, e)
		}
	}
	return d, nil
}

// unixOf is t in Unix seconds, 0 for the zero time.
func unixOf(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	return uint64(t.Unix())
}

// unixOrZero reads what unixOf wrote.
func unixOrZero(b []byte) time.Time {
	if n := binary.BigEndian.Uint64(b); n != 0 {
		return time.Unix(int64(n), 0)
	}
	return time.Time{}
}

// blobKeep is how long the files stored for messages (a year's archive)
// are kept: far longer than the outbox tries a message.
const blobKeep = 30 * 24 * time.Hour

// downtimeReach is how far back the due scan looks for the dead buttons
// of events after a downtime: a fortnight's events of a region are a few
// hundred, their members' edits some minutes of sending.
const downtimeReach = 14 * 24 * time.Hour

// eventLookback bounds how long an event may last for the due scan to
// find its end through the start-time index: a day, longer than any
// meeting or seminar.
const eventLookback = 24 * time.Hour

// dueReminder decides an event's reminders at now from the marks of
// those sent.
func (b *Engine) dueReminder(tx *boltdb.Tx, e *mmo.Event, now time.Time) mmo.ReminderDue {
	sent := map[time.Duration]bool{}
	for _, off := range b.opt.Reminders {
		sent[off] = tx.ReminderSent(e.ID, e.Version, off)
	}
	return mmo.DueReminder(e, b.opt.Reminders, sent, now)
}

// actDue queues what findDue found due at now. With the daily jobs, the
// digest is drawn up first, in a read transaction of its own.
func (b *Engine) actDue(now time.Time, look dueSet) (queued bool, err error) {
	daily := look.daily
	var digest *digestDraft
	var warn *retentionDraft
	if daily {
		if err := b.db.View(func(tx *boltdb.Tx) error {
			r := b.systemRequest(tx)
			r.Now = now
			var err error
			if digest, err = b.draftDigest(r); err != nil {
				return err
			}
			warn, err = b.draftRetention(r)
			return err
		}); err != nil {
			return false, fmt.Errorf("draw up the digest: %w", err)
		}
	}
	// Each part goes in a transaction of its own, short: an event's
	// check-in or reminder, a few requests, a share of the associations'
	// deadlines. Each re-reads what it acts on, and each thing is marked
	// done in the transaction that queues it, so a part cut short by a
	// restart is done by the next scan and nothing is sent twice.
	act := func(fn func(r *Request) (bool, error)) error {
		return b.db.Update(func(tx *boltdb.Tx) error {
			r := b.systemRequest(tx)
			r.Now = now
			did, err := fn(r)
			if err != nil {
				return err
			}
			if did {
				queued = true
			}
			return r.commit()
		})
	}
	// The check-in buttons sent, and the dead buttons taken off: an
	// event's members a share per transaction (see event_shares.go),
	// each share re-reading the event (findDue's copies may be stale).
	for _, x := range look.open {
		if err := b.inShares(x.ID, b.checkinShares(now), act); err != nil {
			return queued, err
		}
	}
	// After a downtime the span looked at for dead buttons stays wide
	// until a scan finds nothing left in it (see metaDowntime).
	record := func(from time.Time) error {
		return act(func(r *Request) (bool, error) {
			v := binary.BigEndian.AppendUint64(nil, unixOf(from))
			return false, r.Tx.PutMeta(metaDowntime, binary.BigEndian.AppendUint64(v, unixOf(look.downtimeMark)))
		})
	}
	switch {
	case look.newDowntime:
		if err := record(look.downtime); err != nil {
			return queued, err
		}
	case !look.downtime.IsZero() && len(look.started) == 0 && len(look.closed) == 0 && len(look.ended) == 0:
		if err := record(time.Time{}); err != nil {
			return queued, err
		}
	}
	// The answer buttons taken off however long ago the event began
	// (findDue bounds how far back it looks).
	for _, x := range look.started {
		if err := b.inShares(x.ID, b.answersShares(now), act); err != nil {
			return queued, err
		}
	}
	// A check-in that closed is closed in shares however long ago the
	// event ended (a long downtime): a live «Я на месте» would say the
	// check-in is still open.
	for _, x := range look.closed {
		if err := b.inShares(x.ID, b.hereShares(now), act); err != nil {
			return queued, err
		}
	}
	// The prompts for the minutes: an event per transaction.
	for _, x := range look.ended {
		if err := act(func(r *Request) (bool, error) {
			e, err := r.Tx.Event(x.ID)
			if err != nil || !b.minutesDue(e, now) {
				return false, ignoreGone(err)
			}
			return b.dueMinutesPrompts(r, []*mmo.Event{e})
		}); err != nil {
			return queued, err
		}
	}
	if look.surveys {
		if err := act(b.dueSurveys); err != nil {
			return queued, err
		}
	}
	// Requests a share per transaction: at most dueChunk, and none more
	// once shareBudget of work went into the share.
	due := append(slices.Clip(look.close), look.raise...)
	for from := 0; from < len(due); {
		if err := act(func(r *Request) (bool, error) {
			began, sent := time.Now(), false
			for n := 0; from < len(due) && n < dueChunk && (n == 0 || time.Since(began) < shareBudget); n, from = n+1, from+1 {
				c, err := r.Tx.Consultation(due[from].ID)
				if err != nil {
					if ignoreGone(err) == nil {
						continue
					}
					return false, err
				}
				var closing, raising []*mmo.Consultation
				if mmo.AutoCloseDue(c, b.opt.ConsultAutoClose, now) {
					closing = append(closing, c)
				} else if at, ok := mmo.ConsultDue(c, b.opt.ConsultResponseDays, b.opt.Location); ok && !now.Before(at) {
					raising = append(raising, c)
				}
				did, err := b.dueConsultations(r, closing, raising)
				if err != nil {
					return false, err
				}
				sent = sent || did
			}
			return sent, nil
		}); err != nil {
			return queued, err
		}
	}
	if daily {
		var ids []uint64
		if err := b.db.View(func(tx *boltdb.Tx) error {
			as, err := tx.Associations()
			for _, a := range as {
				ids = append(ids, a.ID)
			}
			return err
		}); err != nil {
			return queued, err
		}
		for from := 0; from < len(ids); from += ladderChunk {
			if err := act(func(r *Request) (bool, error) {
				n := len(r.out)
				err := b.ladderReminders(r, ids[from:min(from+ladderChunk, len(ids))])
				return len(r.out) > n, err
			}); err != nil {
				return queued, err
			}
		}
		if err := act(func(r *Request) (bool, error) { return b.dailyIfDue(r, digest, warn) }); err != nil {
			return queued, err
		}
		if err := b.sendRetentionArchives(warn, act); err != nil {
			return queued, err
		}
	}
	// Reminders to large associations go in shares (see remindInShares).
	for _, x := range look.remind {
		if err := b.remindInShares(x.ID, now, act); err != nil {
			return queued, err
		}
	}
	return queued, nil
}

// dueChunk is how many requests one transaction of the due scan raises or
// closes; ladderChunk how many associations' deadlines it looks at. On
// the benchmarks' region (2 cores, loaded) 50 requests took 60–90 ms and
// 200 associations 40–70 ms; the shares keep each write transaction
// within about 20 ms, as every user's update waits for it.
const (
	dueChunk    = 10
	ladderChunk = 50
)

// ignoreGone is nil for a record that is gone (removed since it was
// found), err otherwise.
func ignoreGone(err error) error {
	if errors.Is(err, mmo.ErrNotFound) {
		return nil
	}
	return err
}
