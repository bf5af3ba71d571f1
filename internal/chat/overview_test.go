package chat

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// TestOverviewXLSXBesideTheUpdate: the overview's XLSX (a region's is a
// quarter of a second) is built beside its press, not in it: the press
// is handled and answered while the build is held, so the updates after
// it do not wait, and the file comes once the build is done.
func TestOverviewXLSXBesideTheUpdate(t *testing.T) {
	m := newMemory(t, nil)
	now := m.clock.Now()
	if err := m.db.Update(func(tx *boltdb.Tx) error {
		if err := tx.PutUser(&mmo.User{ID: 1, Accounts: memAccount(1), Name: "Петрова Ольга Ивановна", RegisteredAt: now, ConsentAt: now, Coordinator: true}); err != nil {
			return err
		}
		return tx.CreateAssociation(&mmo.Association{Name: "ММО учителей математики", Subject: "математика", Policy: mmo.PolicyOpen})
	}); err != nil {
		t.Fatal(err)
	}
	coord := m.person(1, "Ольга")
	coord.send("/overview")
	summary := coord.next("Обзор объединений")

	held, release := make(chan struct{}), make(chan struct{})
	m.engine.testHookFollowUp = func() {
		close(held)
		<-release
	}
	res := coord.handleOnly(coord.pressOf(summary, "XLSX"))
	if res.Answer == nil || !strings.Contains(res.Answer.Text, "Готовлю файл") {
		t.Errorf("the press was answered %+v, want «Готовлю файл…» at once", res.Answer)
	}
	select {
	case <-held:
	case <-time.After(10 * time.Second):
		t.Fatal("no follow-up started: the XLSX was built in the press's own handling")
	}
	items, err := m.db.Outbox(0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 0 {
		t.Errorf("%d messages queued while the build was held, want none", len(items))
	}
	close(release)
	m.engine.follow.Wait()
	items, err = m.db.Outbox(0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Priority != boltdb.PriorityReply || items[0].ChatID != 1 {
		t.Fatalf("queued after the build: %+v, want the file alone, a reply in the coordinator's chat", items)
	}
	m.deliver()
	doc := coord.next()
	if doc.Kind != KindDocument || !strings.HasSuffix(doc.File, ".xlsx") || len(doc.Data) == 0 {
		t.Fatalf("after the build: %v %q %q (%d bytes), want the overview's XLSX", doc.Kind, doc.File, doc.Text, len(doc.Data))
	}
	f, err := excelize.OpenReader(bytes.NewReader(doc.Data))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 || !strings.Contains(strings.Join(rows[len(rows)-1], " "), "ММО учителей математики") {
		t.Errorf("the XLSX rows %q lack the association", rows)
	}
	coord.quiet()
}

// TestFollowUpPanicIsAnError: a follow-up runs where no handler's
// recoverer is; a panic in one is its error, not the end of the process.
func TestFollowUpPanicIsAnError(t *testing.T) {
	for _, tc := range []struct {
		name string
		fn   func() error
		want string
	}{
		{"returns", func() error { return nil }, ""},
		{"fails", func() error { return errRollback }, errRollback.Error()},
		{"panics", func() error { panic("index out of range") }, "panic: index out of range"},
	} {
		err := unpanicked(tc.fn)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v, want nil", tc.name, err)
		case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestReplyFollowUpThatFailsTellsTheChat: a follow-up that answers its
// update (the overview's XLSX) and cannot be made, by an error or a
// panic, tells the person so, as a handler that failed does, and the
// follow-ups after it are not run.
func TestReplyFollowUpThatFailsTellsTheChat(t *testing.T) {
	for _, fail := range []struct {
		name    string
		prepare func() error
	}{
		{"error", func() error { return errors.New("the table could not be built") }},
		{"panic", func() error { panic("index out of range") }},
	} {
		t.Run(fail.name, func(t *testing.T) {
			m := newMemory(t, nil)
			coord := m.person(1, "Ольга")
			coord.send("/start")
			coord.chat().read = len(coord.chat().log)
			r := &Request{Update: &Update{Messenger: memoryName, ID: 99, Chat: 1, Private: true, Press: &Press{ID: "q99"}}, Now: m.clock.Now(), Lang: "ru",
				followUps: []followUp{
					{reply: true, prepare: fail.prepare, queue: func(q *Request) { q.Reply("the file") }},
					{reply: true, prepare: func() error { return nil }, queue: func(q *Request) { q.Reply("after it") }},
				}}
			if !m.engine.followUp(r) {
				t.Error("followUp reported nothing queued")
			}
			m.deliver()
			coord.next("что-то пошло не так")
			coord.quiet()
		})
	}
}
