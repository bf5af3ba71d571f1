package mmo

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestValidateName(t *testing.T) {
	tests := []struct {
		in, want string
		code     Code
	}{
		{"Иванова Мария Петровна", "Иванова Мария Петровна", ""},
		{"  Иванова   Мария  ", "Иванова Мария", ""},
		{"Салтыков-Щедрин Михаил", "Салтыков-Щедрин Михаил", ""},
		{"О'Коннор Анна", "О'Коннор Анна", ""},
		{"Петров П. П.", "Петров П. П.", ""},
		{"John Smith", "John Smith", ""},
		{"Иванова", "", CodeInvalid},     // one word
		{"Иванова 123", "", CodeInvalid}, // digits
		{"Иванова <b>Мария</b>", "", CodeInvalid},
		{"-Иванова Мария", "", CodeInvalid}, // starts with a hyphen
		{"", "", CodeTooShort},
		{"Ян Ли", "Ян Ли", ""},
		{"Я Л", "", CodeTooShort},
		{strings.Repeat("Я", 60) + " " + strings.Repeat("Я", 60), "", CodeTooLong},
	}
	for _, tt := range tests {
		got, err := ValidateName(tt.in)
		if tt.code != "" {
			if err == nil || ErrorCode(err) != tt.code {
				t.Errorf("ValidateName(%q) error = %v, want code %s", tt.in, err, tt.code)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ValidateName(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestValidateFreeText(t *testing.T) {
	tests := []struct {
		field, in string
		code      Code
	}{
		{FieldSchool, "МБОУ «СОШ № 5»", ""},
		{FieldSchool, "Лицей 33", ""},
		{FieldSchool, "33", CodeTooShort},
		{FieldSchool, "№ 33", CodeInvalid}, // no letter besides the sign
		{FieldSchool, "/start", CodeInvalid},
		{FieldSchool, strings.Repeat("ш", SchoolMax+1), CodeTooLong},
		{FieldSchool, strings.Repeat("ш", SchoolMax), ""},
		{FieldPosition, "учитель математики", ""},
		{FieldPosition, "12345", CodeInvalid},
		{FieldPosition, "уч", CodeTooShort},
		{FieldPosition, strings.Repeat("у", PositionMax+1), CodeTooLong},
		{"unknown", "текст", CodeInvalid},
	}
	for _, tt := range tests {
		_, err := ValidateField(tt.field, tt.in)
		if got := codeOf(err); got != tt.code {
			t.Errorf("ValidateField(%s, %q) code = %q, want %q (err %v)", tt.field, tt.in, got, tt.code, err)
		}
	}
}

func codeOf(err error) Code {
	if err == nil {
		return ""
	}
	return ErrorCode(err)
}

func TestRoles(t *testing.T) {
	now := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		user  User
		admin bool
		want  Role
	}{
		{"newcomer", User{ID: 1}, false, RoleGuest},
		{"unregistered admin", User{ID: 1}, true, RoleGuest},
		{"member", User{ID: 1, RegisteredAt: now}, false, RoleMember},
		{"coordinator", User{ID: 1, RegisteredAt: now, Coordinator: true}, false, RoleCoordinator},
		{"leader", User{ID: 1, RegisteredAt: now, LeaderOf: []uint64{3}}, false, RoleLeader},
		{"coordinator and leader", User{ID: 1, RegisteredAt: now, Coordinator: true, LeaderOf: []uint64{3}}, false, RoleCoordinator},
		{"admin", User{ID: 1, RegisteredAt: now}, true, RoleAdmin},
		{"admin and coordinator", User{ID: 1, RegisteredAt: now, Coordinator: true}, true, RoleAdmin},
	}
	for _, tt := range tests {
		if got := tt.user.Role(tt.admin); got != tt.want {
			t.Errorf("%s: Role = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestUseAccount(t *testing.T) {
	tg := Account{Messenger: "telegram", ID: 7}
	mx := Account{Messenger: "max", ID: 9, Chat: 123}
	tests := []struct {
		name    string
		have    []Account
		use     Account
		want    []Account
		changed bool
	}{
		{"first account", nil, tg, []Account{tg}, true},
		{"the same again", []Account{tg}, tg, []Account{tg}, false},
		{"another messenger goes first", []Account{tg}, mx, []Account{mx, tg}, true},
		{"back to the first", []Account{mx, tg}, tg, []Account{tg, mx}, true},
		{"the chat, once known, is kept", []Account{mx, tg}, Account{Messenger: "max", ID: 9}, []Account{mx, tg}, false},
		{"a new chat replaces the old", []Account{mx}, Account{Messenger: "max", ID: 9, Chat: 456}, []Account{{Messenger: "max", ID: 9, Chat: 456}}, true},
	}
	for _, tt := range tests {
		u := &User{Accounts: append([]Account(nil), tt.have...)}
		changed := u.UseAccount(tt.use)
		if changed != tt.changed || !slices.Equal(u.Accounts, tt.want) {
			t.Errorf("%s: %v, changed %v; want %v, %v", tt.name, u.Accounts, changed, tt.want, tt.changed)
		}
		if a, ok := u.Reach(); !ok || a != tt.want[0] {
			t.Errorf("%s: Reach = %v, %v", tt.name, a, ok)
		}
	}
	if _, ok := (&User{}).Reach(); ok {
		t.Error("a user without accounts is reachable")
	}
	if got := mx.ChatID(); got != 123 {
		t.Errorf("ChatID of a MAX dialog = %d", got)
	}
	if got := tg.ChatID(); got != 7 {
		t.Errorf("ChatID of a Telegram account = %d", got)
	}
}
