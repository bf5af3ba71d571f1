package boltdb

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The leaders' live views (see chat/live.go): which pressed messages show
// another view than the card recorded on them (a form, a confirmation),
// so that a delivery count is not drawn over them, and which counts fell
// behind and are still to be drawn. They were kept in memory; here they
// survive a restart.
//
//	live_views   "away:" + messenger:chat:message → unix nanoseconds of the press
//	             "shows:" + messenger:chat:message → unix nanoseconds (8) + the key of the card drawn there
//	             "behind:" + broadcast id (8) → unix nanoseconds its count was last drawn

var (
	bucketLiveViews = []byte("live_views")
	liveAwayPrefix  = []byte("away:")
	liveShowsPrefix = []byte("shows:")
	liveBehindPref  = []byte("behind:")
)

func migrateLiveViews(tx *bolt.Tx) error {
	_, err := tx.CreateBucketIfNotExists(bucketLiveViews)
	return err
}

func liveNano(t time.Time) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(t.UnixNano()))
	return b
}

func liveTime(v []byte) time.Time {
	if len(v) != 8 {
		return time.Time{}
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC()
}

// ViewID names a message in a messenger's chat, as the marks of SetViewAway
// do.
func ViewID(messenger string, chat int64, message string) string {
	return messenger + ":" + strconv.FormatInt(chat, 10) + ":" + message
}

// CardElsewhere reports whether the message of rec, where the card under
// key is recorded, shows something else now: another view than a card
// (SetViewAway), or another card (SetViewShows). A transport drops an
// edit of the card queued before that was drawn over it.
func (db *DB) CardElsewhere(key string, rec *SentRecord) (bool, error) {
	elsewhere := false
	err := db.View(func(tx *Tx) error {
		elsewhere = tx.CardElsewhere(key, rec)
		return nil
	})
	return elsewhere, err
}

// CardElsewhere is DB.CardElsewhere in a transaction.
func (tx *Tx) CardElsewhere(key string, rec *SentRecord) bool {
	return tx.ViewAway(ViewID(rec.Messenger, rec.Chat, rec.Message)) || tx.ShowsAnotherCard(key, rec)
}

// ShowsAnotherCard reports whether the message of rec, where the card
// under key is recorded, shows another card now, opened in its place
// (SetViewShows); a record still waiting for its message shows none.
func (tx *Tx) ShowsAnotherCard(key string, rec *SentRecord) bool {
	if rec.Message == "" {
		return false
	}
	shows := tx.ViewShows(ViewID(rec.Messenger, rec.Chat, rec.Message))
	return shows != "" && shows != key
}

// SetViewShows records that the message named id shows, since at, the
// card recorded under key: when the leader opens one event's card in
// place of another's (from the list of events drawn over the first), the
// first card's record still names the message, and its drawings must not
// land there.
func (tx *Tx) SetViewShows(id, key string, at time.Time) error {
	return tx.tx.Bucket(bucketLiveViews).Put(append(bytes.Clone(liveShowsPrefix), id...), append(liveNano(at), key...))
}

// ViewShows returns the key of the card the message named id shows, ""
// if none was drawn there by a press.
func (tx *Tx) ViewShows(id string) string {
	v := tx.tx.Bucket(bucketLiveViews).Get(append(bytes.Clone(liveShowsPrefix), id...))
	if len(v) < 8 {
		return ""
	}
	return string(v[8:])
}

// SetViewAway records that the message named id (messenger:chat:message)
// shows another view than its card since at; away false forgets it (the
// card is drawn there again).
func (tx *Tx) SetViewAway(id string, away bool, at time.Time) error {
	b := tx.tx.Bucket(bucketLiveViews)
	k := append(bytes.Clone(liveAwayPrefix), id...)
	if !away {
		return b.Delete(k)
	}
	return b.Put(k, liveNano(at))
}

// ViewAway reports whether the message named id shows another view than
// its card.
func (tx *Tx) ViewAway(id string) bool {
	return tx.tx.Bucket(bucketLiveViews).Get(append(bytes.Clone(liveAwayPrefix), id...)) != nil
}

// SetCountBehind records that the delivery count of the broadcast id,
// last drawn at drawn, has deliveries not drawn yet.
func (tx *Tx) SetCountBehind(id uint64, drawn time.Time) error {
	return tx.tx.Bucket(bucketLiveViews).Put(append(bytes.Clone(liveBehindPref), itob(id)...), liveNano(drawn))
}

// CountDrawn forgets that the count of the broadcast id is behind.
func (tx *Tx) CountDrawn(id uint64) error {
	return tx.tx.Bucket(bucketLiveViews).Delete(append(bytes.Clone(liveBehindPref), itob(id)...))
}

// CountsBehind returns the broadcasts whose counts are behind, with when
// each was last drawn.
func (tx *Tx) CountsBehind() map[uint64]time.Time {
	out := map[uint64]time.Time{}
	c := tx.tx.Bucket(bucketLiveViews).Cursor()
	for k, v := c.Seek(liveBehindPref); k != nil && bytes.HasPrefix(k, liveBehindPref); k, v = c.Next() {
		out[btoi(k[len(liveBehindPref):])] = liveTime(v)
	}
	return out
}

// purgeLiveViews forgets the marks of views drawn before the cut: their
// cards are long gone from the sent registry with their year.
func purgeLiveViews(tx *Tx, cut PurgeCut, budget *purgeBudget, st *PurgeStats) (bool, error) {
	b := tx.tx.Bucket(bucketLiveViews)
	c := b.Cursor()
	var old [][]byte
	left := false
	for _, prefix := range [][]byte{liveAwayPrefix, liveShowsPrefix} {
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if len(v) >= 8 && liveTime(v[:8]).Before(cut.Before) {
				if len(old) >= budget.chunk() {
					left = true
					break
				}
				old = append(old, bytes.Clone(k))
			}
		}
		if left {
			break
		}
	}
	for _, k := range old {
		if err := b.Delete(k); err != nil {
			return false, err
		}
		budget.n--
		st.Records++
	}
	return left, nil
}
