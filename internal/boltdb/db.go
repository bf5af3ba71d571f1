// Package boltdb is the bot's store, on bbolt. It is the only package that
// imports bbolt.
//
// The bucket tree:
//
//	meta                       schema_version → uint64; secret → 32 random bytes (callback MACs);
//	                           offset → uint64 (the next getUpdates offset); open → uint64, 1 while
//	                           a bot has the file open, 0 after a clean close;
//	                           x:<name> → small settings of the adapters (e.g. x:menu_hash)
//	users                      user id (8 bytes) → JSON mmo.User; the bucket's sequence is the
//	                           last id given (ids are the bot's own, not a messenger's)
//	accounts                   messenger + 0x00 + the messenger's id of the person (8) → user id (8)
//	dialogs                    user id (8 bytes) → JSON mmo.Dialog (a half-filled form)
//	updates                    update id (8 bytes) → handled-at unix seconds; updates handled
//	                           but not yet confirmed by a saved offset, so a redelivered
//	                           update is recognised and not applied twice
//	outbox                     sequence (8 bytes) → JSON OutboxItem; a message waiting to be
//	                           sent, removed once Telegram accepted it
//	audit                      time (8 bytes, unix nanoseconds) + sequence (8 bytes) → JSON
//	                           AuditEntry; who changed whose rights or memberships, and when
//	audit_by_association       association id (8) + audit key (16) → empty; an association's log
//	associations               association id (8 bytes) → JSON mmo.Association
//	members                    association id (8) + user id (8) → JSON mmo.Membership
//	user_members               user id (8) + association id (8) → membership state; the
//	                           user → memberships index, written with every membership
//	invites                    token → JSON mmo.Invite (invitation links)
//	events                     event id (8) → JSON mmo.Event
//	association_events         association id (8) + start unix (8) + event id (8) → empty
//	rsvps                      event id (8) + user id (8) → JSON mmo.RSVP
//	reminders_sent             event id (8) + version (4) + seconds before start (8) → queued-at;
//	                           the same + 'p' → a large reminder's progress; event id (8) + 's' +
//	                           kind → the progress of other work on every member (see shareKey)
//	broadcasts                 broadcast id (8) → JSON Broadcast (delivery counts)
//	outbox_keys                key → outbox id: the pending item a newer one with the key replaces
//	attendance                 event id (8) + user id (8) → JSON mmo.Attendance
//	checkin_tokens             check-in link token → event id (8)
//	minutes                    event id (8) + version (4) → JSON mmo.Minutes
//	consultations              request id (8) → JSON mmo.Consultation
//	consultations_by_assoc     association id (8) + request id (8) → empty
//	consultations_by_asker     user id (8) + request id (8) → empty
//	consultation_messages      request id (8) + seq (4) → JSON mmo.ConsultMessage
//	plans                      association id (8) + school year (4) → JSON mmo.Plan
//	reports                    association id (8) + school year (4) → JSON mmo.Report
//	proposals                  association id (8) + school year (4) + id (8) → JSON mmo.Proposal
//	marks                      reason and day → when: reminders, digests and warnings done once
//	sent                       key → JSON Sent: a message the bot may change later ("card:12", the
//	                           leader's card of event 12): its messenger, chat and id there
//	surveys, survey_answers,   surveys and their answers: see survey.go
//	survey_anon, survey_done
//	news                       news id (8) → JSON mmo.News (see news.go)
//	materials                  material id (8) → JSON mmo.Material (see bank.go)
//	registers                  entry id (8) → JSON mmo.RegisterEntry (see registers.go)
//	file_copies                a file's messenger + id + the messenger it went up to → its id
//	                           there (see filecopy.go)
//	user_aliases               merged user id (8) → the user it went into (8) (see merge.go)
//	asking                     messenger + 0x00 + chat id (8) → the message whose location or phone
//	                           button is still up (see asking.go)
//	live_views                 the leaders' live views: messages showing another view than their
//	                           card, counts behind (see live.go)
//
// Keys are big-endian so a cursor walks them in order. Every exported method
// of DB runs one transaction; Tx methods run inside the caller's.
package boltdb

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mmobot/mmobot/internal/mmo"
)

// Bucket and key names, as documented in the package comment.
var (
	bucketMeta    = []byte("meta")
	bucketUsers   = []byte("users")
	bucketDialogs = []byte("dialogs")
	bucketUpdates = []byte("updates")
	bucketOutbox  = []byte("outbox")
	bucketAudit   = []byte("audit")

	bucketAuditByAssoc = []byte("audit_by_association")
	bucketAssociations = []byte("associations")
	bucketMembers      = []byte("members")
	bucketUserMembers  = []byte("user_members")
	bucketInvites      = []byte("invites")

	bucketEvents      = []byte("events")
	bucketAssocEvents = []byte("association_events")
	bucketRSVPs       = []byte("rsvps")
	bucketReminders   = []byte("reminders_sent")
	bucketBroadcasts  = []byte("broadcasts")
	bucketOutboxKeys  = []byte("outbox_keys")

	bucketAttendance    = []byte("attendance")
	bucketCheckinTokens = []byte("checkin_tokens")
	bucketMinutes       = []byte("minutes")

	bucketConsults        = []byte("consultations")
	bucketConsultsByAssoc = []byte("consultations_by_assoc")
	bucketConsultsByAsker = []byte("consultations_by_asker")
	bucketConsultMessages = []byte("consultation_messages")

	bucketPlans     = []byte("plans")
	bucketReports   = []byte("reports")
	bucketProposals = []byte("proposals")
	bucketMarks     = []byte("marks")
	bucketSent      = []byte("sent")
	bucketAccounts  = []byte("accounts")

	keySchemaVersion = []byte("schema_version")
	keySecret        = []byte("secret")
	keyOffset        = []byte("offset")
	// keyOpen is 1 while a bot has the file open for writing and 0 once
	// it closed it: a start after a clean stop skips the whole check of
	// the file (see verify).
	keyOpen = []byte("open")
)

// Options tune Open.
type Options struct {
	// Timeout is how long Open waits for the file lock held by another
	// process (another bot on the same file) before giving up.
	Timeout time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// ReadOnly opens the file without the write lock, for backups of a
	// stopped bot and for inspection.
	ReadOnly bool
	// Init allows a new, empty database where the file is empty, or
	// missing while its directory holds other files: both look like a
	// lost database, so Open refuses them unless told otherwise. A
	// missing file in an empty or missing directory (a new installation)
	// is always created.
	Init bool
	// Unrelated, when set, names files that may sit beside the database
	// without showing that one was there (another program's files).
	Unrelated func(name string) bool

	// maxSize, for tests, is the size the file may not grow beyond:
	// bbolt then refuses the commit as a full disk would.
	maxSize int
}

// DB is the store.
type DB struct {
	bolt   *bolt.DB
	now    func() time.Time
	secret []byte
	// fault, when set, is asked before every commit (see SetWriteFault).
	fault atomic.Pointer[func() error]
	// decoded counts the records decoded since open (see Decoded).
	decoded atomic.Int64
	// decodedInWrites counts those decoded in write transactions (see
	// DecodedInWrites).
	decodedInWrites atomic.Int64
	// writes times the write transactions (see WriteStats).
	writes writeStats
	// commits counts the write transactions committed (see Commits).
	commits atomic.Int64
	// group gathers the calls of Batch into shared commits (see group.go).
	group    group
	readOnly bool
	// compactHook, when set, runs the compactions of backups (see
	// SetCompactHook).
	compactHook atomic.Pointer[func(compact func())]
}

// Decoded returns how many records the store has decoded since it was
// opened, over all transactions. Every record read goes through one
// decode helper that counts it, so a test can seed a store, note the
// count, run one operation and fail when the operation read more than
// its index range holds: reading outside an index shows as a count, not
// as a time that depends on the machine.
func (db *DB) Decoded() int64 { return db.decoded.Load() }

// DecodedInWrites returns how many of the records Decoded counts were
// decoded in write transactions: what a write reads holds every other
// writer meanwhile, so a test can check that an update reads only what
// its writes need, and draws its views from a read transaction.
func (db *DB) DecodedInWrites() int64 { return db.decodedInWrites.Load() }

// WriteStats returns how many write transactions ran since the last call
// (or the open) and the longest of them, from its function's start to
// its commit's end, and starts counting again. A write transaction holds
// every other writer, each user's update among them: benchmarks report
// the longest.
func (db *DB) WriteStats() (n int64, longest time.Duration) { return db.writes.take() }

// Commits returns how many write transactions have committed since the
// store was opened. Concurrent Batch calls share commits, so this is at
// most the writes WriteStats counts: a benchmark divides the two to see
// how many updates each commit, with its two fdatasyncs, carried.
func (db *DB) Commits() int64 { return db.commits.Load() }

// LongestWriteBy names the code that ran the longest write transaction
// WriteStats will report (the first two callers outside the store, the
// innermost first), for a benchmark to say which transaction to shorten,
// and what its time went to (see WriteSplit).
func (db *DB) LongestWriteBy() string {
	db.writes.mu.Lock()
	defer db.writes.mu.Unlock()
	return db.writes.by + " (" + db.writes.split.String() + ")"
}

// WriteSplit is what a write transaction's time went to: the functions
// run in it (a batch's several) with the free list's and the file's
// growth, and the commit's phases as bbolt times them.
type WriteSplit struct {
	Work      time.Duration // the functions, the free list, growing the file
	Rebalance time.Duration // merging the pages deletions emptied
	Spill     time.Duration // splitting the changed nodes into pages
	Write     time.Duration // writing the pages and the meta page, with their two fdatasyncs
	Pages     int64         // pages written
}

// String reads "work 3ms, rebalance 0s, spill 1ms, write and sync 40ms, 12 pages".
func (s WriteSplit) String() string {
	return fmt.Sprintf("work %v, rebalance %v, spill %v, write and sync %v, %d pages",
		s.Work.Round(100*time.Microsecond), s.Rebalance.Round(100*time.Microsecond), s.Spill.Round(100*time.Microsecond), s.Write.Round(100*time.Microsecond), s.Pages)
}

// writeStats counts write transactions and keeps the longest, and who
// ran it.
type writeStats struct {
	n       atomic.Int64
	longest atomic.Int64 // nanoseconds
	mu      sync.Mutex
	by      string
	split   WriteSplit
}

func (w *writeStats) add(d time.Duration, split WriteSplit) {
	w.n.Add(1)
	for {
		old := w.longest.Load()
		if int64(d) <= old {
			return
		}
		if w.longest.CompareAndSwap(old, int64(d)) {
			// Rare (a new longest), so the stack is read only then.
			by := callers()
			w.mu.Lock()
			w.by, w.split = by, split
			w.mu.Unlock()
			return
		}
	}
}

func (w *writeStats) take() (int64, time.Duration) {
	return w.n.Swap(0), time.Duration(w.longest.Swap(0))
}

// callers names the first two functions on the stack outside the store
// (its tests count as outside) and bbolt.
func callers() string {
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	var names []string
	for f, more := frames.Next(); len(names) < 2; f, more = frames.Next() {
		inside := strings.Contains(f.Function, "/internal/boltdb.") && !strings.HasSuffix(f.File, "_test.go")
		if fn := f.Function; !inside && !strings.HasPrefix(fn, "go.etcd.io/") && !strings.HasPrefix(fn, "runtime.") {
			names = append(names, fn[strings.LastIndex(fn, "/")+1:])
		}
		if !more {
			break
		}
	}
	return strings.Join(names, " < ")
}

// ErrUnwritable marks a write transaction whose function succeeded but
// whose commit failed: the file could not be written (a full disk, an I/O
// error). Nothing of the transaction was kept, and the same work may
// succeed when tried again, so a caller holds on to it rather than
// treating it as a bug in its own code. Test with errors.Is.
var ErrUnwritable = errors.New("the database cannot be written")

// SetWriteFault makes every write transaction call fault before its
// commit; a non-nil error rolls the transaction back and is returned
// wrapped in ErrUnwritable, exactly as a commit refused by a full disk
// would be. nil removes the fault. It exists for fault tests: bbolt offers
// no hook into its file writes, and a real full disk is not something a
// test can arrange portably.
func (db *DB) SetWriteFault(fault func() error) {
	if fault == nil {
		db.fault.Store(nil)
		return
	}
	db.fault.Store(&fault)
}

// Open opens or creates the database at path, creating its directory, and
// brings the schema up to date. An existing file is checked first (see
// verify): a damaged one is an ErrDamaged error naming the file, and it is
// left untouched. An empty or lost one is an ErrNoDatabase error unless
// opts.Init.
func Open(path string, opts Options) (*DB, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := checkFile(path, opts); err != nil {
		return nil, err
	}
	if !opts.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("open db: %w", err)
		}
	}
	b, err := openBolt(path, &bolt.Options{
		Timeout:  opts.Timeout,
		ReadOnly: opts.ReadOnly,
		// The free list is written at every commit rather than rebuilt at
		// open. Rebuilding it walks every page of the file: on the 1 GiB
		// region of the benchmarks that took 2 s with a warm page cache
		// (over a minute from a cold disk) and mapped the whole file into
		// the process (1 GiB resident), for every start. Written, the open
		// takes 2 ms and maps a few pages. The price is the free list's
		// pages in each commit: nothing on a store that only grew (a
		// small commit 0.6–1.7 ms either way), about 3 ms more after
		// retention freed a school year (47,000 free pages, 370 KB of
		// list) until new records fill them or a compaction drops them.
		NoFreelistSync: false,
		FreelistType:   bolt.FreelistMapType,
		MaxSize:        opts.maxSize,
	})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, errLocked(path)
		}
		return nil, fmt.Errorf("open db %s: %w", path, err)
	}
	db := &DB{bolt: b, now: opts.Now, readOnly: opts.ReadOnly}
	if !opts.ReadOnly {
		if err := db.migrate(); err != nil {
			b.Close()
			return nil, err
		}
		if err := db.markOpen(1); err != nil {
			b.Close()
			return nil, fmt.Errorf("open db %s: %w", path, err)
		}
	}
	if err := b.View(func(tx *bolt.Tx) error {
		if m := tx.Bucket(bucketMeta); m != nil {
			db.secret = append([]byte(nil), m.Get(keySecret)...)
		}
		return nil
	}); err != nil {
		b.Close()
		return nil, err
	}
	return db, nil
}

// openBolt is bolt.Open with its panics turned into errors: checkFile
// has read the file by then, so this is the last line of defence against
// a file that changed in between, not the check itself.
func openBolt(path string, opts *bolt.Options) (b *bolt.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("%w (%v). Nothing was written: %s", ErrDamaged, r, restoreHint)
		}
	}()
	return bolt.Open(path, 0o600, opts)
}

// Close closes the database, recording that it was closed cleanly so
// that the next start can skip the whole check of the file. If that
// record cannot be written (a full disk), the next start checks the file
// whole, which is only slower.
func (db *DB) Close() error {
	if !db.readOnly {
		db.markOpen(0)
	}
	return db.bolt.Close()
}

// markOpen records whether a bot has the file open (see keyOpen).
func (db *DB) markOpen(v uint64) error {
	return db.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyOpen, itob(v))
	})
}

// Size returns the bytes of the file up to its highest page in use (free
// pages below it included): what the data takes, whatever the file's
// preallocated tail.
func (db *DB) Size() (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		n = tx.Size()
		return nil
	})
	return n, err
}

// Secret returns the per-installation random key used to sign callback data.
func (db *DB) Secret() []byte { return db.secret }

// Tx is a transaction with the store's typed accessors.
type Tx struct {
	tx      *bolt.Tx
	now     time.Time
	db      *DB
	decoded int
}

// Decoded returns how many records this transaction has decoded so far
// (see DB.Decoded).
func (tx *Tx) Decoded() int { return tx.decoded }

// Writable reports whether this is a write transaction: the one every
// other writer waits for.
func (tx *Tx) Writable() bool { return tx.tx.Writable() }

// newTx wraps a bolt transaction.
func (db *DB) newTx(btx *bolt.Tx) *Tx { return &Tx{tx: btx, now: db.now(), db: db} }

// View runs fn in a read-only transaction.
func (db *DB) View(fn func(*Tx) error) error {
	return db.bolt.View(func(btx *bolt.Tx) error {
		return fn(db.newTx(btx))
	})
}

// Update runs fn in a read-write transaction. A failed commit is
// reported as ErrUnwritable.
func (db *DB) Update(fn func(*Tx) error) error {
	return db.update(func(btx *bolt.Tx) error {
		return fn(db.newTx(btx))
	})
}

// Batch runs fn in a read-write transaction that may be shared with other
// concurrent Batch calls. fn may run more than once, so it must have no
// effects outside the transaction. A failed commit is reported as
// ErrUnwritable.
func (db *DB) Batch(fn func(*Tx) error) error {
	return db.batch(func(btx *bolt.Tx) error {
		return fn(db.newTx(btx))
	})
}

// update and batch are the only ways the store writes, so that every
// failed commit is told apart from an error of fn and the write fault of
// tests applies everywhere.
func (db *DB) update(fn func(*bolt.Tx) error) error { return db.write(db.commit, fn) }

// commit runs fn in a write transaction of its own and counts it when it
// commits (see Commits).
func (db *DB) commit(fn func(*bolt.Tx) error) error {
	err := db.bolt.Update(fn)
	if err == nil {
		db.commits.Add(1)
	}
	return err
}

func (db *DB) batch(fn func(*bolt.Tx) error) error { return db.write(db.groupUpdate, fn) }

func (db *DB) write(run func(func(*bolt.Tx) error) error, fn func(*bolt.Tx) error) error {
	// Batch may run the function several times (and in another
	// goroutine, synchronised by Batch's return): the last run counts.
	// A transaction is timed from its function's start to its commit's
	// end, as the committing goroutine sees it: the writer is free from
	// then on, whenever the caller's goroutine runs again.
	var ran, faulted bool
	var fnErr error
	var began, committed time.Time
	var stats bolt.TxStats
	defer func() {
		if !began.IsZero() && !committed.IsZero() {
			d := committed.Sub(began)
			split := WriteSplit{Rebalance: stats.GetRebalanceTime(), Spill: stats.GetSpillTime(), Write: stats.GetWriteTime(), Pages: stats.GetWrite()}
			split.Work = max(0, d-split.Rebalance-split.Spill-split.Write)
			db.writes.add(d, split)
		}
	}()
	err := run(func(btx *bolt.Tx) error {
		if !ran {
			began = time.Now()
		}
		ran, faulted = true, false
		fnErr = fn(btx)
		if fnErr == nil {
			if f := db.fault.Load(); f != nil {
				if ferr := (*f)(); ferr != nil {
					faulted = true
					return ferr
				}
			}
			btx.OnCommit(func() { committed, stats = time.Now(), btx.Stats() })
		}
		return fnErr
	})
	switch {
	case err == nil:
		return nil
	case faulted || (ran && fnErr == nil):
		return fmt.Errorf("%w: %w", ErrUnwritable, err)
	}
	return err
}

// itob encodes an id as an 8-byte big-endian key.
func itob(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func btoi(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// getJSON decodes the record under key, or returns mmo.ErrNotFound.
func (tx *Tx) getJSON(b *bolt.Bucket, key []byte, v any) error {
	data := b.Get(key)
	if data == nil {
		return mmo.ErrNotFound
	}
	if err := tx.decode(data, v); err != nil {
		return fmt.Errorf("decode %T under key %x: %w", v, key, err) // the type names the bucket
	}
	return nil
}

// decode decodes one record and counts it: every record the store reads
// goes through here (or DB.decode), which is what Decoded reports.
func (tx *Tx) decode(data []byte, v any) error {
	tx.decoded++
	if tx.tx.Writable() {
		tx.db.decodedInWrites.Add(1)
	}
	return tx.db.decode(data, v)
}

// decode decodes one record read outside a Tx and counts it.
func (db *DB) decode(data []byte, v any) error {
	db.decoded.Add(1)
	return Unmarshal(data, v)
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := Marshal(v)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return b.Put(key, data)
}

func newSecret() ([]byte, error) {
	s := make([]byte, 32)
	if _, err := rand.Read(s); err != nil {
		return nil, err
	}
	return s, nil
}
