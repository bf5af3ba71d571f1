package app

import (
	"errors"
	"strings"
	"testing"

	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/telegram"
)

// The tests of settings run through both messengers (see
// forEachMessenger).

func TestSettingsLanguageSwitch(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		u := h.person(on, 201, "Мария")
		enrol(t, u, "Иванова Мария Петровна", "Лицей № 1", "учитель химии")

		u.send("/settings")
		s := expect(t, u, "Ваш профиль", "Иванова Мария Петровна", "Язык: Русский")
		if a := u.press(t, s, "English"); !strings.Contains(a, "Language changed") {
			t.Errorf("answer %q", a)
		}
		edited := expect(t, u, "Your profile", "Language: English")
		if edited.id != s.id {
			t.Error("the settings message was not edited in place")
		}
		if !edited.has("✓ English") {
			t.Errorf("the chosen language is not marked: %v", edited.buttons)
		}
		u.send("/help")
		expect(t, u, "Home", "I am here")
		if got := h.stored(u); got.Lang != "en" {
			t.Errorf("stored language %q", got.Lang)
		}
		// The chat's own menu follows the language, where a messenger has
		// menus per chat (MAX has one per bot).
		if on == telegram.Messenger {
			h.srv.Settle(t)
			if cmds := h.srv.ChatCommands(201); !strings.Contains(describe(cmds, "help"), "bot") {
				t.Errorf("chat menu after switching to English: %+v", cmds)
			}
		}

		// And back.
		u.send("/settings")
		u.press(t, expect(t, u, "Your profile"), "Русский")
		expect(t, u, "Ваш профиль", "Язык: Русский")
	})
}

func TestSettingsEditProfile(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		u := h.person(on, 202, "Пётр")
		enrol(t, u, "Петров Пётр Петрович", "Школа № 2", "учитель физики")

		u.send("/settings")
		u.press(t, expect(t, u, "Ваш профиль"), "Изменить организацию")
		expect(t, u, "новое название организации")
		u.send(strings.Repeat("Ш", 201))
		expect(t, u, "Слишком длинно: не больше 200 символов")
		u.send("/start") // a command in the middle abandons the form...
		expect(t, u, "С возвращением")
		u.send("Гимназия № 7")
		expect(t, u, "Не понял") // ...so the text is not taken as the school
		if got := h.stored(u); got.School != "Школа № 2" {
			t.Fatalf("school changed to %q", got.School)
		}

		u.send("/settings")
		u.press(t, expect(t, u, "Ваш профиль"), "Изменить организацию")
		expect(t, u, "новое название организации")
		u.send("Гимназия № 7")
		expect(t, u, "Сохранено")
		expect(t, u, "Ваш профиль", "Гимназия № 7")
		if got := h.stored(u); got.School != "Гимназия № 7" {
			t.Errorf("school = %q", got.School)
		}

		// /cancel keeps the old value.
		u.send("/settings")
		u.press(t, expect(t, u, "Ваш профиль"), "Изменить ФИО")
		expect(t, u, "новые фамилию")
		u.send("/cancel")
		expect(t, u, "Отменено")
		if got := h.stored(u); got.Name != "Петров Пётр Петрович" {
			t.Errorf("name = %q after /cancel", got.Name)
		}
	})
}

func TestDeleteMyData(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		u := h.person(on, 203, "Анна")
		enrol(t, u, "Смирнова Анна Ивановна", "Школа № 9", "учитель музыки")

		u.send("/settings")
		s := expect(t, u, "Ваш профиль")
		u.press(t, s, "Удалить мои данные")
		u.press(t, expect(t, u, "Удалить ваши персональные данные?"), "Нет")
		expect(t, u, "Ваш профиль")
		uid := h.stored(u).ID
		u.press(t, s, "Удалить мои данные")
		u.press(t, expect(t, u, "Удалить ваши персональные данные?"), "Да, удалить")
		expect(t, u, "Ваши данные удалены")
		if _, err := h.lookup(u); !errors.Is(err, mmo.ErrNotFound) {
			t.Errorf("user still stored: %v", err)
		}
		if log, _ := h.m.DB.AuditLog(uid); len(log) != 1 || log[0].Action != "user.delete" {
			t.Errorf("audit = %+v", log)
		}
		u.send("/settings")
		expect(t, u, "Сначала зарегистрируйтесь")
	})
}
