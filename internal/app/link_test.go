package app

import (
	"regexp"
	"strings"
	"testing"
)

var linkCodeRE = regexp.MustCompile(`Код: <b>([A-Z0-9]{8})</b>`)

// TestLinkAccounts: a teacher on Telegram and the same teacher on MAX are
// two people until they link the accounts by a one-time code; then they
// are one member with one history, reached where they wrote last.
func TestLinkAccounts(t *testing.T) {
	h := newHarnessOn(t, true, true, nil)
	tm := newTeam(t, h, "telegram", "telegram")
	onTG := tm.members[0]
	onMax := h.person("max", 777, "Анна")

	// Until linked: a stranger to the bot.
	onMax.send("/start")
	expect(t, onMax, "Здравствуйте, Анна")
	expect(t, onMax, "152-ФЗ")
	if h.stored(onTG).ID == 0 {
		t.Fatal("no Telegram user")
	}

	onTG.send("/link")
	codeMsg := expect(t, onTG, "Привязка аккаунта", "В MAX: https://max.ru/")
	code := linkCodeRE.FindStringSubmatch(codeMsg.text)[1]

	onMax.send("/link ZZZZZZZZ")
	expect(t, onMax, "Код не подходит")
	inMax := regexp.MustCompile(`В MAX: (https://max\.ru/\S+)`).FindStringSubmatch(codeMsg.text)[1]
	onMax.open(t, inMax)
	expect(t, onMax, "Аккаунт MAX привязан к профилю <b>Антонова Анна Антоновна</b>")
	if a, b := h.stored(onTG), h.stored(onMax); a.ID != b.ID || len(a.Accounts) != 2 {
		t.Fatalf("not one person: %d %v / %d %v", a.ID, a.Accounts, b.ID, b.Accounts)
	}
	if d := h.dialog(onTG.account()); d != nil {
		t.Errorf("the registration begun on MAX is left: %+v", d)
	}
	// One-time.
	onMax.send("/link " + strings.ToLower(code))
	expect(t, onMax, "Код не подходит")

	// One history: the membership made on Telegram shows on MAX.
	onMax.send("/my")
	expect(t, onMax, "ММО учителей математики")

	// The leader publishes: the member gets it where they wrote last,
	// and the card counts one member.
	l := tm.leader
	l.send("/newevent")
	l.press(t, expect(t, l, "Выберите формат"), "Семинар")
	expect(t, l, "Формат: Семинар")
	expect(t, l, "Тема мероприятия?")
	l.send("Проектная деятельность")
	expect(t, l, "Когда?")
	l.send("30.11 14:00")
	l.press(t, expect(t, l, "Правильно"), "Да, верно")
	expect(t, l, "30 ноября 2026")
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
	expect(t, l, "Объявлено", "Ответили 0 из 1")
	ann := expect(t, onMax, "Новое мероприятие")
	onMax.press(t, ann, "Приду")
	expect(t, onMax, "Ваш ответ: ✅ придёте")
	expect(t, l, "Ответили 1 из 1: ✅ 1 · 🤔 0 · ❌ 0")

	// One account per messenger: a second MAX profile is not merged in.
	other := h.person("max", 778, "Борис")
	enrol(t, other, "Борисов Борис Борисович", "Школа № 2", "учитель")
	onTG.send("/link")
	code = linkCodeRE.FindStringSubmatch(expect(t, onTG, "Привязка аккаунта").text)[1]
	other.send("/link " + code)
	expect(t, other, "К профилю уже привязан аккаунт MAX")
}
