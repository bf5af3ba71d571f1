package chat

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/seed"
)

// seededMemory is a memory messenger over a store seeded as a small
// region after five school years, with seeded teacher 2 and coordinator 1
// reachable through it. Tests count the records an operation decodes
// (boltdb.DB.Decoded): an operation that reads outside its index shows as
// a count that grows with everything stored, whatever the machine.
func seededMemory(t *testing.T) (m *memory, total seed.Stats) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "region.db")
	db, clk, err := seed.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	msk, _ := time.LoadLocation("Europe/Moscow")
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	reg := mmo.Regulation{YearStart: mmo.MonthDay{Month: time.September, Day: 1}, PlanDue: mmo.MonthDay{Month: time.September, Day: 15},
		ReportDue: mmo.MonthDay{Month: time.June, Day: 20}, MinMeetings: 3, MinMembers: 10, RetentionYears: 3}
	st, err := seed.Build(db, clk, seed.Config{Users: 600, Associations: 30, Members: 15, Years: 5, EventsPerYear: 8,
		Consultations: 300, Now: now, Location: msk, Regulation: reg, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *boltdb.Tx) error {
		for _, id := range []int64{1, 2} {
			u, err := tx.User(id)
			if err != nil {
				return err
			}
			u.Accounts = append(memAccount(id), u.Accounts...)
			if err := tx.PutUser(u); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	clock := &testClock{t: now}
	db, err = boltdb.Open(path, boltdb.Options{Timeout: time.Second, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m = &memory{t: t, db: db, clock: clock,
		chats: map[int64]*memChat{}, menus: map[int64][]Command{}, defaults: map[string][]Command{}}
	m.start(func(o *Options) {
		o.Regulation = reg
		o.ConsultResponseDays = 3
		o.ConsultAutoClose = 7 * 24 * time.Hour
	})
	return m, st
}

// membersOf returns the memberships of the first association of uid.
func membersOf(m *memory, uid int64) (out []*mmo.Membership) {
	m.db.View(func(tx *boltdb.Tx) error {
		if own, _ := tx.UserMemberships(uid); len(own) > 0 {
			out, _ = tx.Members(own[0].AssociationID)
		}
		return nil
	})
	return out
}

// decodes runs fn and returns how many records the store decoded meanwhile.
func decodes(m *memory, fn func()) int {
	before := m.db.Decoded()
	fn()
	return int(m.db.Decoded() - before)
}

// TestScheduledAndViewsReadTheirIndexes seeds five school years and checks
// that the due scan, /history and /overview read what their answer needs,
// not every event and request ever stored.
func TestScheduledAndViewsReadTheirIndexes(t *testing.T) {
	m, st := seededMemory(t)
	// The catch-up scans at start: the daily jobs, the digest, whatever
	// fell due; the requests left waiting are raised one level a scan.
	for range 4 {
		m.due()
	}
	// A scan a minute later finds nothing new: it reads the window of
	// events around now and the requests whose clock ran out, and takes no
	// write transaction.
	m.clock.Add(time.Minute)
	var wrote bool
	n := decodes(m, func() {
		var err error
		if _, _, wrote, err = m.engine.Due(); err != nil {
			t.Fatal(err)
		}
	})
	if wrote {
		t.Error("a scan with nothing due wrote to the store")
	}
	if n > st.Events/20 {
		t.Errorf("an idle due scan decoded %d records; the store holds %d events", n, st.Events)
	}

	teacher, coord := m.person(2, "Анна"), m.person(1, "Координатор")
	// A leader's own events count as attended (the leader ran them), so
	// /history reads their memberships and those associations, and counts
	// the events they ran from the association's event index (its values
	// name each event's creator) and their marks from their attendance
	// index: no event is decoded, however many they ran or attended.
	var attended, own, ran int
	m.db.View(func(tx *boltdb.Tx) error {
		refs, _ := tx.UserAttendance(2, time.Time{}, time.Time{})
		attended = len(refs)
		ms, _ := tx.UserMemberships(2)
		for _, ms := range ms {
			own += 2
			if a, _ := tx.Association(ms.AssociationID); a != nil && (a.LeaderID == 2 || a.FormerLeaderID == 2) {
				es, _ := tx.AssociationEvents(a.ID, time.Time{}, time.Time{})
				ran += len(es)
			}
		}
		return nil
	})
	if ran == 0 || attended == 0 {
		t.Fatalf("the seeded teacher ran %d events and has %d marks; want a leader who attended too", ran, attended)
	}
	n = decodes(m, func() {
		teacher.send("/history")
		teacher.next("")
	})
	if limit := 10 + own; n > limit {
		t.Errorf("/history decoded %d records (%d marks of the teacher, %d events they ran, %d records of their memberships); want at most %d", n, attended, ran, own, limit)
	}
	// /meetings tells each event's shelf from the association's event
	// index and decodes the events it lists: the drafts, the upcoming,
	// the latest past ones; not the two years of every association.
	var list memMsg
	tc := teacher.chat()
	tc.read = len(tc.log) // /history's answer
	n = decodes(m, func() {
		teacher.send("/meetings")
		list = teacher.next("")
	})
	shown := 0
	for _, row := range list.Buttons {
		for _, b := range row {
			if b.Verb == verbEvent {
				shown++
			}
		}
	}
	// Each upcoming event (the first paragraph) is read with the
	// teacher's answer to it.
	upcoming := strings.Count(strings.SplitN(list.Text, "\n\n", 2)[0], "\n•")
	if limit := 1 + own + shown + upcoming; shown == 0 || n > limit {
		t.Errorf("/meetings decoded %d records to list %d events, %d of them upcoming (%d records of the teacher's memberships); want at most %d", n, shown, upcoming, own, limit)
	}
	// A member's card of an event shows the event and their own answer:
	// it reads neither the other members nor their answers.
	memberID := int64(0)
	if err := m.db.Update(func(tx *boltdb.Tx) error {
		ms, _ := tx.UserMemberships(2)
		for _, ms := range ms {
			others, _ := tx.Members(ms.AssociationID)
			for _, o := range others {
				if a, _ := tx.Association(ms.AssociationID); o.State == mmo.MemberActive && a.LeaderID != o.UserID && memberID == 0 {
					memberID = o.UserID
				}
			}
		}
		if memberID == 0 {
			return nil
		}
		u, err := tx.User(memberID)
		if err != nil {
			return err
		}
		u.Accounts = append(memAccount(memberID), u.Accounts...)
		return tx.PutUser(u)
	}); err != nil || memberID == 0 {
		t.Fatalf("no member beside the teacher: %v", err)
	}
	member := m.person(memberID, "Участник")
	member.send("/meetings")
	mlist := member.next("")
	if len(mlist.Buttons) == 0 || mlist.Buttons[0][0].Verb != verbEvent {
		t.Fatalf("the member's list has no event to open: %q", mlist.Text)
	}
	n = decodes(m, func() {
		member.press(mlist, mlist.Buttons[0][0].Label)
		member.next("")
	})
	if n > 10 {
		t.Errorf("a member's card of an event decoded %d records (the association has %d members)", n, len(membersOf(m, memberID)))
	}
	var yearEvents, yearConsults, associations, memberships int
	m.db.View(func(tx *boltdb.Tx) error {
		from, to := m.engine.opt.Regulation.YearSpan(2026, m.engine.opt.Location)
		es, _ := tx.EventsBetween(from, to)
		cs, _ := tx.ConsultationsCreated(from, to)
		as, _ := tx.Associations()
		yearEvents, yearConsults, associations = len(es), len(cs), len(as)
		for _, a := range as {
			ms, _ := tx.Members(a.ID)
			memberships += len(ms)
		}
		return nil
	})
	// The overview's summary reads the associations and what the store
	// keeps counted for each (members by state, events' state in the
	// association's index, documents' statuses): no membership, event or
	// request. Its XLSX reads each association with its members and
	// leader, and this year's events and requests: never the years before.
	c := coord.chat()
	c.read = len(c.log) // what the scans sent the coordinator
	var summary memMsg
	n = decodes(m, func() {
		coord.send("/overview")
		summary = coord.next("Обзор объединений")
	})
	if limit := associations + 10; n > limit {
		t.Errorf("/overview decoded %d records; there are %d associations (%d memberships, %d events this year)", n, associations, memberships, yearEvents)
	}
	n = decodes(m, func() {
		coord.press(summary, "XLSX")
	})
	if limit := 2*associations + memberships + yearEvents + yearConsults + 10; n > limit {
		t.Errorf("the overview XLSX decoded %d records; this year's share is %d", n, limit)
	}
}

// TestHistoryReadsBesideAWriter: /history is handled in a read
// transaction, so it runs to the end of its reading while another
// transaction holds the write lock; only its answer waits for the lock.
func TestHistoryReadsBesideAWriter(t *testing.T) {
	m := newMemory(t, nil)
	_, eventID := m.seedMeeting(10, 20)
	m.db.Update(func(tx *boltdb.Tx) error {
		e, err := tx.Event(eventID)
		if err != nil {
			return err
		}
		e.State = mmo.EventPublished
		if err := tx.PutEvent(e); err != nil {
			return err
		}
		return tx.PutAttendance(&mmo.Attendance{EventID: eventID, UserID: 20, Mark: mmo.MarkPresent})
	})
	m.clock.Add(30 * 24 * time.Hour)
	read := make(chan struct{})
	m.engine.testHookRead = func() { close(read) }
	locked, release := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		m.db.Update(func(*boltdb.Tx) error {
			close(locked)
			<-release
			return nil
		})
	}()
	<-locked
	p := m.person(20, "Борис")
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.update++
		u := Update{Messenger: memoryName, ID: m.update, Text: "/history", Command: "history",
			From: &Sender{ID: 20, FirstName: "Борис", LanguageCode: "ru"}, Chat: 20, Private: true}
		if _, err := m.engine.Handle(t.Context(), &u); err != nil {
			t.Errorf("handle: %v", err)
		}
	}()
	select {
	case <-read:
	case <-time.After(10 * time.Second):
		t.Fatal("/history did not read while another transaction held the write lock")
	}
	close(release)
	<-done
	wg.Wait()
	m.deliver()
	p.next("1")
}

// TestReadOnlyRouteThatMustWrite: /history abandons a half-filled form,
// a write, so the read transaction gives way to the usual handling: the
// form is gone and the history is answered.
func TestReadOnlyRouteThatMustWrite(t *testing.T) {
	m := newMemory(t, nil)
	m.seedMeeting(10, 20)
	if err := m.db.Update(func(tx *boltdb.Tx) error {
		d := mmo.NewDialog(mmo.FlowGrant, mmo.StepQuery, m.clock.Now(), time.Hour)
		return tx.PutDialog(20, &d)
	}); err != nil {
		t.Fatal(err)
	}
	read := false
	m.engine.testHookRead = func() { read = true }
	p := m.person(20, "Борис")
	p.send("/history")
	p.next("")
	if read {
		t.Error("/history with a form to abandon was answered from the read transaction")
	}
	m.db.View(func(tx *boltdb.Tx) error {
		if d, err := tx.Dialog(20); err == nil {
			t.Errorf("the form is still open: %+v", d)
		}
		return nil
	})
}

// TestViewsReadBesideTheWriter: the views people open most — /help, the
// list of meetings, an event's card, the list again from its button — are
// read in a read transaction, the member's and the leader's alike; only
// what they say is written, with the handled mark.
func TestViewsReadBesideTheWriter(t *testing.T) {
	m := newMemory(t, nil)
	_, eventID := m.seedMeeting(10, 20)
	if err := m.db.Update(func(tx *boltdb.Tx) error {
		e, err := tx.Event(eventID)
		if err != nil {
			return err
		}
		e.State = mmo.EventPublished
		return tx.PutEvent(e)
	}); err != nil {
		t.Fatal(err)
	}
	read := false
	m.engine.testHookRead = func() { read = true }
	expectRead := func(what string) {
		t.Helper()
		if !read {
			t.Errorf("%s was handled in the writer", what)
		}
		read = false
	}
	for _, p := range []*memPerson{m.person(20, "Борис"), m.person(10, "Ольга")} {
		p.send("/help")
		p.next("")
		expectRead("/help")
		p.send("/meetings")
		list := p.next("Проектная деятельность")
		expectRead("/meetings")
		p.press(list, "Проектная деятельность")
		card := p.next("Проектная деятельность")
		expectRead("an event's card")
		p.press(card, "К мероприятиям")
		p.next("Проектная деятельность")
		expectRead("the list from its button")
	}
}

// TestRetentionWarningBuildsArchivesBesideTheWriter: the warning that a
// school year is about to be removed comes with the archive of that year,
// which on a region takes over a minute to build. It is built in a read
// transaction before the daily job's write, and queued a part per
// transaction after it: no write transaction builds one. The coordinator
// gets the warning, then the archive in parts no larger than the limit,
// a folder per association, every association of the year in exactly one
// part, the captions telling which part holds which.
func TestRetentionWarningBuildsArchivesBesideTheWriter(t *testing.T) {
	m, _ := seededMemory(t)
	m.engine.archivePart = 512 << 10
	var built, inWrite int
	var mu sync.Mutex
	m.engine.testHookArchives = func(writable bool) {
		mu.Lock()
		defer mu.Unlock()
		built++
		if writable {
			inWrite++
		}
	}
	for range 2 {
		m.due()
	}
	if built == 0 || inWrite != 0 {
		t.Fatalf("archives built %d times, %d of them in a write transaction; want some, none in a write", built, inWrite)
	}
	coord := m.person(1, "Координатор")
	var warned bool
	var parts []memMsg
	for _, msg := range coord.chat().log {
		switch {
		case strings.Contains(msg.Text, "истекает срок хранения"):
			warned = true
		case warned && strings.HasSuffix(msg.File, ".zip"):
			parts = append(parts, msg)
		}
	}
	if !warned || len(parts) < 2 {
		t.Fatalf("the coordinator was warned: %v, then sent %d parts; want several of %d KiB", warned, len(parts), m.engine.archivePart>>10)
	}
	// The year is the oldest the seed wrote, 2022/23; its associations
	// are those with an event or a request of that year.
	var want []string
	m.db.View(func(tx *boltdb.Tx) error {
		from, to := m.engine.opt.Regulation.YearSpan(2022, m.engine.opt.Location)
		as, _ := tx.Associations()
		for _, a := range as {
			es, _ := tx.AssociationEventBriefs(a.ID, from, to)
			if len(es) > 0 {
				want = append(want, "ММО "+mmo.OfficialName(a.Name))
			}
		}
		return nil
	})
	seen := map[string]int{}
	for i, p := range parts {
		wantName := fmt.Sprintf("Архив ММО 2022-2023 учебный год, часть %d из %d.zip", i+1, len(parts))
		if p.File != wantName {
			t.Errorf("part %d is named %q, want %q", i+1, p.File, wantName)
		}
		data := p.Data
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("part %d: %v", i+1, err)
		}
		folders := map[string]bool{}
		for _, f := range zr.File {
			dir, _, ok := strings.Cut(f.Name, "/")
			if !ok {
				t.Errorf("part %d: %q is in no association's folder", i+1, f.Name)
			}
			folders[dir] = true
		}
		if len(data) > m.engine.archivePart && len(folders) > 1 {
			t.Errorf("part %d is %d bytes with %d associations; the limit is %d", i+1, len(data), len(folders), m.engine.archivePart)
		}
		for dir := range folders {
			seen[dir]++
		}
		head := fmt.Sprintf("Архив записей 2022/2023 учебного года, часть %d из %d: ", i+1, len(parts))
		if !strings.HasPrefix(p.Text, head) || !strings.Contains(p.Text, "по папке на каждое, от «") {
			t.Errorf("part %d's caption: %q", i+1, p.Text)
		}
	}
	for _, name := range want {
		if seen[name] != 1 {
			t.Errorf("%q is in %d parts, want 1", name, seen[name])
		}
	}
	if len(seen) != len(want) {
		t.Errorf("the parts hold %d associations; %d have records of the year", len(seen), len(want))
	}

	// The warning's button sends the archive again, beside the update.
	// No transaction carries a part's bytes: each is stored as a blob, a
	// chunk per transaction, and its message names the blob.
	c := coord.chat()
	c.read = len(c.log)
	var warning memMsg
	for _, msg := range c.log {
		if strings.Contains(msg.Text, "истекает срок хранения") {
			warning = msg
		}
	}
	btn, ok := warning.button("Прислать архив 2022/2023 ещё раз")
	if !ok {
		t.Fatalf("the warning has no button to send the archive again: %+v", warning.Buttons)
	}
	m.update++
	u := Update{Messenger: memoryName, ID: m.update, Press: &Press{ID: "again", Verb: btn.Verb, Args: btn.Args, Message: warning.ID, Verbs: warning.verbs()},
		From: &Sender{ID: 1, FirstName: "Координатор", LanguageCode: "ru"}, Chat: 1, Private: true}
	if _, err := m.engine.Handle(t.Context(), &u); err != nil {
		t.Fatal(err)
	}
	m.engine.follow.Wait() // the parts, queued beside the update
	items, err := m.db.Outbox(0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	stored := 0
	for _, it := range items {
		payload, err := m.db.OutboxPayload(it.ID)
		if err != nil {
			t.Fatal(err)
		}
		var msg Message
		json.Unmarshal(payload, &msg)
		if msg.Kind != KindDocument {
			continue
		}
		if msg.FileFrom == StoreFiles && len(payload) < 4<<10 {
			stored++
		} else {
			t.Errorf("a part queued with %d bytes in its message (from %q)", len(payload), msg.FileFrom)
		}
	}
	if stored != len(parts) {
		t.Errorf("%d parts queued by their blob, want %d", stored, len(parts))
	}
	m.deliver()
	for i := range parts {
		again := coord.next("")
		if again.File != parts[i].File || !bytes.Equal(again.Data, parts[i].Data) {
			t.Errorf("sent again, part %d is %q (%d bytes), want %q (%d bytes)", i+1, again.File, len(again.Data), parts[i].File, len(parts[i].Data))
		}
	}
}
