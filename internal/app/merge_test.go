package app

import (
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/render"
)

// announceNow has the leader publish a заседание on 23.11 at 12:10 (ten
// minutes from the harness's clock), and returns each member's
// announcement and check-in message.
func announceNow(t *testing.T, tm team, topic string) (ann, here []msg) {
	t.Helper()
	l := tm.leader
	l.send("/newevent")
	l.press(t, expect(t, l, "Выберите формат"), "Заседание")
	expect(t, l, "Формат: Заседание")
	expect(t, l, "Тема мероприятия?")
	l.send(topic)
	expect(t, l, "Когда?")
	l.send("23.11 12:10")
	l.press(t, expect(t, l, "Правильно: <b>23 ноября 2026"), "Да, верно")
	expect(t, l, "23 ноября 2026")
	l.press(t, expect(t, l, "Сколько продлится?"), "1,5 ч")
	expect(t, l, "Длительность")
	expect(t, l, "Где пройдёт?")
	l.send("МБОУ СОШ № 5, каб. 21")
	expect(t, l, "Ссылка на онлайн")
	l.send("-")
	expect(t, l, "Повестка")
	l.send("-")
	expect(t, l, "Черновик сохранён")
	l.press(t, expect(t, l, "Черновик: участники его ещё не видят"), "Опубликовать")
	expect(t, l, "Объявлено")
	for _, u := range tm.members {
		ann = append(ann, expect(t, u, "Новое мероприятие", topic))
		here = append(here, expect(t, u, "Открыта отметка", topic))
	}
	return ann, here
}

// TestLinkMergesTwoHistories: one teacher registered on Telegram and,
// under another spelling, on MAX, and took part through both. Linking
// the accounts shows what the MAX profile has, and once confirmed makes
// one member with both histories: the справка lists the events of both,
// the answer both gave to one event is the later one, and it is said.
func TestLinkMergesTwoHistories(t *testing.T) {
	h := newHarnessOn(t, true, true, nil)
	tm := newTeam(t, h, "telegram", "telegram", "max")
	onTG, onMax := tm.members[0], tm.members[1]

	// Both answer the first заседание, the MAX profile later; both
	// check in.
	ann, here := announceNow(t, tm, "Итоги первой четверти")
	onTG.press(t, ann[0], "Приду")
	expect(t, onTG, "придёте")
	h.clock.Add(time.Minute)
	onMax.press(t, ann[1], "Не смогу")
	expect(t, onMax, "не сможете")
	for i, p := range []person{onTG, onMax} {
		p.press(t, here[i], "Я на месте")
		expect(t, p, "Вы отмечены")
	}
	// Only the MAX profile is at the second, and keeps a register.
	h.quiet()
	for _, p := range []person{tm.leader, onTG, onMax} {
		p.drain()
	}
	_, here = announceNow(t, tm, "Наставничество")
	onMax.press(t, here[1], "Я на месте")
	expect(t, onMax, "Вы отмечены")
	onMax.send("/registers")
	onMax.press(t, expect(t, onMax, "Реестры «ММО учителей математики»"), "Публикация")
	expect(t, onMax, "Публикация — запись")
	expect(t, onMax, "Где опубликовано?")
	onMax.send("сборник МБУ МЦ")
	expect(t, onMax, "Название публикации?")
	onMax.send("Смысловое чтение")
	expect(t, onMax, "Записано:")
	h.clock.Add(2 * time.Hour) // both held
	h.quiet()
	for _, p := range []person{tm.leader, onTG, onMax} {
		p.drain()
	}
	kept, gone := h.stored(onTG), h.stored(onMax)

	onTG.send("/link")
	code := linkCodeRE.FindStringSubmatch(expect(t, onTG, "Привязка аккаунта").text)[1]
	onMax.send("/link " + code)
	offer := expect(t, onMax, "уже зарегистрирован как <b>Борисов Борис Борисович</b>", "Объединить его с профилем <b>Антонова Анна Антоновна</b>",
		"объединения: 1", "ответы на приглашения: 1", "отметки о посещении: 2", "записи в реестрах: 1")
	// Nothing moves before the person confirms.
	if u := h.stored(onMax); u.ID != gone.ID {
		t.Fatalf("merged before the confirmation")
	}
	onMax.press(t, offer, "Объединить")
	done := expect(t, onMax, "объединён с профилем «Антонова Анна Антоновна»", "Перешло:",
		"Было в обоих профилях — оставлена более поздняя запись:",
		"ответ на приглашение: «Итоги первой четверти», 23.11.2026",
		"отметка о посещении: «Итоги первой четверти», 23.11.2026")
	if done.id != offer.id {
		t.Error("the offer was not replaced by the outcome")
	}
	expect(t, onMax, "Бот присылает объявления") // what the bot does, for the profile now joined
	if a, b := h.stored(onTG), h.stored(onMax); a.ID != kept.ID || b.ID != kept.ID || len(a.Accounts) != 2 || a.Name != "Антонова Анна Антоновна" {
		t.Fatalf("not one person: %d %v / %d %v", a.ID, a.Accounts, b.ID, b.Accounts)
	}
	// The later answer stayed; the other profile's id reads as the kept
	// person; nothing is left under it.
	err := h.m.DB.View(func(tx *boltdb.Tx) error {
		events, err := tx.AssociationEvents(associationID(t, h, "ММО учителей математики"), time.Time{}, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			return err
		}
		for _, e := range events {
			if e.Topic != "Итоги первой четверти" {
				continue
			}
			if r, err := tx.RSVP(e, kept.ID); err != nil || r.Answer != mmo.AnswerNo {
				t.Errorf("the kept answer: %+v %v, want the later «Не смогу»", r, err)
			}
		}
		if u, err := tx.User(gone.ID); err != nil || u.ID != kept.ID {
			t.Errorf("the merged id: %+v %v", u, err)
		}
		if ms, _ := tx.UserMemberships(gone.ID); len(ms) != 0 {
			t.Errorf("memberships left under the merged id: %v", ms)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// One history: the справка from either messenger lists both events.
	onMax.send("/history")
	hist := expect(t, onMax, "2026/2027 учебный год — 2 мероприятия")
	onMax.press(t, hist, "за всё время")
	rec := onMax.next(t)
	text, err := render.DOCXText(rec.file)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Антонова Анна Антоновна", "Итоги первой четверти", "Наставничество", "Всего: 2 мероприятия"} {
		if !strings.Contains(text, want) {
			t.Errorf("the справка lacks %q:\n%s", want, text)
		}
	}
	onTG.send("/history")
	expect(t, onTG, "2026/2027 учебный год — 2 мероприятия")
	// The register entry is the kept person's.
	onTG.send("/registers")
	onTG.press(t, expect(t, onTG, "Реестры"), "Мои записи")
	expect(t, onTG, "Смысловое чтение")
}
