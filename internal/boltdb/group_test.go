package boltdb

import (
	"errors"
	"runtime"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/mmobot/mmobot/internal/mmo"
)

// holdWriter starts a write transaction that holds the writer until the
// function it returns is called, and waits until n Batch calls queued
// behind it.
func holdWriter(t *testing.T, db *DB, n int, start func()) (release func()) {
	t.Helper()
	held, free := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.Update(func(tx *Tx) error {
			close(held)
			<-free
			return tx.PutMeta("held", []byte("1"))
		})
	}()
	<-held
	start()
	for {
		db.group.mu.Lock()
		queued := len(db.group.queue)
		db.group.mu.Unlock()
		if queued >= n {
			break
		}
		runtime.Gosched()
	}
	return func() {
		close(free)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// TestBatchCommitsWhatQueued: the calls that queue while a commit runs
// share the next commit, however many arrive (up to maxGroup).
func TestBatchCommitsWhatQueued(t *testing.T) {
	db := MustOpenDB(t)
	const n = 64
	var mu sync.Mutex
	txs := map[*bolt.Tx]int{}
	var wg sync.WaitGroup
	errs := make([]error, n)
	before := db.Commits()
	release := holdWriter(t, db, n, func() {
		for i := range n {
			wg.Go(func() {
				errs[i] = db.Batch(func(tx *Tx) error {
					mu.Lock()
					txs[tx.tx]++
					mu.Unlock()
					return tx.PutUser(&mmo.User{ID: int64(1 + i)})
				})
			})
		}
	})
	release()
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if len(txs) != 1 {
		t.Errorf("%d calls queued behind one commit were committed in %d transactions, want 1", n, len(txs))
	}
	if c := db.Commits() - before; c != 2 {
		t.Errorf("Commits counted %d, want 2: the held writer's and the group's", c)
	}
	users := 0
	db.View(func(tx *Tx) error { return tx.Users(func(*mmo.User) bool { users++; return true }) })
	if users != n {
		t.Errorf("%d users stored, want %d", users, n)
	}
}

// TestBatchAloneCommitsAtOnce: a call with nobody else writing commits
// in a transaction of its own, without waiting for company.
func TestBatchAloneCommitsAtOnce(t *testing.T) {
	db := MustOpenDB(t)
	for i := range 3 {
		if err := db.Batch(func(tx *Tx) error { return tx.PutUser(&mmo.User{ID: int64(i + 1)}) }); err != nil {
			t.Fatal(err)
		}
	}
	db.group.mu.Lock()
	defer db.group.mu.Unlock()
	if db.group.leading || len(db.group.queue) != 0 {
		t.Errorf("after lone calls: leading %v, %d queued; want nobody", db.group.leading, len(db.group.queue))
	}
}

// TestBatchFailureIsItsOwn: a call that fails (or panics) in a shared
// commit gets its error, keeps nothing, and the calls it shared the
// commit with are committed all the same.
func TestBatchFailureIsItsOwn(t *testing.T) {
	db := MustOpenDB(t)
	errBad := errors.New("bad input")
	const n = 10
	errs := make([]error, n)
	panics := make([]any, n)
	var wg sync.WaitGroup
	release := holdWriter(t, db, n, func() {
		for i := range n {
			wg.Go(func() {
				defer func() { panics[i] = recover() }()
				errs[i] = db.Batch(func(tx *Tx) error {
					if err := tx.PutUser(&mmo.User{ID: int64(1 + i)}); err != nil {
						return err
					}
					switch i {
					case 3:
						return errBad
					case 6:
						panic("a handler's bug")
					}
					return nil
				})
			})
		}
	})
	release()
	wg.Wait()
	for i := range n {
		switch i {
		case 3:
			if !errors.Is(errs[i], errBad) || errors.Is(errs[i], ErrUnwritable) {
				t.Errorf("the failing call returned %v, want its own error", errs[i])
			}
		case 6:
			if panics[i] == nil {
				t.Errorf("the panicking call returned %v, want its panic in its own goroutine", errs[i])
			}
		default:
			if errs[i] != nil || panics[i] != nil {
				t.Errorf("call %d: %v, %v", i, errs[i], panics[i])
			}
		}
	}
	db.View(func(tx *Tx) error {
		for i := range n {
			_, err := tx.User(int64(1 + i))
			if kept := err == nil; kept != (i != 3 && i != 6) {
				t.Errorf("user of call %d kept: %v", i, kept)
			}
		}
		return nil
	})
}
