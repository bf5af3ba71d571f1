package max_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/mmobot/mmobot/internal/max"
	"github.com/mmobot/mmobot/internal/max/maxtest"
)

func TestSendEditDelete(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newClient(t, s)
	ctx := context.Background()
	u := s.NewUser(42, "Anna", "ru")

	sent, err := c.SendMessage(ctx, max.ToUser(u.ID), &max.NewMessage{
		Text:   "<b>Заседание</b> 25.11 &amp; повестка",
		Format: max.FormatHTML,
		Attachments: []max.AttachmentRequest{max.InlineKeyboard(
			[]max.Button{max.CallbackButton("Приду", "v1:rsvp:7:yes"), {Type: max.ButtonCallback, Text: "Не приду", Payload: "v1:rsvp:7:no", Intent: max.IntentNegative}},
			[]max.Button{max.LinkButton("Сайт", "https://example.org/a?b=1")},
		)},
		DisableLinkPreview: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if sent.Body.MID == "" || sent.Recipient.ChatID != u.ChatID || sent.Recipient.ChatType != max.ChatDialog || sent.Recipient.UserID != u.ID {
		t.Fatalf("sent = %+v", sent)
	}
	if sent.Sender == nil || sent.Sender.UserID != s.BotID() {
		t.Errorf("sender %+v, want the bot", sent.Sender)
	}
	if got, want := sent.Body.Text, "Заседание 25.11 & повестка"; got != want {
		t.Errorf("stored text %q, want %q", got, want)
	}
	if len(sent.Body.Attachments) != 1 || sent.Body.Attachments[0].Keyboard == nil || len(sent.Body.Attachments[0].Keyboard.Buttons) != 2 {
		t.Errorf("stored attachments %+v", sent.Body.Attachments)
	}

	m := u.Next(t)
	if m.ID != sent.Body.MID || m.PlainText() != "Заседание 25.11 & повестка" || m.Format != "html" || !m.NoLinkPreview || m.Silent {
		t.Errorf("the user sees %s (preview off %v, silent %v)", m, m.NoLinkPreview, m.Silent)
	}
	if b, ok := m.Button("Не приду"); !ok || b.Payload != "v1:rsvp:7:no" || b.Intent != "negative" {
		t.Errorf("button: %+v %v", b, ok)
	}
	if b, ok := m.Button("Сайт"); !ok || b.URL != "https://example.org/a?b=1" {
		t.Errorf("link button: %+v %v", b, ok)
	}

	// The dialog's chat id reaches the same user, and a reply and a
	// silent message arrive as such.
	reply, err := c.SendMessage(ctx, max.ToChat(u.ChatID), &max.NewMessage{Text: "ответ", ReplyTo: m.ID, Silent: true})
	if err != nil {
		t.Fatal(err)
	}
	r := u.Next(t)
	if r.ID != reply.Body.MID || r.ReplyTo != m.ID || !r.Silent || r.Format != "" {
		t.Errorf("reply seen as %+v", r)
	}
	if reply.Link == nil || reply.Link.Type != "reply" || reply.Link.Message.MID != m.ID {
		t.Errorf("reply link %+v", reply.Link)
	}

	// An edit with nil attachments keeps the keyboard.
	if err := c.EditMessage(ctx, m.ID, &max.NewMessage{Text: "Заседание перенесено"}); err != nil {
		t.Fatal(err)
	}
	e := u.Next(t)
	if e.ID != m.ID || e.Text != "Заседание перенесено" || e.Edits != 1 || len(e.Buttons()) != 3 {
		t.Errorf("after the edit the user sees %s", e)
	}
	// An empty slice removes it.
	if err := c.EditMessage(ctx, m.ID, &max.NewMessage{Text: "Заседание перенесено", Attachments: []max.AttachmentRequest{}}); err != nil {
		t.Fatal(err)
	}
	if e := u.Next(t); e.Keyboard != nil || e.Edits != 2 {
		t.Errorf("after removing the keyboard the user sees %s", e)
	}

	if err := c.DeleteMessage(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if msgs := u.Messages(); len(msgs) != 2 || !msgs[0].Deleted || msgs[1].Deleted {
		t.Errorf("after deleting, the dialog: %v", msgs)
	}
	err = c.DeleteMessage(ctx, m.ID)
	if e := apiError(t, err); e.StatusCode != http.StatusNotFound {
		t.Errorf("deleting twice: %v", err)
	}
	err = c.EditMessage(ctx, "mid.nosuch", &max.NewMessage{Text: "x"})
	if e := apiError(t, err); e.StatusCode != http.StatusNotFound {
		t.Errorf("editing an unknown message: %v", err)
	}
}

func TestSendRefused(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newClient(t, s)
	ctx := context.Background()
	u := s.NewUser(42, "Anna", "ru")

	_, err := c.SendMessage(ctx, max.ToUser(7), &max.NewMessage{Text: "x"})
	if e := apiError(t, err); e.StatusCode != http.StatusNotFound {
		t.Errorf("to an unknown user: %v", err)
	}
	_, err = c.SendMessage(ctx, max.ToUser(u.ID), &max.NewMessage{})
	if e := apiError(t, err); e.StatusCode != http.StatusBadRequest {
		t.Errorf("an empty message: %v", err)
	}
	u.BlockUnseen()
	_, err = c.SendMessage(ctx, max.ToUser(u.ID), &max.NewMessage{Text: "x"})
	if e := apiError(t, err); e.StatusCode != http.StatusForbidden || e.Code != max.CodeChatDenied || e.Temporary() {
		t.Errorf("to a user who stopped the bot: %+v", e)
	}
}

func TestCallbacks(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newClient(t, s)
	ctx := context.Background()
	u := s.NewUser(42, "Anna", "en")

	_, err := c.SendMessage(ctx, max.ToUser(u.ID), &max.NewMessage{
		Text:        "Are you coming?",
		Attachments: []max.AttachmentRequest{max.InlineKeyboard([]max.Button{max.CallbackButton("Yes", "v1:rsvp:7:yes")})},
	})
	if err != nil {
		t.Fatal(err)
	}
	m := u.Next(t)
	id, err := u.Press(&m, "Yes")
	if err != nil {
		t.Fatal(err)
	}
	up, marker := one(t, c, nil, max.UpdateMessageCallback)
	if up.Callback == nil || up.Callback.CallbackID != id || up.Callback.Payload != "v1:rsvp:7:yes" || up.Callback.User.UserID != u.ID {
		t.Fatalf("callback %+v", up.Callback)
	}
	if up.Message == nil || up.Message.Body.MID != m.ID || up.UserLocale != "en" || up.From().UserID != u.ID || up.Chat() != u.ChatID {
		t.Errorf("callback update %+v", up)
	}

	err = c.AnswerCallback(ctx, id, &max.CallbackAnswer{
		Notification: "Saved",
		Message:      &max.NewMessage{Text: "You are coming", Attachments: []max.AttachmentRequest{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	a := u.Answer(t, id)
	if a.Notification != "Saved" || a.Message == nil || a.Message.Text != "You are coming" || a.Message.Keyboard != nil {
		t.Errorf("answer %+v", a)
	}
	if e := u.Next(t); e.ID != m.ID || e.Text != "You are coming" {
		t.Errorf("the pressed message became %s", e)
	}
	err = c.AnswerCallback(ctx, id, &max.CallbackAnswer{Notification: "again"})
	if e := apiError(t, err); e.StatusCode != http.StatusBadRequest {
		t.Errorf("a second answer: %v", err)
	}

	// A forged press on a deleted message carries no message.
	if err := c.DeleteMessage(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	forged := u.PressData(m.ID, "v1:forged")
	up, _ = one(t, c, marker, max.UpdateMessageCallback)
	if up.Message != nil || up.Callback.Payload != "v1:forged" || up.Callback.CallbackID != forged {
		t.Errorf("forged press %+v", up)
	}
	if err := c.AnswerCallback(ctx, forged, &max.CallbackAnswer{}); err != nil {
		t.Errorf("an empty answer: %v", err)
	}
	if left := s.UnansweredCallbacks(); len(left) != 0 {
		t.Errorf("unanswered: %v", left)
	}
}

// TestUpdateKinds decodes every kind the bot cares about from what a user
// does.
func TestUpdateKinds(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newClient(t, s)
	ctx := context.Background()
	u := s.NewUser(42, "Anna", "ru")
	u.LastName, u.Username, u.Phone = "Ivanova", "anna_i", "+79001234567"
	var marker *int64
	var up max.Update

	seq, err := u.OpenLink(s.DeepLink("j_AbC-1"))
	if err != nil {
		t.Fatal(err)
	}
	up, marker = one(t, c, marker, max.UpdateBotStarted)
	if up.Payload != "j_AbC-1" || up.User == nil || up.User.UserID != u.ID || up.User.FullName() != "Anna Ivanova" || up.User.Username != "anna_i" || up.ChatID != u.ChatID || up.UserLocale != "ru" {
		t.Errorf("bot_started %+v user %+v", up, up.User)
	}
	if *marker != seq+1 {
		t.Errorf("marker %d after update %d", *marker, seq)
	}

	u.Send("/start")
	up, marker = one(t, c, marker, max.UpdateMessageCreated)
	if up.Message.Body.Text != "/start" || up.From().UserID != u.ID || up.Message.Recipient.ChatType != max.ChatDialog || up.Chat() != u.ChatID {
		t.Errorf("message_created %+v", up.Message)
	}

	sent, err := c.SendMessage(ctx, max.ToUser(u.ID), &max.NewMessage{
		Text: "Поделитесь",
		Attachments: []max.AttachmentRequest{max.InlineKeyboard(
			[]max.Button{max.ContactButton("Телефон")},
			[]max.Button{max.LocationButton("Я на месте", true)},
		)},
	})
	if err != nil {
		t.Fatal(err)
	}
	m := u.Next(t)
	if _, err := u.Press(&m, "Телефон"); err != nil {
		t.Fatal(err)
	}
	up, marker = one(t, c, marker, max.UpdateMessageCreated)
	if a := up.Message.Body.Attachments; len(a) != 1 || a[0].Contact == nil || a[0].Contact.Phone() != "+79001234567" || a[0].Contact.MaxInfo == nil || a[0].Contact.MaxInfo.UserID != u.ID {
		t.Errorf("contact %+v", up.Message.Body.Attachments)
	}
	if _, err := u.ShareLocation(&m, "Я на месте", 55.75, 37.62); err != nil {
		t.Fatal(err)
	}
	up, marker = one(t, c, marker, max.UpdateMessageCreated)
	if a := up.Message.Body.Attachments; len(a) != 1 || a[0].Location == nil || *a[0].Location != (max.Location{Latitude: 55.75, Longitude: 37.62}) {
		t.Errorf("location %+v", up.Message.Body.Attachments)
	}

	u.SendDocument("протокол.docx", []byte("PK fake docx"), "протокол")
	up, marker = one(t, c, marker, max.UpdateMessageCreated)
	a := up.Message.Body.Attachments
	if len(a) != 1 || a[0].File == nil || a[0].Filename != "протокол.docx" || a[0].Size != 12 || a[0].File.Token == "" || up.Message.Body.Text != "протокол" {
		t.Fatalf("file %+v", a)
	}
	data, err := c.Download(ctx, a[0].File.URL, 1<<20)
	if err != nil || string(data) != "PK fake docx" {
		t.Errorf("download: %q, %v", data, err)
	}
	if _, err := c.Download(ctx, a[0].File.URL, 5); err == nil {
		t.Error("download over the limit: no error")
	}

	u.SendPhoto([]byte("\x89PNG\r\n\x1a\nfake"), "")
	up, marker = one(t, c, marker, max.UpdateMessageCreated)
	if a := up.Message.Body.Attachments; len(a) != 1 || a[0].Image == nil || a[0].Image.URL == "" || a[0].Image.Token == "" {
		t.Errorf("image %+v", a)
	}

	mine := up.Message.Body.MID
	if _, err := u.Edit(mine, "подпись"); err != nil {
		t.Fatal(err)
	}
	up, marker = one(t, c, marker, max.UpdateMessageEdited)
	if up.Message.Body.MID != mine || up.Message.Body.Text != "подпись" {
		t.Errorf("message_edited %+v", up.Message)
	}
	if _, err := u.Delete(sent.Body.MID); err != nil {
		t.Fatal(err)
	}
	up, marker = one(t, c, marker, max.UpdateMessageRemoved)
	if up.MessageID != sent.Body.MID || up.ChatID != u.ChatID || up.UserID != u.ID {
		t.Errorf("message_removed %+v", up)
	}

	u.Block()
	up, marker = one(t, c, marker, max.UpdateBotStopped)
	if up.User.UserID != u.ID || up.ChatID != u.ChatID {
		t.Errorf("bot_stopped %+v", up)
	}
	u.Unblock()
	up, marker = one(t, c, marker, max.UpdateBotStarted)
	if up.Payload != "" {
		t.Errorf("restart carries payload %q", up.Payload)
	}

	g := s.NewGroup(-70801090403050, "МО математиков")
	v := s.NewUser(43, "Boris", "ru")
	g.AddBot(u)
	up, marker = one(t, c, marker, max.UpdateBotAdded)
	if up.ChatID != g.ID || up.User.UserID != u.ID || up.IsChannel {
		t.Errorf("bot_added %+v", up)
	}
	g.Join(v, u)
	up, marker = one(t, c, marker, max.UpdateUserAdded)
	if up.User.UserID != v.ID || up.InviterID != u.ID {
		t.Errorf("user_added %+v", up)
	}
	g.Join(v, nil)
	up, marker = one(t, c, marker, max.UpdateUserAdded)
	if up.InviterID != 0 {
		t.Errorf("user_added by link: inviter %d", up.InviterID)
	}
	g.Send(v, "всем привет")
	up, marker = one(t, c, marker, max.UpdateMessageCreated)
	if up.Message.Recipient.ChatType != max.ChatGroup || up.Chat() != g.ID || up.From().UserID != v.ID || up.UserLocale != "" {
		t.Errorf("group message %+v", up.Message)
	}
	g.Leave(v, u)
	up, marker = one(t, c, marker, max.UpdateUserRemoved)
	if up.User.UserID != v.ID || up.AdminID != u.ID {
		t.Errorf("user_removed %+v", up)
	}
	g.RemoveBot(u)
	up, _ = one(t, c, marker, max.UpdateBotRemoved)
	if up.ChatID != g.ID {
		t.Errorf("bot_removed %+v", up)
	}
	_, err = c.SendMessage(ctx, max.ToChat(g.ID), &max.NewMessage{Text: "x"})
	if e := apiError(t, err); e.Code != max.CodeChatDenied {
		t.Errorf("to a group that removed the bot: %v", err)
	}
}
