package chat

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// seedMeeting stores an association led by leader with the members, and
// a draft seminar a week ahead, as the bot would have them.
func (m *memory) seedMeeting(leader int64, members ...int64) (aid, eventID uint64) {
	m.t.Helper()
	now := m.clock.Now()
	err := m.db.Update(func(tx *boltdb.Tx) error {
		a := &mmo.Association{Name: "ММО учителей математики", Subject: "математика", Policy: mmo.PolicyOpen}
		if err := tx.CreateAssociation(a); err != nil {
			return err
		}
		aid = a.ID
		names := []string{"Лидерова Ольга Ивановна", "Антонова Анна Антоновна", "Борисов Борис Борисович", "Васильева Вера Васильевна"}
		for i, id := range append([]int64{leader}, members...) {
			u := &mmo.User{ID: id, Accounts: memAccount(id), Name: names[i%len(names)], School: "Школа № 5", Position: "учитель", RegisteredAt: now, ConsentAt: now, LanguageCode: "ru"}
			if err := tx.PutUser(u); err != nil {
				return err
			}
			if err := tx.PutMembership(&mmo.Membership{AssociationID: a.ID, UserID: id, State: mmo.MemberActive, JoinedAt: now}); err != nil {
				return err
			}
		}
		if err := tx.SetLeader(a.ID, leader); err != nil {
			return err
		}
		e := &mmo.Event{AssociationID: a.ID, Format: mmo.FormatSeminar, Topic: "Проектная деятельность", Start: now.Add(7 * 24 * time.Hour),
			Duration: 90 * time.Minute, Place: "МБОУ СОШ № 5", State: mmo.EventDraft, CreatedBy: leader}
		if err := tx.CreateEvent(e); err != nil {
			return err
		}
		eventID = e.ID
		return nil
	})
	if err != nil {
		m.t.Fatal(err)
	}
	return aid, eventID
}

// TestRSVPWithoutTelegram walks an answer through the conversation alone:
// the leader publishes from the card they opened, a member answers from
// the announcement, and the leader's card changes in place, where it was
// opened.
func TestRSVPWithoutTelegram(t *testing.T) {
	m := newMemory(t, nil)
	m.seedMeeting(301, 310, 311)
	leader, ann, bor := m.person(301, "Ольга"), m.person(310, "Анна"), m.person(311, "Борис")

	leader.send("/meetings")
	list := leader.next("Проектная деятельность")
	leader.press(list, "Проектная деятельность")
	card := leader.next("Черновик")
	if card.ID != list.ID {
		t.Fatalf("the card did not open in place of the list: %q, %q", list.ID, card.ID)
	}
	if a := leader.press(card, "Опубликовать"); a.Alert || !strings.Contains(a.Text, "2") {
		t.Errorf("publish answer %+v", a)
	}
	card = leader.next("Ответили 0 из 2: ✅ 0 · 🤔 0 · ❌ 0")
	leader.quiet()
	announcement := ann.next("Новое мероприятие", "Проектная деятельность", "Придёте?")
	bor.next("Новое мероприятие")

	if a := ann.press(announcement, "Приду"); a.Alert || !strings.Contains(a.Text, "придёте") {
		t.Errorf("answer %+v", a)
	}
	if got := ann.next("Ваш ответ: ✅ придёте"); got.ID != announcement.ID {
		t.Error("the announcement was not marked in place")
	}
	refreshed := leader.next("Ответили 1 из 2: ✅ 1 · 🤔 0 · ❌ 0", "Антонова А. А.")
	if refreshed.ID != card.ID {
		t.Errorf("the leader's card was not changed in place: message %s, the card is %s", refreshed.ID, card.ID)
	}
	for _, p := range []*memPerson{leader, ann, bor} {
		p.quiet()
	}
}

// TestKeptMessageEditedInPlace: a message sent under a key is recorded
// once sent, and an edit by the key changes it, even when the edit was
// queued before the send went (it waits for it).
func TestKeptMessageEditedInPlace(t *testing.T) {
	m := newMemory(t, nil)
	m.seedMeeting(301)
	// Both in one update: the send is bulk, the edit a notice, so the
	// edit is first in line and must wait for the send.
	m.engine.routes.commands["keep"] = route{role: mmo.RoleGuest, fn: func(r *Request) error {
		r.out = append(r.out, Message{Kind: KindSend, to: 301, Key: "ann:1:301", Text: "первая", bulk: true})
		r.EditKept("ann:1:301", "вторая")
		return nil
	}}
	p := m.person(301, "Ольга")
	other := m.person(500, "Гость")
	// The edit by key needs the record, which the send's queuing writes
	// in the same transaction; another person triggers it.
	other.send("/keep")
	first := p.next("первая")
	second := p.next("вторая")
	if first.ID != second.ID {
		t.Errorf("the edit made a new message: %s, then %s", first.ID, second.ID)
	}
	var rec *boltdb.SentRecord
	m.db.View(func(tx *boltdb.Tx) error {
		rec, _ = tx.Sent("ann:1:301")
		return nil
	})
	if rec == nil || rec.Message != first.ID || rec.Chat != 301 || rec.Messenger != memoryName || rec.Outbox != 0 {
		t.Errorf("record %+v, want message %s in chat 301", rec, first.ID)
	}
	// An edit of a key never recorded is dropped.
	m.engine.routes.commands["lost"] = route{role: mmo.RoleGuest, fn: func(r *Request) error {
		r.EditKept("ann:1:999", "никому")
		return nil
	}}
	other.send("/lost")
	p.quiet()

	// Taken back: the message goes, and so does its record, so a later
	// edit changes nothing.
	m.engine.routes.commands["gone"] = route{role: mmo.RoleGuest, fn: func(r *Request) error {
		r.RemoveKept("ann:1:301")
		return nil
	}}
	other.send("/gone")
	if n := len(m.chats[301].msgs); n != 0 {
		t.Errorf("%d messages left in the chat, want the kept one removed", n)
	}
	m.db.View(func(tx *boltdb.Tx) error {
		if rec, err := tx.Sent("ann:1:301"); !errors.Is(err, mmo.ErrNotFound) {
			t.Errorf("the removed message is still on record: %+v, %v", rec, err)
		}
		return nil
	})
	other.send("/keep") // a new message under the key: recorded again
	p.next("первая")
	p.next("вторая")
}

// TestHandlerPanicApologisesOnce: a handler that panics halfway has done
// nothing (its reply is rolled back); the person gets one apology, and
// the update is marked handled, so a redelivery does not run it again.
func TestHandlerPanicApologisesOnce(t *testing.T) {
	m := newMemory(t, nil)
	calls := 0
	m.engine.routes.commands["boom"] = route{role: mmo.RoleGuest, fn: func(r *Request) error {
		calls++
		r.Reply("half-done work")
		panic("boom")
	}}
	p := m.person(60, "А")
	p.send("/boom")
	p.next("что-то пошло не так")
	p.quiet()
	if calls != 1 {
		t.Errorf("handler ran %d times", calls)
	}
	if _, ok := m.db.HandledAt(memoryName, m.update); !ok {
		t.Error("the failed update was not marked handled")
	}
	// Delivered again (a crash before the offset was saved): nothing.
	u := Update{Messenger: memoryName, ID: m.update, From: &Sender{ID: 60}, Chat: 60, Private: true, Text: "/boom", Command: "boom"}
	if _, err := m.engine.Handle(t.Context(), &u); err != nil {
		t.Fatal(err)
	}
	m.deliver()
	p.quiet()
	if calls != 1 {
		t.Errorf("handler ran %d times after the redelivery", calls)
	}
}

// TestUnwritableStoreHoldsTheUpdate: a commit the disk refuses is
// returned for the transport to hold the update; nothing is said, and
// the same update goes through once the disk is back.
func TestUnwritableStoreHoldsTheUpdate(t *testing.T) {
	m := newMemory(t, nil)
	full := errors.New("no space left on device")
	m.db.SetWriteFault(func() error { return full })
	u := Update{Messenger: memoryName, ID: 1, From: &Sender{ID: 70, LanguageCode: "ru"}, Chat: 70, Private: true, Text: "/help", Command: "help"}
	if _, err := m.engine.Handle(t.Context(), &u); !errors.Is(err, boltdb.ErrUnwritable) {
		t.Fatalf("Handle = %v, want ErrUnwritable", err)
	}
	m.db.SetWriteFault(nil)
	m.deliver()
	p := m.person(70, "А")
	p.quiet()
	if _, err := m.engine.Handle(t.Context(), &u); err != nil {
		t.Fatal(err)
	}
	m.deliver()
	p.next("/start")
}

// TestMenusRefreshedWhenTheBuildChangesThem: menus are queued at start
// only when the build changed them since the last start: the defaults
// per language, and a menu of their own for each person whose menu is
// not the default. What is queued is known when RefreshMenus returns.
func TestMenusRefreshedWhenTheBuildChangesThem(t *testing.T) {
	m := newMemory(t, nil)
	now := m.clock.Now()
	err := m.db.Update(func(tx *boltdb.Tx) error {
		if err := tx.PutUser(&mmo.User{ID: 81, Accounts: memAccount(81), RegisteredAt: now, Name: "Член Обычный"}); err != nil { // default menu
			return err
		}
		// A member who chose English in /settings: a menu of their own,
		// which a new coordinator's command does not change.
		if err := tx.PutUser(&mmo.User{ID: 82, Accounts: memAccount(82), RegisteredAt: now, Name: "Член Английский", Lang: "en"}); err != nil {
			return err
		}
		return tx.PutUser(&mmo.User{ID: 80, Accounts: memAccount(80), RegisteredAt: now, Name: "Координатор Главный", Coordinator: true})
	})
	if err != nil {
		t.Fatal(err)
	}
	refresh := func() {
		t.Helper()
		if err := m.engine.RefreshMenus(); err != nil {
			t.Fatal(err)
		}
		m.deliver()
	}

	refresh()
	if len(m.menus[80]) == 0 {
		t.Fatal("the coordinator's menu was not set at the first start")
	}
	if _, ok := m.menus[81]; ok || len(m.menus) != 2 || len(m.menus[82]) == 0 {
		t.Errorf("chat menus set: %v, want the coordinator's and the English member's (members keep the default)", m.menus)
	}
	if len(m.defaults[""]) == 0 || len(m.defaults["en"]) == 0 {
		t.Errorf("default menus %v, want Russian (for any language) and English", m.defaults)
	}
	sets := m.menuSets

	m.start(nil)
	refresh()
	if m.menuSets != sets {
		t.Errorf("menus set again although unchanged: %d calls, then %d", sets, m.menuSets)
	}

	m.start(nil)
	m.engine.routes.commands["extra"] = route{role: mmo.RoleCoordinator, fn: m.engine.cmdHelp, menu: "menu.help"}
	m.engine.routes.order = append(m.engine.routes.order, "extra")
	refresh()
	got := m.menus[80]
	// Only the coordinator's menu changed: only theirs is set again.
	if m.menuSets != sets+1 || len(got) == 0 || got[len(got)-1].Name != "extra" {
		t.Errorf("after a menu change: %d calls (want %d, the coordinator's), menu %v", m.menuSets, sets+1, got)
	}
	sets = m.menuSets

	// A restart after a change leaves the menus alone again.
	m.start(nil)
	m.engine.routes.commands["extra"] = route{role: mmo.RoleCoordinator, fn: m.engine.cmdHelp, menu: "menu.help"}
	m.engine.routes.order = append(m.engine.routes.order, "extra")
	refresh()
	if m.menuSets != sets {
		t.Errorf("menus set again after a restart with the changed build: %d calls, then %d", sets, m.menuSets)
	}
}

// A bad alert time is refused when the engine is made, so the daily jobs
// never run at a time nobody set.
func TestNewRefusesABadAlertTime(t *testing.T) {
	_, err := New(nil, nil, Options{Transports: []Transport{memTransport}, AlertsAt: "9 утра"})
	if err == nil || !strings.Contains(err.Error(), `alerts time "9 утра"`) {
		t.Fatalf("New = %v, want an error naming the alert time", err)
	}
}

// TestOversizedButtonIsABug: a button no transport could carry fails the
// update, like any bug: the person gets an apology, nothing is queued.
func TestOversizedButtonIsABug(t *testing.T) {
	m := newMemory(t, nil)
	m.engine.routes.commands["big"] = route{role: mmo.RoleGuest, fn: func(r *Request) error {
		r.Reply("buttons", []Button{r.Button("x", "v", strings.Repeat("1", MaxButtonData))})
		return nil
	}}
	p := m.person(90, "А")
	p.send("/big")
	p.next("что-то пошло не так")
	p.quiet()
}

// TestDeletedEventForgetsItsViews: the records of where an event's views
// were opened go with the event.
func TestDeletedEventForgetsItsViews(t *testing.T) {
	m := newMemory(t, nil)
	_, id := m.seedMeeting(301)
	leader := m.person(301, "Ольга")
	leader.send("/meetings")
	leader.press(leader.next("Проектная деятельность"), "Проектная деятельность")
	card := leader.next("Черновик")
	key := "card:" + strconv.FormatUint(id, 10)
	recorded := func() bool {
		var err error
		m.db.View(func(tx *boltdb.Tx) error { _, err = tx.Sent(key); return nil })
		return err == nil
	}
	if !recorded() {
		t.Fatal("the opened card was not recorded")
	}
	leader.press(card, "Удалить черновик")
	leader.press(leader.next("Удалить"), "Да, удалить")
	leader.next("удалён")
	if recorded() {
		t.Error("the card of a deleted event is still on record")
	}
}

// TestDowntimeSpanClosesItself: back after three days, before the day's
// alert time, the due scan widens its span for dead buttons once, closes
// it when nothing is left in it, and from then on scans with nothing due
// write nothing, though the daily jobs' mark that told of the downtime is
// still the latest until the alert time.
func TestDowntimeSpanClosesItself(t *testing.T) {
	m := newMemory(t, nil)
	m.seedMeeting(10, 20)
	m.due() // 23.11 09:00: the daily jobs run and are marked
	m.clock.Add(3*24*time.Hour - 6*time.Hour)
	var wrote []bool
	for range 5 {
		_, _, w, err := m.engine.Due()
		if err != nil {
			t.Fatal(err)
		}
		m.deliver()
		wrote = append(wrote, w)
		m.clock.Add(30 * time.Second)
	}
	if want := []bool{true, true, false, false, false}; !slices.Equal(wrote, want) {
		t.Errorf("scans after the downtime wrote %v, want %v (the span recorded, closed, then nothing)", wrote, want)
	}
}
