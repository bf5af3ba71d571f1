//go:build fixture

package app

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// upgradeManifest describes what the fixture database holds beyond what
// the upgrade test knows by heart: the message ids the bot had on record
// when it stopped.
type upgradeManifest struct {
	// Clock is the harness clock when the bot stopped.
	Clock time.Time `json:"clock"`
	// Schema is the schema version the fixture was written with.
	Schema int `json:"schema"`
	// CardMessage is the message id of the leader's open card of the
	// seminar (chat 301), CheckinMessage that of the open check-in view
	// of the meeting.
	CardMessage    int `json:"card_message"`
	CheckinMessage int `json:"checkin_message"`
	// Pending is how many outbox items were left unsent, by chat.
	Pending map[int64]int `json:"pending"`
}

// TestWriteUpgradeFixture writes testdata/upgrade/v7.db, a database
// written by the build of schema version 7 (the last where a user's id
// was their Telegram id), for the upgrade test. It is run once, by hand:
//
//	MMOBOT_WRITE_FIXTURE=1 go test -tags fixture -run TestWriteUpgradeFixture ./internal/app/
//
// What it holds: an admin (coordinator), a leader and four members of an
// association; a meeting answered, checked in and with approved minutes;
// a submitted plan and report; a consultation answered and followed up;
// two forms left half-filled; and a seminar whose announcement reached two
// members while the sends to the other two hung, so that its broadcast is
// half delivered and the rest waits in the outbox.
func TestWriteUpgradeFixture(t *testing.T) {
	if os.Getenv("MMOBOT_WRITE_FIXTURE") == "" {
		t.Skip("writes the committed fixture: set MMOBOT_WRITE_FIXTURE=1")
	}
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович",
		"Васильева Вера Васильевна", "Григорьев Гордей Гордеевич")
	ant, bor, vas, gri := us[0], us[1], us[2], us[3]
	coord := coordinatorChat(h)
	addConsultant(t, leader, bor, "Борисов Борис Борисович")
	h.quiet()
	drainAll(leader, coord, ant, bor, vas, gri)

	// The meeting: now (12:10 in Moscow), its check-in open at once.
	draft := scheduleEvent(t, leader, "Заседание", "Итоги первой четверти", "23.11 12:10", "23 ноября 2026 (понедельник), 12:10")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	ann := map[*telegramtest.User]telegramtest.Message{}
	here := map[*telegramtest.User]telegramtest.Message{}
	for _, u := range us {
		ann[u] = next(t, u, "Новое мероприятие")
		here[u] = next(t, u, "Открыта отметка")
	}
	press(t, ant, ann[ant], "Приду")
	press(t, bor, ann[bor], "Не смогу")
	press(t, vas, ann[vas], "Возможно")
	press(t, ant, here[ant], "Я на месте")
	press(t, vas, here[vas], "Я на месте")
	h.quiet()
	drainAll(leader, coord, ant, bor, vas, gri)
	checkin, _, _ := openCheckin(t, leader, "Итоги первой четверти")
	h.quiet()
	drainAll(leader)

	// Its minutes, approved.
	h.clock.Add(30 * time.Minute)
	leader.Send("/meetings")
	press(t, leader, next(t, leader, "Итоги первой четверти"), "Итоги первой четверти")
	card := next(t, leader, "Заседание № 1")
	press(t, leader, card, "Протокол")
	m := next(t, leader, "Протокол: Заседание № 1", "Протокол ещё не составлен")
	press(t, leader, m, "Составить протокол")
	next(t, leader, "Составим протокол")
	next(t, leader, "секретарь")
	leader.Send("Антонова Анна Антоновна")
	next(t, leader, "Вопрос 1 из 2:</b> Итоги олимпиады", "СЛУШАЛИ")
	leader.Send("Лидерову О. И. — об итогах школьного этапа олимпиады")
	next(t, leader, "ВЫСТУПИЛИ")
	leader.Send("Антонова А. А.: предложила провести разбор заданий")
	next(t, leader, "РЕШИЛИ")
	leader.Send("Провести разбор заданий на следующем заседании.")
	next(t, leader, "Голосование по вопросу 1")
	leader.Send("2 0 0")
	next(t, leader, "Вопрос 2 из 2:</b> Разное")
	leader.Send("Лидерову О. И. — о плане на декабрь")
	next(t, leader, "ВЫСТУПИЛИ")
	leader.Send("-")
	next(t, leader, "РЕШИЛИ")
	leader.Send("Принять к сведению.")
	press(t, leader, next(t, leader, "Голосование по вопросу 2"), "Без голосования")
	next(t, leader, "без голосования")
	next(t, leader, "Черновик протокола сохранён")
	leader.Next(t) // the draft's DOCX
	press(t, leader, next(t, leader, "Черновик, редакция 1"), "Утвердить")
	next(t, leader, "Утверждён (редакция 1")
	h.quiet()
	drainAll(leader, coord, ant, bor, vas, gri)

	// The plan, submitted.
	leader.Send("/plan")
	plan := next(t, leader, "План работы «ММО учителей математики» на 2026/2027 учебный год")
	plan = addPlanItem(t, leader, plan, "Декабрь", "Функциональная грамотность на уроках математики", "Семинар")
	press(t, leader, plan, "Отправить на согласование")
	next(t, leader, "Отправлен координатору")
	next(t, coord, "отправлен на согласование")

	// The report, submitted.
	leader.Send("/report")
	rep := next(t, leader, "Отчёт «ММО учителей математики» за 2026/2027 учебный год")
	press(t, leader, rep, "2. Основные")
	next(t, leader, "Раздел 2. Основные направления")
	leader.Send("Работа над методической темой «Функциональная грамотность».")
	next(t, leader, "Сохранено")
	rep = next(t, leader, "✅ 2. Основные направления")
	press(t, leader, rep, "Отправить координатору")
	press(t, leader, next(t, leader, "Не заполнены разделы"), "Да, отправить")
	next(t, leader, "Отправлен координатору")
	next(t, coord, "отправлен координатору")
	h.quiet()
	drainAll(leader, coord, ant, bor, vas, gri)

	// A consultation, answered by the consultant and followed up.
	ask(t, vas, "Аттестация", "Какие документы нужны для портфолио на первую категорию?")
	note := next(t, bor, "Новое обращение", "Обращение № 1")
	press(t, bor, note, "Взять в работу")
	cc := next(t, bor, "Статус: в работе")
	next(t, vas, "взято в работу")
	press(t, bor, cc, "Ответить")
	next(t, bor, "Напишите ответ по обращению № 1")
	bor.Send("Нужны заявление и аналитическая справка.")
	next(t, bor, "Отправлено")
	answer := next(t, vas, "Ответ по обращению № 1")
	press(t, vas, answer, "Уточнить")
	next(t, vas, "Напишите уточнение")
	vas.Send("А справку кто подписывает?")
	next(t, vas, "Отправлено")
	next(t, bor, "Уточнение по обращению № 1")
	h.quiet()
	drainAll(leader, coord, ant, bor, vas, gri)

	// Two forms left half-filled: a member's question, a newcomer's
	// registration.
	gri.Send("/ask")
	press(t, gri, next(t, gri, "Выберите тему"), "Аттестация")
	next(t, gri, "Тема: Аттестация")
	next(t, gri, "Опишите вопрос")
	guest := h.user(320, "Гость")
	guest.Send("/start")
	next(t, guest, "Здравствуйте")
	press(t, guest, next(t, guest, "152-ФЗ"), "Согласен")
	next(t, guest, "Согласие получено")
	next(t, guest, "Шаг 1 из 3")
	guest.Send("Гостева Галина Петровна")
	next(t, guest, "Шаг 2 из 3")
	h.quiet()
	drainAll(leader, coord, ant, bor, vas, gri, guest)

	// The seminar: its announcement reaches Антонова and Борисов; the
	// sends to Васильева and Григорьев hang until the bot stops, so half
	// of the broadcast stays in the outbox. The leader opens its card.
	draft = scheduleEvent(t, leader, "Семинар", "Проектная деятельность", "30.11 14:00", "30 ноября 2026 (понедельник), 14:00")
	h.srv.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: vas.ID, Kind: telegramtest.Hang})
	h.srv.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: gri.ID, Kind: telegramtest.Hang})
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	next(t, ant, "Новое мероприятие", "Проектная деятельность")
	next(t, bor, "Новое мероприятие", "Проектная деятельность")
	leader.Send("/meetings")
	press(t, leader, next(t, leader, "Ближайшие мероприятия", "Проектная деятельность"), "Проектная деятельность")
	seminar := next(t, leader, "Проектная деятельность", "Ответы")
	waitUntil(t, "both hanging sends", func() bool { return h.srv.Hanging("sendMessage") == 2 })
	// Their answers to what they type now wait behind the hung sends.
	vas.Send("/meetings")
	gri.Send("/help")
	h.srv.Settle(t)

	h.stop()

	// What the stopped bot left in the outbox.
	db, err := boltdb.Open(h.cfg.Data.Path, boltdb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	items, err := db.Outbox(0, 1000)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	pending := map[int64]int{}
	for _, it := range items {
		pending[it.ChatID]++
	}
	if pending[vas.ID] == 0 || pending[gri.ID] == 0 {
		t.Fatalf("the outbox lacks the hung announcements: %v", pending)
	}

	manifest := upgradeManifest{Clock: h.clock.Now(), Schema: 7, CardMessage: seminar.ID, CheckinMessage: checkin.ID, Pending: pending}
	dir := filepath.Join("testdata", "upgrade")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, h.cfg.Data.Path, filepath.Join(dir, "v7.db"))
	data, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "v7.json"), append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s: %+v", dir, manifest)
}

// drainAll drops what the users have not read yet.
func drainAll(us ...*telegramtest.User) {
	for _, u := range us {
		u.Drain()
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
