package chat

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// fuzzBot is a bot whose updates are handled inside a transaction that is
// rolled back, so that each fuzz input meets the same store.
type fuzzBot struct {
	bot *Engine
	db  *boltdb.DB
	now time.Time
	// ids: a leader, a member, a coordinator who is no member, a
	// newcomer who has sent /start, an admin.
	leader, member, other, guest, admin int64
	association, event                  uint64
	payloads                            []string // the deep links the store knows
}

var errRollback = errors.New("rolled back")

// newFuzzBot starts a bot on a store with an association, its leader, a
// member, a published event open for check-in, and their links.
func newFuzzBot(f *testing.F) *fuzzBot {
	fb := &fuzzBot{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), leader: 11, member: 12, other: 13, guest: 14, admin: 15}
	m := newMemory(f, func(o *Options) {
		o.Admins = memAccount(fb.admin)
		o.Now = func() time.Time { return fb.now }
	})
	fb.bot, fb.db = m.engine, m.db
	db := m.db
	err := db.Update(func(tx *boltdb.Tx) error {
		a := &mmo.Association{Name: "ММО учителей математики", Subject: "математика", Policy: mmo.PolicyOpen, ConsultToken: "consultTOKEN123"}
		if err := tx.CreateAssociation(a); err != nil {
			return err
		}
		fb.association = a.ID
		for _, id := range []int64{fb.leader, fb.member, fb.other, fb.admin} {
			u := &mmo.User{ID: id, Accounts: memAccount(id), Name: "Иванова Мария Петровна", School: "Школа № 5", Position: "учитель", RegisteredAt: fb.now, ConsentAt: fb.now,
				Coordinator: id == fb.other}
			if err := tx.PutUser(u); err != nil {
				return err
			}
		}
		// The newcomer has sent /start: known, not registered.
		if err := tx.PutUser(&mmo.User{ID: fb.guest, Accounts: memAccount(fb.guest), FirstName: "Гость", LanguageCode: "ru", CreatedAt: fb.now}); err != nil {
			return err
		}
		for _, id := range []int64{fb.leader, fb.member} {
			if err := tx.PutMembership(&mmo.Membership{AssociationID: a.ID, UserID: id, State: mmo.MemberActive, JoinedAt: fb.now}); err != nil {
				return err
			}
		}
		if err := tx.SetLeader(a.ID, fb.leader); err != nil {
			return err
		}
		e := &mmo.Event{AssociationID: a.ID, Format: mmo.FormatSeminar, Topic: "Функциональная грамотность", Start: fb.now.Add(10 * time.Minute),
			Duration: time.Hour, Place: "Школа № 5", State: mmo.EventPublished, Version: 1, CreatedBy: fb.leader, PublishedAt: fb.now,
			Checkin: mmo.Checkin{Code: "4321", Token: "checkinTOKEN456"}}
		if err := tx.CreateEvent(e); err != nil {
			return err
		}
		fb.event = e.ID
		if err := tx.PutCheckinToken(e.Checkin.Token, e.ID); err != nil {
			return err
		}
		fb.payloads = append(fb.payloads, "c_"+e.Checkin.Token, "q_"+a.ConsultToken)
		for _, kind := range []mmo.InviteKind{mmo.InviteMember, mmo.InviteLeader} {
			inv, err := mmo.NewInvite(kind, a.ID, fb.leader, fb.now, 0)
			if err != nil {
				return err
			}
			if err := tx.PutInvite(&inv); err != nil {
				return err
			}
			fb.payloads = append(fb.payloads, inv.Payload())
		}
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	return fb
}

// who maps a fuzzed byte to one of the users.
func (fb *fuzzBot) who(w uint8) int64 {
	return []int64{fb.leader, fb.member, fb.other, fb.guest}[int(w)%4]
}

// handle runs one update through the router and returns what the bot
// would send, as queued (long texts split), rolling the store back.
func (fb *fuzzBot) handle(t *testing.T, u Update, dialog ...*mmo.Dialog) []Message {
	t.Helper()
	var out []Message
	err := fb.db.Update(func(tx *boltdb.Tx) error {
		if len(dialog) > 0 {
			if err := tx.PutDialog(u.From.ID, dialog[0]); err != nil {
				return err
			}
		}
		r, err := fb.bot.newRequest(tx, &u)
		if err != nil {
			return err
		}
		if err := fb.bot.routes.handler(r); err != nil {
			return err
		}
		for _, m := range r.out {
			if m.messenger == "" {
				m.messenger = memoryName
			}
			out = append(out, fb.bot.split(m)...)
		}
		if r.answer != nil {
			out = append(out, Message{Kind: "answer", Text: r.answer.Text})
		}
		// What the engine writes into the outbox, it can write.
		if err := r.commit(); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		// The user would get "something went wrong": a bug.
		t.Fatalf("update failed: %v", err)
	}
	return out
}

// checkOut checks what the bot sends: valid HTML within the limit,
// buttons every transport can carry.
func (fb *fuzzBot) checkOut(t *testing.T, out []Message) {
	t.Helper()
	for _, m := range out {
		if m.Kind == KindSend || m.Kind == KindEdit {
			if textLen(m.Text) > memTransport.MaxText {
				t.Errorf("a message of %d characters", textLen(m.Text))
			}
			if _, err := parseTelegramHTML(m.Text); err != nil {
				t.Errorf("not valid HTML: %v\n%.300q", err, m.Text)
			}
		}
		for _, row := range m.Buttons {
			for _, b := range row {
				if err := checkButton(b); err != nil {
					t.Error(err)
				}
			}
		}
	}
}

// message is a text typed by from in their private chat.
func message(from int64, text string) Update {
	u := Update{Messenger: memoryName, ID: 1, From: &Sender{ID: from, FirstName: "Мария", LanguageCode: "ru"},
		Chat: from, Private: true, Text: text}
	if strings.HasPrefix(text, "/") {
		word, rest, _ := strings.Cut(text[1:], " ")
		u.Command, u.Args = strings.ToLower(word), strings.TrimSpace(rest)
	}
	return u
}

// FuzzUpdate sends one typed message, from each kind of user: deep links
// (/start payload), check-in codes, commands and any text. Whatever it
// is, the bot answers without failing, in valid HTML.
func FuzzUpdate(f *testing.F) {
	fb := newFuzzBot(f)
	seeds := []string{"/start", "/help", "/cancel", "/start j_", "/start c_", "/start q_", "/start l_", "/start x_y",
		"/start " + strings.Repeat("a", 64), "/start " + strings.Repeat("a", 65), "/start кириллица", "/start a/b", "/start j_AAAA",
		"4321", " 4321 ", "1234", "١٢٣٤", "/meetings", "/members", "/newevent", "/invite", "/my", "/ask", "/history",
		"/requests", "/plan", "/report", "/settings", "/overview", "/associations", "/propose", "привет", "<b>", "&amp;"}
	for _, p := range fb.payloads {
		seeds = append(seeds, "/start "+p, "/start "+p+"x", "/start "+p[:len(p)-1])
	}
	for i, s := range seeds {
		f.Add(s, uint8(i))
	}
	f.Fuzz(func(t *testing.T, text string, w uint8) {
		out := fb.handle(t, message(fb.who(w), text))
		fb.checkOut(t, out)
		if len(out) == 0 {
			t.Errorf("no answer to %q", text)
		}
	})
}

// FuzzCallback presses buttons the bot could have issued with any verb
// and arguments (the transport has checked the signature), as a modified
// client that somehow had them would: the bot answers without failing.
func FuzzCallback(f *testing.F) {
	fb := newFuzzBot(f)
	id := func(n uint64) string { return itoa(int64(n)) }
	for i, v := range [][]string{
		{verbLang, "en"}, {verbLang, "xx"}, {verbEditField, "name"}, {verbEditField, "nope"}, {verbCoordDel, "12", "y"},
		{verbMembers, id(fb.association), "0"}, {verbMembers, id(fb.association), "-1"}, {verbMembers, "999", "99999999999999999999"},
		{verbEventPublish, id(fb.event)}, {verbEventPublish, "x"}, {verbCheckinRotate, id(fb.event)}, {verbCheckinQR, id(fb.event)},
		{verbCheckinWindow, id(fb.event), "b", "15"}, {verbCheckinWindow, id(fb.event), "a", "-99999"}, {verbConsent, "0", "agree"},
		{verbRemove, id(fb.association), "12"}, {verbInvite, id(fb.association), "n"}, {verbChoose, "members", id(fb.association)},
		{"zz"}, {verbMinutesVote, "1", "-"},
	} {
		args := append(v[1:len(v):len(v)], "", "", "")
		f.Add(v[0], args[0], args[1], args[2], uint8(i))
	}
	f.Fuzz(func(t *testing.T, verb, a, b, c string, w uint8) {
		from := fb.who(w)
		args := []string{a, b, c}
		for len(args) > 0 && args[len(args)-1] == "" {
			args = args[:len(args)-1]
		}
		if checkButton(Button{Verb: verb, Args: args}) != nil {
			t.Skip() // the bot could not have issued it
		}
		u := Update{Messenger: memoryName, ID: 1, From: &Sender{ID: from, FirstName: "Мария", LanguageCode: "ru"},
			Chat: from, Private: true, Press: &Press{ID: "1", Verb: verb, Args: args, Message: "5"}}
		out := fb.handle(t, u)
		fb.checkOut(t, out)
	})
}

// fuzzDialog is a form open for a user, as the bot leaves it after asking
// a question.
type fuzzDialog struct {
	user  int64
	flow  string
	steps []string
	draft map[string]string
}

// dialogs are the forms of every flow that takes typed answers, at each
// of their steps, with the drafts the bot would have written by then.
func (fb *fuzzBot) dialogs() []fuzzDialog {
	aid, eid := itoa(int64(fb.association)), itoa(int64(fb.event))
	start := fb.now.Add(48 * time.Hour).Format(time.RFC3339)
	event := map[string]string{"aid": aid, "format": string(mmo.FormatSeminar), "topic": "Тема", "start": start, "duration": "90", "place": "Школа № 5"}
	items := `[{"topic":"Итоги олимпиады","heard":"","decided":""},{"topic":"Разное","heard":"","decided":""}]`
	year := "2026"
	return []fuzzDialog{
		{fb.guest, mmo.FlowRegister, []string{mmo.StepConsent, mmo.StepName, mmo.StepSchool, mmo.StepPosition}, nil},
		{fb.member, mmo.FlowEdit, []string{mmo.FieldName, mmo.FieldSchool, mmo.FieldPosition}, nil},
		{fb.admin, mmo.FlowGrant, []string{mmo.StepQuery}, nil},
		{fb.other, mmo.FlowCreateAssoc, []string{mmo.FieldAssocName, mmo.FieldAssocSubject, mmo.FieldAssocDescription}, map[string]string{mmo.FieldAssocName: "ММО", mmo.FieldAssocSubject: "физика"}},
		{fb.other, mmo.FlowEditAssoc, []string{mmo.FieldAssocName, mmo.FieldAssocSubject, mmo.FieldAssocDescription}, map[string]string{"aid": aid}},
		{fb.leader, mmo.FlowRemoveMember, []string{mmo.FieldReason}, map[string]string{"aid": aid, "uid": itoa(fb.member)}},
		{fb.other, mmo.FlowAppointLeader, []string{mmo.StepQuery}, map[string]string{"aid": aid}},
		{fb.leader, mmo.FlowCreateEvent, []string{stepFormat, mmo.FieldTopic, stepWhen, stepWhenConfirm, stepDuration, mmo.FieldPlace, mmo.FieldLink, mmo.FieldAgenda}, event},
		{fb.leader, mmo.FlowEditEvent, []string{mmo.FieldTopic, stepWhen, stepDuration, mmo.FieldPlace, mmo.FieldLink, mmo.FieldAgenda}, map[string]string{"aid": aid, "eid": eid}},
		{fb.member, mmo.FlowCheckinLocation, []string{"location"}, map[string]string{"eid": eid}},
		{fb.leader, mmo.FlowVenue, []string{"venue"}, map[string]string{"eid": eid}},
		{fb.leader, mmo.FlowAttendanceNote, []string{"note"}, map[string]string{"eid": eid, "uid": itoa(fb.member)}},
		{fb.leader, mmo.FlowMinutes, []string{"secretary", "agenda", "heard", "spoke", "decided", "votes"}, map[string]string{"eid": eid, "i": "1", "items": items}},
		{fb.member, mmo.FlowAsk, []string{"category", "form", "question", "files", "phone"}, map[string]string{"aid": aid, "category": "other", "form": "text", "member": "1", "question": "Вопрос о программе"}},
		{fb.guest, mmo.FlowAskConsent, []string{"consent", "name"}, map[string]string{"aid": aid}},
		{fb.leader, mmo.FlowPlanText, []string{"goal", "tasks"}, map[string]string{"aid": aid, "year": year}},
		{fb.leader, mmo.FlowPlanItem, []string{"month", "topic", "format", "responsible"}, map[string]string{"aid": aid, "year": year, "month": "10", "topic": "Тема", "format": string(mmo.FormatSeminar)}},
		{fb.member, mmo.FlowPropose, []string{"text"}, map[string]string{"aid": aid}},
		{fb.other, mmo.FlowReturnDoc, []string{"plan", "report"}, map[string]string{"aid": aid, "year": year}},
		{fb.leader, mmo.FlowReportSection, mmo.ReportSections, map[string]string{"aid": aid, "year": year}},
	}
}

// FuzzDialog types any answer into every form at every step: the bot
// answers without failing, in valid HTML, whatever was typed.
func FuzzDialog(f *testing.F) {
	fb := newFuzzBot(f)
	forms := fb.dialogs()
	steps := 0
	for _, d := range forms {
		steps += len(d.steps)
	}
	answers := []string{"Иванова Мария Петровна", "МБОУ СОШ № 5", "учитель математики", "Функциональная грамотность",
		"25.12 15:30", "завтра в 15:00", "90", "1,5 ч", "https://telemost.yandex.ru/j/123", "-", "+", "12 0 1",
		"1. Итоги\n2. Разное", "Иванова", "<b>&amp;</b>", "/cancel", "", "\u202eобратно", strings.Repeat("я", 9000)}
	for i, a := range answers {
		for k := 0; k < steps; k += 3 {
			f.Add(a, uint16(k+i))
		}
	}
	f.Fuzz(func(t *testing.T, text string, k uint16) {
		n := int(k) % steps
		var form fuzzDialog
		var step string
		for _, d := range forms {
			if n < len(d.steps) {
				form, step = d, d.steps[n]
				break
			}
			n -= len(d.steps)
		}
		d := mmo.NewDialog(form.flow, step, fb.now, time.Hour)
		for key, v := range form.draft {
			d.Draft[key] = v
		}
		out := fb.handle(t, message(form.user, text), &d)
		fb.checkOut(t, out)
		if len(out) == 0 && text != "" {
			t.Errorf("%s/%s: no answer to %q", form.flow, step, text)
		}
	})
}
