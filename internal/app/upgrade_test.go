package app

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/telegram"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// fixture is what testdata/upgrade/v7.json says of testdata/upgrade/v7.db,
// a database written by the build of schema version 7 (before users had
// ids of the bot's own, and before the conversation left the Telegram
// package); fixture_gen_test.go wrote both.
type fixture struct {
	Clock          time.Time     `json:"clock"`
	Schema         int           `json:"schema"`
	CardMessage    int           `json:"card_message"`
	CheckinMessage int           `json:"checkin_message"`
	Pending        map[int64]int `json:"pending"`
}

// The people of the fixture, by their Telegram ids.
const (
	fxLeader  = 301
	fxAnt     = 310
	fxBor     = 311
	fxVas     = 312
	fxGri     = 313
	fxGuest   = 320
	fxTeacher = 900001 // the admin, as a coordinator
)

// TestUpgradeFromVersion7 runs this build on a database the previous one
// wrote: every person, association, event and record is found; the
// messages it had queued (half of a broadcast and the replies behind it)
// are delivered, and their buttons, signed by the old build, work; the
// leader's card it had on record is changed in place; half-filled forms
// go on; and a newcomer gets an id of the bot's own.
func TestUpgradeFromVersion7(t *testing.T) {
	data, err := os.ReadFile("testdata/upgrade/v7.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx fixture
	if err := json.Unmarshal(data, &fx); err != nil {
		t.Fatal(err)
	}
	// Telegram's update ids go on from where the old build confirmed them.
	srv := telegramtest.NewServer(t, telegramtest.Options{FirstUpdateID: 1000})
	h := &harness{t: t, srv: srv, cfg: testConfig(t, srv), clock: &clock{t: fx.Clock}, logs: &telegramtest.LogBuffer{}}
	h.passOverDoneQuestions()
	db, err := os.ReadFile("testdata/upgrade/v7.db")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(h.cfg.Data.Path, db, 0o600); err != nil {
		t.Fatal(err)
	}
	// Everyone's chat exists before the bot sends what it had queued.
	users := map[int64]*telegramtest.User{}
	for _, id := range []int64{fxLeader, fxAnt, fxBor, fxVas, fxGri, fxGuest, fxTeacher} {
		users[id] = h.user(id, "")
	}
	h.start()
	t.Cleanup(func() {
		h.stop()
		if t.Failed() {
			t.Logf("bot log:\n%s", h.logs.String())
		}
	})

	// The queued messages arrive: the replies first, then the seminar.
	vas, gri := users[fxVas], users[fxGri]
	next(t, vas, "Ближайшие мероприятия")
	ann := next(t, vas, "Новое мероприятие", "Проектная деятельность", "Придёте?")
	next(t, gri, "Что можно сделать")
	next(t, gri, "Новое мероприятие", "Проектная деятельность")
	if got := len(vas.Messages()) + len(gri.Messages()); got != 4 {
		t.Errorf("%d messages delivered, the fixture left %v", got, fx.Pending)
	}

	// Everything the old build stored is found, under the same ids.
	h.settle()
	var seminar *mmo.Event
	err = h.m.DB.View(func(tx *boltdb.Tx) error {
		names := map[int64]string{fxLeader: "Лидерова Ольга Ивановна", fxAnt: "Антонова Анна Антоновна", fxBor: "Борисов Борис Борисович",
			fxVas: "Васильева Вера Васильевна", fxGri: "Григорьев Гордей Гордеевич", fxGuest: "", fxTeacher: "Координаторова Анна Петровна"}
		for tg, name := range names {
			u, err := tx.UserByAccount(telegram.Messenger, tg)
			if err != nil || u.ID != tg || u.Name != name {
				t.Errorf("Telegram user %d: %+v, %v; want %q under id %d", tg, u, err, name, tg)
			}
		}
		as, err := tx.Associations()
		if err != nil || len(as) != 1 || as[0].Name != "ММО учителей математики" || as[0].LeaderID != fxLeader || len(as[0].Consultants) != 1 {
			t.Fatalf("associations %+v, %v", as, err)
		}
		members, _, _ := tx.CountMembers(as[0].ID)
		if members != 5 {
			t.Errorf("%d members, want the leader and four", members)
		}
		var events []*mmo.Event
		tx.Events(func(e *mmo.Event) bool { events = append(events, e); return true })
		if len(events) != 2 || events[0].Topic != "Итоги первой четверти" || events[1].Topic != "Проектная деятельность" {
			t.Fatalf("events %v", events)
		}
		meeting := events[0]
		seminar = events[1]
		answers, _ := tx.RSVPs(meeting)
		if answers[fxAnt].Answer != mmo.AnswerYes || answers[fxBor].Answer != mmo.AnswerNo || answers[fxVas].Answer != mmo.AnswerMaybe {
			t.Errorf("answers %v", answers)
		}
		att, _ := tx.EventAttendance(meeting.ID)
		if att[fxAnt] == nil || att[fxVas] == nil || len(att) != 2 {
			t.Errorf("attendance %v", att)
		}
		ms, err := tx.MinutesVersions(meeting.ID)
		if err != nil || len(ms) != 1 || ms[0].Status != mmo.MinutesFinal {
			t.Errorf("minutes %+v, %v", ms, err)
		}
		year := 2026
		if p, err := tx.Plan(as[0].ID, year); err != nil || p.Status != mmo.DocSubmitted || len(p.Items) != 1 {
			t.Errorf("plan %+v, %v", p, err)
		}
		if r, err := tx.Report(as[0].ID, year); err != nil || r.Status != mmo.DocSubmitted {
			t.Errorf("report %+v, %v", r, err)
		}
		c, err := tx.Consultation(1)
		if err != nil || c.AskerID != fxVas {
			t.Errorf("consultation %+v, %v", c, err)
		} else if msgs, err := tx.ConsultMessages(c.ID); err != nil || len(msgs) < 2 {
			t.Errorf("the consultation's messages: %d, %v", len(msgs), err)
		}
		return tx.CheckIndexes()
	})
	if err != nil {
		t.Fatal(err)
	}

	// The old build's buttons still work; the card it had on record is
	// changed where it was (the fake server of this test never had that
	// message, so it is refused there: the call is what counts).
	if a := press(t, vas, ann, "Приду"); a.ShowAlert || !strings.Contains(a.Text, "Записано: ✅ придёте") {
		t.Errorf("answer to the old announcement: %+v", a)
	}
	next(t, vas, "Ваш ответ: ✅ придёте")
	waitUntil(t, "the leader's card to be changed", func() bool {
		for _, r := range srv.Requests() {
			if r.Method == "editMessageText" && r.Params.Get("chat_id") == "301" && r.Params.Get("message_id") == strconv.Itoa(fx.CardMessage) &&
				strings.Contains(r.Params.Get("text"), ": ✅ 1 · ") {
				return true // (earlier edits of the card show the delivery of the queued announcement)
			}
		}
		return false
	})
	h.settle()
	var bc *boltdb.Broadcast
	h.m.DB.View(func(tx *boltdb.Tx) error {
		e, _ := tx.Event(seminar.ID)
		bc, _ = tx.Broadcast(e.Announcement)
		return nil
	})
	if bc == nil || bc.Total != 4 || bc.Delivered != 4 || bc.Pending() != 0 {
		t.Errorf("the seminar's broadcast %+v, want all four delivered", bc)
	}

	// The half-filled registration goes on from where it stopped.
	guest := users[fxGuest]
	guest.Send("Лицей № 1")
	next(t, guest, "Шаг 3 из 3")
	guest.Send("учитель химии")
	next(t, guest, "вы зарегистрированы", "Гостева Галина Петровна")

	// A newcomer gets an id of the bot's own, above the old ones.
	newcomer := h.user(777, "Новый")
	h.register(newcomer, "Новикова Нина Николаевна", "Гимназия № 3", "учитель физики")
	if id := h.uid(777); id <= fxTeacher {
		t.Errorf("a newcomer got id %d", id)
	}
	if v, _ := h.m.DB.Version(); v != boltdb.SchemaVersion() || fx.Schema >= v {
		t.Errorf("schema version %d after the upgrade from %d", v, fx.Schema)
	}
}
