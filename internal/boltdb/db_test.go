package boltdb

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mmobot/mmobot/internal/mmo"
)

// MustOpenDB opens a store in a temporary directory, closed at the end of
// the test.
func MustOpenDB(tb testing.TB) *DB {
	tb.Helper()
	db, err := Open(filepath.Join(tb.TempDir(), "mmo.db"), Options{Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestOpenCreatesSchema(t *testing.T) {
	db := MustOpenDB(t)
	v, err := db.Version()
	if err != nil || v != SchemaVersion() {
		t.Fatalf("version = %d, %v; want %d", v, err, SchemaVersion())
	}
	if len(db.Secret()) != 32 {
		t.Errorf("secret has %d bytes, want 32", len(db.Secret()))
	}
}

func TestSecretSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mmo.db")
	db, err := Open(path, Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	secret := append([]byte(nil), db.Secret()...)
	db.Close()
	db, err = Open(path, Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !bytes.Equal(secret, db.Secret()) {
		t.Error("the secret changed on reopen: every button sent before would be refused")
	}
}

// openRaw opens a bare bbolt file, for migration tests.
func openRaw(t *testing.T, path string) *bolt.DB {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMigrationsEachStep(t *testing.T) {
	for v := 0; v < len(migrations); v++ {
		path := filepath.Join(t.TempDir(), "mmo.db")
		b := openRaw(t, path)
		if err := migrateTo(b, migrations[:v]); err != nil {
			t.Fatalf("to %d: %v", v, err)
		}
		b.Close()
		db, err := Open(path, Options{Timeout: time.Second})
		if err != nil {
			t.Fatalf("open from version %d: %v", v, err)
		}
		got, _ := db.Version()
		if got != SchemaVersion() {
			t.Errorf("from %d: version %d, want %d", v, got, SchemaVersion())
		}
		// Every bucket of the schema exists.
		err = db.bolt.View(func(tx *bolt.Tx) error {
			for _, name := range [][]byte{bucketMeta, bucketUsers, bucketDialogs, bucketUpdates, bucketOutbox, bucketAudit,
				bucketAssociations, bucketMembers, bucketUserMembers, bucketInvites, bucketAuditByAssoc,
				bucketEvents, bucketAssocEvents, bucketRSVPs, bucketReminders, bucketBroadcasts, bucketOutboxKeys,
				bucketAttendance, bucketCheckinTokens, bucketMinutes,
				bucketConsults, bucketConsultsByAssoc, bucketConsultsByAsker, bucketConsultMessages,
				bucketPlans, bucketReports, bucketProposals, bucketMarks, bucketSent, bucketAccounts,
				bucketEventsByStart, bucketUserAttendance, bucketUserAnswers, bucketConsultsDue, bucketConsultsByTime,
				bucketDocuments, bucketBroadcastsByTime, bucketCoordinators, bucketSentByTime, bucketFileCopies, bucketUserAliases, bucketMenuSums, bucketMemberCounts, bucketAsking, bucketLiveViews, bucketBlobs} {
				if tx.Bucket(name) == nil {
					t.Errorf("from %d: bucket %s missing", v, name)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
}

func TestMigrationKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mmo.db")
	b := openRaw(t, path)
	if err := migrateTo(b, migrations[:1]); err != nil {
		t.Fatal(err)
	}
	err := b.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketUsers), itob(42), &mmo.User{ID: 42, Name: "Иванова Мария"})
	})
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	db, err := Open(path, Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *Tx) error {
		u, err := tx.User(42)
		if err != nil {
			return err
		}
		if u.Name != "Иванова Мария" {
			t.Errorf("name = %q", u.Name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMigrationFailureChangesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mmo.db")
	b := openRaw(t, path)
	defer b.Close()
	boom := errors.New("boom")
	ms := append(append([]migration(nil), migrations...), migration{"fails", func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucket([]byte("half")); err != nil {
			return err
		}
		return boom
	}})
	if err := migrateTo(b, ms); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	b.View(func(tx *bolt.Tx) error {
		if v := schemaVersion(tx); v != 0 {
			t.Errorf("version = %d after a failed migration, want 0", v)
		}
		if tx.Bucket(bucketUsers) != nil || tx.Bucket([]byte("half")) != nil {
			t.Error("a failed migration left buckets behind")
		}
		return nil
	})
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mmo.db")
	b := openRaw(t, path)
	ms := append(append([]migration(nil), migrations...), migration{"future", func(*bolt.Tx) error { return nil }})
	if err := migrateTo(b, ms); err != nil {
		t.Fatal(err)
	}
	b.Close()
	_, err := Open(path, Options{Timeout: time.Second})
	if err == nil || !strings.Contains(err.Error(), "newer than this build") {
		t.Fatalf("open of a newer file: %v", err)
	}
}

func TestOpenTimesOutOnLockedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mmo.db")
	db, err := Open(path, Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = Open(path, Options{Timeout: 50 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "locked by another process") {
		t.Fatalf("second open: %v", err)
	}
}

func TestOffsetDropsHandledMarks(t *testing.T) {
	db := MustOpenDB(t)
	err := db.Update(func(tx *Tx) error {
		for _, id := range []uint64{10, 11, 12, 13} {
			if err := tx.MarkHandled(Telegram, id); err != nil {
				return err
			}
		}
		// Another messenger's marks are not Telegram's to drop.
		return tx.MarkHandled("max", 5)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetOffset(12); err != nil {
		t.Fatal(err)
	}
	off, _ := db.Offset()
	if off != 12 {
		t.Errorf("offset = %d, want 12", off)
	}
	db.View(func(tx *Tx) error {
		for id, want := range map[uint64]bool{10: false, 11: false, 12: true, 13: true} {
			if got := tx.Handled(Telegram, id); got != want {
				t.Errorf("Handled(%d) = %v, want %v", id, got, want)
			}
		}
		if !tx.Handled("max", 5) || tx.Handled("max", 12) || tx.Handled(Telegram, 5) {
			t.Error("the marks of another messenger are mixed with Telegram's")
		}
		return nil
	})
}

func TestUsers(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "mmo.db")
	db, err := Open(path, Options{Timeout: time.Second, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	users := []*mmo.User{
		{ID: 1, Name: "Иванова Мария Петровна", RegisteredAt: now},
		{ID: 2, Name: "Иванов Пётр Сергеевич", RegisteredAt: now, Coordinator: true},
		{ID: 3, Name: "Смирнова Анна", RegisteredAt: now},
		{ID: 4}, // not registered
	}
	err = db.Update(func(tx *Tx) error {
		for _, u := range users {
			if err := tx.PutUser(u); err != nil {
				return err
			}
		}
		return tx.PutUser(&mmo.User{ID: -1})
	})
	if err == nil {
		t.Fatal("PutUser accepted id -1")
	}
	// The failed transaction wrote nothing.
	db.View(func(tx *Tx) error {
		if _, err := tx.User(1); !errors.Is(err, mmo.ErrNotFound) {
			t.Errorf("user 1 after a rolled back transaction: %v", err)
		}
		return nil
	})
	err = db.Update(func(tx *Tx) error {
		for _, u := range users {
			if err := tx.PutUser(u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *Tx) error {
		found, err := tx.FindUsers("иванов", 10)
		if err != nil || len(found) != 2 || found[0].ID != 2 || found[1].ID != 1 {
			t.Errorf("FindUsers(иванов) = %v, %v", names(found), err)
		}
		found, _ = tx.FindUsers("Мария иванова", 10)
		if len(found) != 1 || found[0].ID != 1 {
			t.Errorf("FindUsers(Мария иванова) = %v", names(found))
		}
		found, _ = tx.FindUsers("а", 1)
		if len(found) != 1 {
			t.Errorf("FindUsers limit 1 = %d users", len(found))
		}
		cs, _ := tx.Coordinators()
		if len(cs) != 1 || cs[0].ID != 2 {
			t.Errorf("Coordinators = %v", names(cs))
		}
		u, _ := tx.User(1)
		if !u.CreatedAt.Equal(now) || !u.UpdatedAt.Equal(now) {
			t.Errorf("timestamps %v %v", u.CreatedAt, u.UpdatedAt)
		}
		return nil
	})
	if err := db.Update(func(tx *Tx) error { return tx.SetBlocked(3, true) }); err != nil {
		t.Fatal(err)
	}
	// A block from a user the store does not know is ignored, not an error.
	if err := db.Update(func(tx *Tx) error { return tx.SetBlocked(999, true) }); err != nil {
		t.Errorf("SetBlocked(unknown) = %v, want nil", err)
	}
	db.View(func(tx *Tx) error {
		if _, err := tx.User(999); !errors.Is(err, mmo.ErrNotFound) {
			t.Errorf("SetBlocked created an unknown user: %v", err)
		}
		return nil
	})
	db.View(func(tx *Tx) error {
		u, _ := tx.User(3)
		if !u.Blocked || !u.BlockedAt.Equal(now) {
			t.Errorf("blocked = %v at %v", u.Blocked, u.BlockedAt)
		}
		return nil
	})
	db.Update(func(tx *Tx) error { return tx.DeleteUser(3) })
	db.View(func(tx *Tx) error {
		if _, err := tx.User(3); !errors.Is(err, mmo.ErrNotFound) {
			t.Errorf("deleted user: %v", err)
		}
		return nil
	})
}

func names(us []*mmo.User) []string {
	var s []string
	for _, u := range us {
		s = append(s, u.Name)
	}
	return s
}

func TestDialogs(t *testing.T) {
	db := MustOpenDB(t)
	d := mmo.NewDialog(mmo.FlowRegister, mmo.StepName, time.Now(), time.Hour)
	d.Draft["name"] = "x"
	if err := db.Update(func(tx *Tx) error { return tx.PutDialog(7, &d) }); err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *Tx) error {
		got, err := tx.Dialog(7)
		if err != nil || got.Step != mmo.StepName || got.Draft["name"] != "x" || got.Nonce != d.Nonce {
			t.Errorf("dialog = %+v, %v", got, err)
		}
		return nil
	})
	db.Update(func(tx *Tx) error { return tx.DeleteDialog(7) })
	db.View(func(tx *Tx) error {
		if _, err := tx.Dialog(7); !errors.Is(err, mmo.ErrNotFound) {
			t.Errorf("after delete: %v", err)
		}
		return nil
	})
}

func TestHotBackupWhileWriting(t *testing.T) {
	db := MustOpenDB(t)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	started := make(chan struct{})
	wg.Add(1)
	go func() { // a writer keeps committing during the backup
		defer wg.Done()
		for i := int64(1); ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			db.Update(func(tx *Tx) error { return tx.PutUser(&mmo.User{ID: i, Name: "Пользователь Тест"}) })
			if i == 10 {
				close(started)
			}
		}
	}()
	<-started
	out := filepath.Join(t.TempDir(), "backup.db")
	n, err := BackupFile(db, out)
	close(stop)
	wg.Wait()
	if err != nil || n == 0 {
		t.Fatalf("backup: %d bytes, %v", n, err)
	}
	copyDB, err := Open(out, Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatalf("open the copy: %v", err)
	}
	defer copyDB.Close()
	count := 0
	copyDB.View(func(tx *Tx) error {
		return tx.Users(func(*mmo.User) bool { count++; return true })
	})
	if count < 10 {
		t.Errorf("the copy has %d users, want at least the 10 written before it", count)
	}
	if v, _ := copyDB.Version(); v != SchemaVersion() {
		t.Errorf("copy version %d", v)
	}
}

func TestAuditLog(t *testing.T) {
	db := MustOpenDB(t)
	db.Update(func(tx *Tx) error {
		tx.Audit(AuditEntry{Actor: 1, Action: "coordinator.grant", Subject: 2})
		tx.Audit(AuditEntry{Actor: 1, Action: "coordinator.revoke", Subject: 2})
		return tx.Audit(AuditEntry{Actor: 1, Action: "coordinator.grant", Subject: 3})
	})
	all, _ := db.AuditLog(0)
	two, _ := db.AuditLog(2)
	if len(all) != 3 || len(two) != 2 || two[0].Action != "coordinator.grant" || two[1].Action != "coordinator.revoke" {
		t.Errorf("audit: all %d, subject 2: %+v", len(all), two)
	}
}
