package chat

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// TestAnswerWritesWithoutReadingTheAssociation: a member's answer, and
// their check-in, read in write transactions the same few records whether
// the association has 3 members or 300 (the old handlers decoded every
// member in the update's transaction, to draw the leader's card there);
// the card is drawn beside the update, and shows the answer and the
// check-in where it was opened. (The check-in view, not open here, is
// drawn beside too: TestCheckinViewDrawnBeside.)
func TestAnswerWritesWithoutReadingTheAssociation(t *testing.T) {
	inWrites, checkins := map[int]int64{}, map[int]int64{}
	for _, n := range []int{3, 300} {
		m := newMemory(t, nil)
		members := memberIDs(n)
		_, eventID := m.seedMeeting(301, members...)
		leader, ann := m.person(301, "Ольга"), m.person(1000, "Анна")
		card := publishCard(leader, fmt.Sprintf("Ответили 0 из %d", n))
		announcement := ann.next("Новое мероприятие")

		before := m.db.DecodedInWrites()
		if a := *ann.handleOnly(ann.pressOf(announcement, "Приду")).Answer; a.Alert {
			t.Fatalf("%d members: the answer was refused: %q", n, a.Text)
		}
		m.engine.follow.Wait() // the card, drawn beside the answer
		inWrites[n] = m.db.DecodedInWrites() - before
		m.deliver()
		ann.next("Ваш ответ: ✅ придёте")
		if got := leader.next(fmt.Sprintf("Ответили 1 из %d: ✅ 1", n)); got.ID != card.ID {
			t.Errorf("%d members: the card was drawn in message %s, it is open in %s", n, got.ID, card.ID)
		}
		leader.quiet()

		// At the start, the member checks in by the event's link.
		m.clock.Add(7 * 24 * time.Hour)
		token := checkinToken(t, m, eventID)
		before = m.db.DecodedInWrites()
		ann.handleOnly(Update{Command: "start", Args: "c_" + token})
		m.engine.follow.Wait()
		checkins[n] = m.db.DecodedInWrites() - before
		m.deliver()
		ann.next("Вы отмечены")
		if got := leader.next(fmt.Sprintf("отметились 1 из %d", n)); got.ID != card.ID {
			t.Errorf("%d members: the card was drawn in message %s after the check-in, it is open in %s", n, got.ID, card.ID)
		}
	}
	t.Logf("records decoded in write transactions by an answer: %v, by a check-in: %v", inWrites, checkins)
	if inWrites[300] != inWrites[3] || inWrites[3] > 20 {
		t.Errorf("an answer decoded %d records in write transactions with 3 members and %d with 300; want the same few", inWrites[3], inWrites[300])
	}
	if checkins[300] != checkins[3] || checkins[3] > 20 {
		t.Errorf("a check-in decoded %d records in write transactions with 3 members and %d with 300; want the same few", checkins[3], checkins[300])
	}
}

// TestAnswersAtOnceDrawTheLastOnTheCard: answers handled side by side ask
// for the card while it is being drawn; the last drawing shows them all.
func TestAnswersAtOnceDrawTheLastOnTheCard(t *testing.T) {
	m := newMemory(t, nil)
	const n = 12
	members := memberIDs(n)
	m.seedMeeting(301, members...)
	leader := m.person(301, "Ольга")
	card := openDraftCard(leader)
	leader.press(card, "Опубликовать")
	leader.next(fmt.Sprintf("Ответили 0 из %d", n))
	var presses []Update
	var people []*memPerson
	for _, id := range members {
		p := m.person(id, "Участник")
		presses = append(presses, p.pressOf(p.next("Новое мероприятие"), "Приду"))
		people = append(people, p)
	}
	// The updates are numbered here, one after another, and handled at
	// once (handleOnly numbers them itself, which is not safe to share).
	var wg sync.WaitGroup
	for i, p := range people {
		m.update++
		u := presses[i]
		u.Messenger, u.ID = memoryName, m.update
		u.From = &Sender{ID: p.id, FirstName: p.first, LanguageCode: p.lang}
		u.Chat, u.Private = p.id, true
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := m.engine.Handle(t.Context(), &u); err != nil {
				t.Errorf("handle: %v", err)
			}
		}()
	}
	wg.Wait()
	m.deliver()
	var last memMsg
	for c := leader.chat(); c.read < len(c.log); {
		last = leader.next()
	}
	if want := fmt.Sprintf("Ответили %d из %d: ✅ %d", n, n, n); !strings.Contains(last.Text, want) {
		t.Errorf("the card after %d answers at once: %q, want %q", n, last.Text, want)
	}
}

// TestAnswerDuringADrawingIsDrawnAfterIt: a second answer comes while
// the first answer's drawing of the card is between its read (which
// misses the second) and its write; the card is drawn once more after it
// and ends showing both. Without the drawing asked for again meanwhile,
// the card would keep the first drawing.
func TestAnswerDuringADrawingIsDrawnAfterIt(t *testing.T) {
	m := newMemory(t, nil)
	m.seedMeeting(301, 310, 311)
	leader, ann, bob := m.person(301, "Ольга"), m.person(310, "Анна"), m.person(311, "Борис")
	card := publishCard(leader, "Ответили 0 из 2")
	first, second := ann.next("Новое мероприятие"), bob.next("Новое мероприятие")
	drawing, hold := make(chan struct{}), make(chan struct{})
	var once sync.Once
	m.engine.testHookRedraw = func() {
		once.Do(func() {
			close(drawing)
			<-hold
		})
	}
	ann.handleOnly(ann.pressOf(first, "Приду"))
	<-drawing // the first drawing has read the card with one answer
	bob.handleOnly(bob.pressOf(second, "Приду"))
	close(hold)
	m.deliver()
	last := lastOn(leader, card.ID)
	if !strings.Contains(last.Text, "Ответили 2 из 2: ✅ 2") {
		t.Errorf("the card after an answer during a drawing: %q, want both answers", last.Text)
	}
}

// publishCard opens the leader's card of the seeded draft, publishes it
// and returns the card as it then reads, with want in it.
func publishCard(leader *memPerson, want string) memMsg {
	card := openDraftCard(leader)
	leader.press(card, "Опубликовать")
	return leader.next(want)
}

// lastOn reads p's messages not yet read and returns the last state of
// the message id among them (zero if it did not change).
func lastOn(p *memPerson, id string) memMsg {
	var last memMsg
	for c := p.chat(); c.read < len(c.log); {
		if msg := p.next(); msg.ID == id {
			last = msg
		}
	}
	return last
}

// openDraftCard opens the leader's card of the seeded draft from
// /meetings.
func openDraftCard(leader *memPerson) memMsg {
	leader.send("/meetings")
	leader.press(leader.next("Проектная деятельность"), "Проектная деятельность")
	return leader.next("Черновик")
}

// TestCardDrawnBesideGivesWayToAChange: check-in opens (the event
// changes, and the card is drawn in that transaction, as the scheduled
// opening does) while an answer's drawing of the card is between its read
// and its write; that drawing, of the event as it was, is not written but
// drawn again, and the card ends showing check-in open and the answer.
func TestCardDrawnBesideGivesWayToAChange(t *testing.T) {
	m := newMemory(t, nil)
	_, eventID := m.seedMeeting(301, 310, 311)
	leader, ann := m.person(301, "Ольга"), m.person(310, "Анна")
	card := publishCard(leader, "Ответили 0 из 2")
	announcement := ann.next("Новое мероприятие")
	var once sync.Once
	m.engine.testHookRedraw = func() {
		once.Do(func() {
			err := m.db.Update(func(tx *boltdb.Tx) error {
				e, err := tx.Event(eventID)
				if err != nil {
					return err
				}
				a, err := tx.Association(e.AssociationID)
				if err != nil {
					return err
				}
				e.Checkin.Manual = "open"
				if err := tx.PutEvent(e); err != nil {
					return err
				}
				r := m.engine.systemRequest(tx)
				if err := m.engine.refreshLeaderCard(r, e, a); err != nil {
					return err
				}
				return r.commit()
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	ann.handleOnly(ann.pressOf(announcement, "Приду"))
	m.engine.follow.Wait()
	m.deliver()
	last := lastOn(leader, card.ID)
	if !strings.Contains(last.Text, "Отметка открыта") || !strings.Contains(last.Text, "Ответили 1 из 2") {
		t.Errorf("the card after check-in opened: %q, want it open, with the answer", last.Text)
	}
}

// TestCheckinViewDrawnBeside: with the leader's check-in view open, a
// member's check-in reads in write transactions the same few records
// whether the association has 5 members or 300 (the old handler drew the
// view, every member's mark, in the check-in's transaction); the view is
// drawn beside it, in place. While the leader marks by hand on the
// view's message, a check-in does not draw the view over the marks list;
// back from the list, the view is drawn afresh and follows check-ins
// again.
func TestCheckinViewDrawnBeside(t *testing.T) {
	inWrites := map[int]int64{}
	for _, n := range []int{5, 300} {
		m := newMemory(t, nil)
		members := memberIDs(n)
		_, eventID := m.seedMeeting(301, members...)
		leader, ann, ann2 := m.person(301, "Ольга"), m.person(1000, "Анна"), m.person(1004, "Анна")
		card := publishCard(leader, fmt.Sprintf("Ответили 0 из %d", n))

		// At the start check-in is open; the leader opens the view.
		m.clock.Add(7 * 24 * time.Hour)
		leader.press(card, "Отметка присутствующих")
		view := leader.next("Отметка:", fmt.Sprintf("Отметились: 0 из %d", n))
		if view.ID != card.ID {
			t.Fatalf("%d members: the check-in view came in message %s, not in place of the card %s", n, view.ID, card.ID)
		}
		token := checkinToken(t, m, eventID)
		checkIn := func(p *memPerson) {
			t.Helper()
			p.handleOnly(Update{Command: "start", Args: "c_" + token})
			m.deliver()
			for c := p.chat(); c.read < len(c.log); {
				p.next()
			}
		}
		before := m.db.DecodedInWrites()
		ann.handleOnly(Update{Command: "start", Args: "c_" + token})
		m.engine.follow.Wait() // the view, drawn beside the check-in
		inWrites[n] = m.db.DecodedInWrites() - before
		m.deliver()
		if got := leader.next(fmt.Sprintf("Отметились: 1 из %d", n), "Антонова А. А. — "); got.ID != view.ID {
			t.Errorf("%d members: the view was drawn in message %s, it is open in %s", n, got.ID, view.ID)
		}
		leader.quiet()

		// The marks list over the view: a check-in leaves it be.
		leader.press(view, "Отметить вручную")
		list := leader.next("Отметить вручную")
		checkIn(ann2)
		leader.quiet()
		// A tap on the row as drawn, «—», of the one who checked in
		// meanwhile marks her present, as she is, not absent; the list
		// alone is drawn, with both check-ins.
		if row := rowOf(t, list, ann2.id); !strings.HasPrefix(row, "— ") {
			t.Fatalf("%d members: her row as drawn before she checked in: %q", n, row)
		}
		leader.press(list, rowOf(t, list, ann2.id))
		list = leader.next("Отметить вручную", fmt.Sprintf("Отметились: 2 из %d", n))
		if row := rowOf(t, list, ann2.id); !strings.HasPrefix(row, "✅ ") {
			t.Errorf("%d members: the tapped row after it: %q", n, row)
		}
		leader.quiet()

		// Back to the view: drawn afresh, her check-in by the link kept,
		// and check-ins draw it again.
		leader.press(list, "К отметке")
		leader.next(fmt.Sprintf("Отметились: 2 из %d", n), "2. Антонова А. А. — 12:00, ссылка")
		leader.quiet()
		m.clock.Add(time.Minute)
		checkIn(m.person(1001, "Борис"))
		if got := leader.next(fmt.Sprintf("Отметились: 3 из %d", n), "Борисов Б. Б. — "); got.ID != view.ID {
			t.Errorf("%d members: after the list, the view was drawn in message %s, it is open in %s", n, got.ID, view.ID)
		}
	}
	t.Logf("records decoded in write transactions by a check-in with the view open: %v", inWrites)
	if inWrites[300] != inWrites[5] || inWrites[5] > 20 {
		t.Errorf("a check-in with the view open decoded %d records in write transactions with 5 members and %d with 300; want the same few", inWrites[5], inWrites[300])
	}
}

// rowOf is the label of the row of the user uid on a marks list.
func rowOf(t *testing.T, list memMsg, uid int64) string {
	t.Helper()
	for _, row := range list.Buttons {
		for _, b := range row {
			if b.Verb == verbCheckinCycle && len(b.Args) > 1 && b.Args[1] == strconv.FormatInt(uid, 10) {
				return b.Label
			}
		}
	}
	t.Fatalf("no row of user %d on %q", uid, list.Text)
	return ""
}

// memberIDs are the ids of n members, from 1000 on.
func memberIDs(n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(1000 + i)
	}
	return ids
}

// checkinToken is the token of the event's check-in link.
func checkinToken(t *testing.T, m *memory, eventID uint64) string {
	t.Helper()
	var token string
	if err := m.db.View(func(tx *boltdb.Tx) error {
		e, err := tx.Event(eventID)
		if err == nil {
			token = e.Checkin.Token
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return token
}

// TestCheckinViewBackIsNotUndone: a check-in's drawing of the view still
// waits in the outbox when the leader opens the marks list over the view,
// someone checks in meanwhile, and the leader comes back to the view; the
// view drawn on the way back replaces the waiting drawing, which would
// otherwise land after it with the older count.
func TestCheckinViewBackIsNotUndone(t *testing.T) {
	m := newMemory(t, nil)
	_, eventID := m.seedMeeting(301, memberIDs(5)...)
	leader, ann, bob := m.person(301, "Ольга"), m.person(1000, "Анна"), m.person(1001, "Борис")
	card := publishCard(leader, "Ответили 0 из 5")
	m.clock.Add(7 * 24 * time.Hour)
	leader.press(card, "Отметка присутствующих")
	view := leader.next("Отметились: 0 из 5")
	token := checkinToken(t, m, eventID)
	// Nothing is delivered until the end: each update and its drawings
	// beside are handled, their messages wait in the outbox.
	ann.handleOnly(Update{Command: "start", Args: "c_" + token})
	m.engine.follow.Wait()
	leader.handleOnly(leader.pressOf(view, "Отметить вручную"))
	bob.handleOnly(Update{Command: "start", Args: "c_" + token})
	m.engine.follow.Wait()
	id := strconv.FormatUint(eventID, 10)
	leader.handleOnly(Update{Press: &Press{ID: "back", Verb: verbCheckin, Args: []string{id}, Message: view.ID}})
	m.deliver()
	for _, msg := range leader.chat().msgs {
		if msg.ID == view.ID && !strings.Contains(msg.Text, "Отметились: 2 из 5") {
			t.Errorf("the view after coming back to it: %q, want both check-ins", msg.Text)
		}
	}
}

// TestCheckinViewNotDrawnOverOtherScreens: the window's times, a member's
// marks and the event's card, opened on the check-in view's message, are
// not drawn over by a check-in.
func TestCheckinViewNotDrawnOverOtherScreens(t *testing.T) {
	for _, label := range []string{"Когда открывать", "member", "К мероприятию"} {
		m := newMemory(t, nil)
		_, eventID := m.seedMeeting(301, memberIDs(5)...)
		leader, ann := m.person(301, "Ольга"), m.person(1000, "Анна")
		card := publishCard(leader, "Ответили 0 из 5")
		m.clock.Add(7 * 24 * time.Hour)
		leader.press(card, "Отметка присутствующих")
		view := leader.next("Отметились: 0 из 5")
		if label == "member" {
			leader.press(view, "Отметить вручную")
			list := leader.next("Отметить вручную")
			leader.handle(Update{Press: &Press{ID: "member", Verb: verbCheckinMember, Args: []string{strconv.FormatUint(eventID, 10), "1002"}, Message: list.ID}})
		} else {
			leader.press(view, label)
		}
		over := leader.next()
		if over.ID != view.ID || strings.Contains(over.Text, "Отметились: 0") {
			t.Fatalf("%s: not drawn in place of the view: %q", label, over.Text)
		}
		ann.handleOnly(Update{Command: "start", Args: "c_" + checkinToken(t, m, eventID)})
		m.deliver()
		for c := leader.chat(); c.read < len(c.log); {
			if msg := leader.next(); msg.ID == view.ID && strings.Contains(msg.Text, "Отметились: 1 из 5") {
				t.Errorf("%s: the check-in view was drawn over it: %q", label, msg.Text)
			}
		}
	}
}

// TestCardWaitingIsNotDrawnOverAForm: an answer's drawing of the card
// still waits in the outbox (a notice) when the leader opens the event's
// edit menu on the card (a reply, which goes first); the drawing is not
// delivered over the menu.
func TestCardWaitingIsNotDrawnOverAForm(t *testing.T) {
	m := newMemory(t, nil)
	m.seedMeeting(301, 310, 311)
	leader, ann := m.person(301, "Ольга"), m.person(310, "Анна")
	card := publishCard(leader, "Ответили 0 из 2")
	announcement := ann.next("Новое мероприятие")
	ann.handleOnly(ann.pressOf(announcement, "Приду"))
	m.engine.follow.Wait() // the card's drawing waits in the outbox
	leader.handleOnly(leader.pressOf(card, "Изменить"))
	m.deliver()
	for _, msg := range leader.chat().msgs {
		if msg.ID == card.ID && strings.Contains(msg.Text, "Ответили") {
			t.Errorf("the card was drawn over the edit menu: %q", msg.Text)
		}
	}
}

// TestOneCardPerMessage: the leader opens one event's card, goes back to
// the list of events on the same message and opens another's there; an
// answer to the first event draws its card nowhere (its record still
// names the message), and the second card shows on.
func TestOneCardPerMessage(t *testing.T) {
	m := newMemory(t, nil)
	aid, _ := m.seedMeeting(301, 310, 311)
	if err := m.db.Update(func(tx *boltdb.Tx) error {
		return tx.CreateEvent(&mmo.Event{AssociationID: aid, Format: mmo.FormatSeminar, Topic: "Второе заседание", Start: m.clock.Now().Add(9 * 24 * time.Hour),
			Duration: 90 * time.Minute, Place: "МБОУ СОШ № 5", State: mmo.EventDraft, CreatedBy: 301})
	}); err != nil {
		t.Fatal(err)
	}
	leader, ann := m.person(301, "Ольга"), m.person(310, "Анна")
	card := publishCard(leader, "Ответили 0 из 2")
	announcement := ann.next("Новое мероприятие")
	leader.press(card, "К мероприятиям")
	list := leader.next("Второе заседание")
	leader.press(list, "Второе заседание")
	if second := leader.next("Второе заседание", "Черновик"); second.ID != card.ID {
		t.Fatalf("the second card came in message %s, not in place of the list %s", second.ID, card.ID)
	}
	ann.press(announcement, "Приду")
	ann.next("Ваш ответ")
	leader.quiet()
	for _, msg := range leader.chat().msgs {
		if msg.ID == card.ID && !strings.Contains(msg.Text, "Второе заседание") {
			t.Errorf("the first event's card was drawn over the second's: %q", msg.Text)
		}
	}
}

// TestCardBackOverItsForm: the leader changes the place from the card's
// edit menu, drawn over the card; saving draws the card back on its
// message by its key, which shows the card again, so a member's answer
// afterwards draws it there too.
func TestCardBackOverItsForm(t *testing.T) {
	m := newMemory(t, nil)
	m.seedMeeting(301, 310, 311)
	leader, ann := m.person(301, "Ольга"), m.person(310, "Анна")
	card := publishCard(leader, "Ответили 0 из 2")
	announcement := ann.next("Новое мероприятие")
	leader.press(card, "Изменить")
	menu := leader.next("Что изменить?")
	leader.press(menu, "Место")
	leader.next("Новое место")
	leader.send("МБОУ СОШ № 7")
	leader.press(leader.next("Что изменится"), "Исправить без уведомления")
	for c := leader.chat(); c.read < len(c.log); {
		leader.next()
	}
	for c := ann.chat(); c.read < len(c.log); {
		if msg := ann.next(); msg.ID == announcement.ID {
			announcement = msg // as the change left it
		}
	}
	if a := ann.press(announcement, "Приду"); a.Alert {
		t.Fatalf("the answer was refused: %q", a.Text)
	}
	last := lastOn(leader, card.ID)
	if !strings.Contains(last.Text, "МБОУ СОШ № 7") || !strings.Contains(last.Text, "Ответили 1 из 2") {
		t.Errorf("the card after the change and an answer: %q, want the new place and the answer", last.Text)
	}
}

// TestCardDrawnByAPressReplacesAWaitingDrawing: an answer's drawing of
// the card waits in the outbox (a notice) when the leader reminds the
// silent from the card, which draws the card anew, without the reminder's
// button, in place (a reply, which goes first); the waiting drawing, of
// the card before the reminder, is not delivered after it.
func TestCardDrawnByAPressReplacesAWaitingDrawing(t *testing.T) {
	m := newMemory(t, nil)
	_, eventID := m.seedMeeting(301, 310, 311)
	leader, ann := m.person(301, "Ольга"), m.person(310, "Анна")
	card := publishCard(leader, "Ответили 0 из 2")
	announcement := ann.next("Новое мероприятие")
	ann.handleOnly(ann.pressOf(announcement, "Приду"))
	m.engine.follow.Wait() // the card's drawing, with the reminder's button, waits
	id := strconv.FormatUint(eventID, 10)
	leader.handleOnly(Update{Press: &Press{ID: "nudge", Verb: verbEventNudge, Args: []string{id, "y"}, Message: card.ID}})
	m.deliver()
	for _, msg := range leader.chat().msgs {
		if msg.ID != card.ID {
			continue
		}
		if !strings.Contains(msg.Text, "Ответили 1 из 2") {
			t.Errorf("the card: %q, want the answer", msg.Text)
		}
		if _, ok := msg.button("Напомнить"); ok {
			t.Errorf("the card after the reminder offers it again: %v", msg.Buttons)
		}
	}
}

// TestCardRefreshAnsweredAtOnce: «Обновить» on the card's own message,
// with nothing of the card waiting in the outbox, writes nothing and is
// answered at once, as a view is.
func TestCardRefreshAnsweredAtOnce(t *testing.T) {
	var given int
	take := 0
	m := newMemory(t, func(o *Options) {
		o.Transports[0].SendNow = func(_ context.Context, _ int64, msgs []Message) int {
			given += len(msgs)
			return min(take, len(msgs))
		}
	})
	m.seedMeeting(301, 310, 311)
	leader := m.person(301, "Ольга")
	card := publishCard(leader, "Ответили 0 из 2")
	take = 100
	commits := m.db.Commits()
	if res := leader.handleOnly(leader.pressOf(card, "Обновить")); res.Queued || given == 0 {
		t.Errorf("«Обновить» on the card was not answered at once: queued %v, sent at once %d", res.Queued, given)
	}
	if n := m.db.Commits() - commits; n != 0 {
		t.Errorf("«Обновить» on the card wrote %d transactions", n)
	}
}

// TestCardOpenedOnTwoListsAtOnce: the leader opens the same event from
// two lists before either reply goes; both lists turn into the card.
func TestCardOpenedOnTwoListsAtOnce(t *testing.T) {
	m := newMemory(t, nil)
	m.seedMeeting(301, 310, 311)
	leader := m.person(301, "Ольга")
	publishCard(leader, "Ответили 0 из 2")
	leader.send("/meetings")
	l1 := leader.next("Проектная деятельность")
	leader.send("/meetings")
	l2 := leader.next("Проектная деятельность")
	leader.handleOnly(leader.pressOf(l1, "Проектная деятельность"))
	leader.handleOnly(leader.pressOf(l2, "Проектная деятельность"))
	m.deliver()
	for _, msg := range leader.chat().msgs {
		if (msg.ID == l1.ID || msg.ID == l2.ID) && !strings.Contains(msg.Text, "Ответили 0 из 2") {
			t.Errorf("message %s, a list the card was opened on: %q", msg.ID, msg.Text)
		}
	}
}
