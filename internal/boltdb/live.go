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
//	             "behind:" + broadcast id (8) → unix nanoseconds its count was last drawn

var (
	bucketLiveViews = []byte("live_views")
	liveAwayPrefix  = []byte("away:")
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

// MessageAway reports whether a message shows another view than its card
// (see SetViewAway), for a transport to drop an edit of the card queued
// before the view was drawn over it.
func (db *DB) MessageAway(messenger string, chat int64, message string) (bool, error) {
	away := false
	err := db.View(func(tx *Tx) error {
		away = tx.ViewAway(ViewID(messenger, chat, message))
		return nil
	})
	return away, err
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

// purgeLiveViews forgets the views marked away before the cut: their
// cards are long gone from the sent registry with their year.
func purgeLiveViews(tx *Tx, cut PurgeCut, budget *purgeBudget, st *PurgeStats) (bool, error) {
	b := tx.tx.Bucket(bucketLiveViews)
	c := b.Cursor()
	var old [][]byte
	left := false
	for k, v := c.Seek(liveAwayPrefix); k != nil && bytes.HasPrefix(k, liveAwayPrefix); k, v = c.Next() {
		if liveTime(v).Before(cut.Before) {
			if len(old) >= budget.chunk() {
				left = true
				break
			}
			old = append(old, bytes.Clone(k))
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
