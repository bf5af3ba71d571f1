package app

import (
	"testing"

	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// minutesHead answers the head of the minutes form: the leader as chair,
// the secretary (none when empty) and no guests.
func minutesHead(t *testing.T, leader *telegramtest.User, secretary string) {
	t.Helper()
	press(t, leader, next(t, leader, "Кто председательствовал"), "Председатель — Лидерова О. И.")
	next(t, leader, "Председатель: Лидерова О. И.")
	sec := next(t, leader, "секретарь")
	if secretary == "" {
		press(t, leader, sec, "Пропустить")
		next(t, leader, "Пропущено")
	} else {
		leader.Send(secretary)
	}
	press(t, leader, next(t, leader, "Приглашённые"), "Пропустить")
	next(t, leader, "Пропущено")
}
