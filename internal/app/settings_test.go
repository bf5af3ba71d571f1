package app

import (
	"errors"
	"strings"
	"testing"

	"github.com/mmobot/mmobot/internal/mmo"
)

func TestSettingsLanguageSwitch(t *testing.T) {
	h := newHarness(t)
	u := h.user(201, "Мария")
	h.register(u, "Иванова Мария Петровна", "Лицей № 1", "учитель химии")

	u.Send("/settings")
	s := next(t, u, "Ваш профиль", "Иванова Мария Петровна", "Язык: Русский")
	a := press(t, u, s, "English")
	if !strings.Contains(a.Text, "Language changed") {
		t.Errorf("answer %q", a.Text)
	}
	edited := next(t, u, "Your profile", "Language: English")
	if edited.ID != s.ID {
		t.Error("the settings message was not edited in place")
	}
	if _, ok := edited.Button("✓ English"); !ok {
		t.Errorf("the chosen language is not marked: %v", edited.Buttons())
	}
	u.Send("/help")
	next(t, u, "Home", "I am here")
	got, _ := h.storedUser(201)
	if got.Lang != "en" {
		t.Errorf("stored language %q", got.Lang)
	}
	// The chat's own menu follows the language.
	h.srv.Settle(t)
	if cmds := h.srv.ChatCommands(201); !strings.Contains(describe(cmds, "help"), "bot") {
		t.Errorf("chat menu after switching to English: %+v", cmds)
	}

	// And back.
	u.Send("/settings")
	s = next(t, u, "Your profile")
	press(t, u, s, "Русский")
	next(t, u, "Ваш профиль", "Язык: Русский")
}

func TestSettingsEditProfile(t *testing.T) {
	h := newHarness(t)
	u := h.user(202, "Пётр")
	h.register(u, "Петров Пётр Петрович", "Школа № 2", "учитель физики")

	u.Send("/settings")
	press(t, u, next(t, u, "Ваш профиль"), "Изменить организацию")
	next(t, u, "новое название организации")
	u.Send(strings.Repeat("Ш", 201))
	next(t, u, "Слишком длинно: не больше 200 символов")
	u.Send("/start") // a command in the middle abandons the form...
	next(t, u, "С возвращением")
	u.Send("Гимназия № 7")
	next(t, u, "Не понял") // ...so the text is not taken as the school
	got, _ := h.storedUser(202)
	if got.School != "Школа № 2" {
		t.Fatalf("school changed to %q", got.School)
	}

	u.Send("/settings")
	press(t, u, next(t, u, "Ваш профиль"), "Изменить организацию")
	next(t, u, "новое название организации")
	u.Send("Гимназия № 7")
	next(t, u, "Сохранено")
	next(t, u, "Ваш профиль", "Гимназия № 7")
	got, _ = h.storedUser(202)
	if got.School != "Гимназия № 7" {
		t.Errorf("school = %q", got.School)
	}

	// /cancel keeps the old value.
	u.Send("/settings")
	press(t, u, next(t, u, "Ваш профиль"), "Изменить ФИО")
	next(t, u, "новые фамилию")
	u.Send("/cancel")
	next(t, u, "Отменено")
	got, _ = h.storedUser(202)
	if got.Name != "Петров Пётр Петрович" {
		t.Errorf("name = %q after /cancel", got.Name)
	}
}

func TestDeleteMyData(t *testing.T) {
	h := newHarness(t)
	u := h.user(203, "Анна")
	h.register(u, "Смирнова Анна Ивановна", "Школа № 9", "учитель музыки")

	u.Send("/settings")
	s := next(t, u, "Ваш профиль")
	press(t, u, s, "Удалить мои данные")
	confirm := next(t, u, "Удалить ваши персональные данные?")
	press(t, u, confirm, "Нет")
	next(t, u, "Ваш профиль")
	uid := h.uid(203)
	press(t, u, s, "Удалить мои данные")
	confirm = next(t, u, "Удалить ваши персональные данные?")
	press(t, u, confirm, "Да, удалить")
	next(t, u, "Ваши данные удалены")
	if _, err := h.storedUser(203); !errors.Is(err, mmo.ErrNotFound) {
		t.Errorf("user still stored: %v", err)
	}
	log, _ := h.m.DB.AuditLog(uid)
	if len(log) != 1 || log[0].Action != "user.delete" {
		t.Errorf("audit = %+v", log)
	}
	u.Send("/settings")
	next(t, u, "Сначала зарегистрируйтесь")
}
