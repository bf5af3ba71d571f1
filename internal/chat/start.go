package chat

import (
	"errors"
	"strconv"
	"strings"

	"github.com/mmobot/mmobot/internal/mmo"
)

// cmdStart greets a user. A newcomer is led through registration: the
// personal data notice, then name, school and position, one at a time.
// A deep-link payload is kept through registration and opened after it.
func (b *Engine) cmdStart(r *Request) error {
	payload := r.Args
	if r.Role != mmo.RoleGuest || r.User.Registered() {
		if payload != "" {
			return b.openPayload(r, payload)
		}
		return b.showHome(r, r.T("start.welcome_back", "Name", r.User.Name))
	}
	if kind, rest, _ := strings.Cut(payload, "_"); kind == "a" && ValidPayload(payload) {
		// A code to link this account to a person on another messenger
		// (link.go): no registration of its own.
		return b.openLinkCode(r, rest)
	}
	if kind, rest, _ := strings.Cut(payload, "_"); kind == "q" && ValidPayload(payload) {
		// A public consultation link: parents and others ask without
		// registering as teachers.
		return b.openConsultLink(r, rest)
	}
	d, _, err := r.Dialog()
	if err != nil {
		return err
	}
	if r.User.Parent() && payload == "" && (d == nil || d.Flow != mmo.FlowRegister) {
		// A parent who asked by a public link is no newcomer: her own
		// home, not the teacher's registration.
		return b.showParentHome(r, r.T("start.welcome_back", "Name", r.User.Name))
	}
	if d != nil && d.Flow == mmo.FlowRegister {
		// Registration is under way: carry on where the user stopped.
		if payload != "" {
			d.Payload = payload
			if err := r.PutDialog(*d); err != nil {
				return err
			}
		}
		r.Reply(r.T("reg.resume"))
		b.askRegistrationStep(r, *d)
		return nil
	}
	nd := mmo.NewDialog(mmo.FlowRegister, mmo.StepConsent, r.Now, b.opt.DialogIdle)
	nd.Payload = payload
	if err := r.PutDialog(nd); err != nil {
		return err
	}
	r.Reply(r.T("start.greeting", "Name", r.Update.From.FirstName))
	b.askRegistrationStep(r, nd)
	return nil
}

// askRegistrationStep sends the question of the dialog's current step.
func (b *Engine) askRegistrationStep(r *Request, d mmo.Dialog) {
	nonce := itoa(int64(d.Nonce))
	switch d.Step {
	case mmo.StepConsent:
		r.Reply(r.T("reg.consent", "Messenger", r.messengerName(r.Update.Messenger)), []Button{
			r.Button(r.T("reg.consent_agree"), verbConsent, nonce, mmo.ActionAgree),
			r.Button(r.T("reg.consent_decline"), verbConsent, nonce, mmo.ActionDecline),
		})
	case mmo.StepName:
		r.Reply(r.T("reg.ask_name"), r.cancelButton(d.Nonce))
	case mmo.StepSchool:
		if len(r.bot.opt.Schools) > 0 {
			r.Reply(r.T("conv_school.ask"), r.cancelButton(d.Nonce))
			return
		}
		r.Reply(r.T("reg.ask_school"), r.cancelButton(d.Nonce))
	case mmo.StepPosition:
		r.Reply(r.T("reg.ask_position"), r.cancelButton(d.Nonce))
	}
}

// onConsent takes the answer to the personal data notice.
func (b *Engine) onConsent(r *Request) error {
	d, ok, err := r.formButton(mmo.StepConsent, mmo.FlowRegister)
	if !ok {
		return err
	}
	next, _, err := mmo.RegistrationNext(*d, mmo.Input{Action: r.Press.Arg(1)}, r.Now, b.opt.DialogIdle)
	switch {
	case mmo.ErrorCode(err) == mmo.CodeDeclined:
		r.Edit(r.T("reg.consent", "Messenger", r.messengerName(r.Update.Messenger)) + "\n\n" + r.T("reg.consent_declined_mark"))
		r.Reply(r.T("reg.declined"))
		return r.forgetNewcomer()
	case err != nil:
		return r.stale()
	}
	if err := r.PutDialog(next); err != nil {
		return err
	}
	r.Edit(r.T("reg.consent", "Messenger", r.messengerName(r.Update.Messenger)) + "\n\n" + r.T("reg.consent_given_mark"))
	b.askRegistrationStep(r, next)
	return nil
}

// dialogRegister takes a typed answer to a registration step.
func (b *Engine) dialogRegister(r *Request, d *mmo.Dialog) error {
	if d.Step == mmo.StepConsent {
		r.Reply(r.T("reg.press_button"))
		b.askRegistrationStep(r, *d)
		return nil
	}
	if r.Text == "" {
		r.Reply(r.T("dialog.text_expected"))
		b.askRegistrationStep(r, *d)
		return nil
	}
	if d.Step == mmo.StepName {
		if asked, err := b.askNameFix(r, d, r.Text); asked || err != nil {
			return err
		}
	}
	if d.Step == mmo.StepSchool && len(b.opt.Schools) > 0 {
		return b.pickSchool(r, d, r.Text)
	}
	return b.registerStep(r, d, r.Text)
}

// registerStep applies an answer to the registration form and asks the
// next step, or finishes.
func (b *Engine) registerStep(r *Request, d *mmo.Dialog, text string) error {
	next, done, err := mmo.RegistrationNext(*d, mmo.Input{Text: text}, r.Now, b.opt.DialogIdle)
	if err != nil {
		r.Reply(validationMessage(r, err))
		return nil
	}
	if !done {
		if err := r.PutDialog(next); err != nil {
			return err
		}
		b.askRegistrationStep(r, next)
		return nil
	}
	mmo.ApplyRegistration(r.User, next, r.Now)
	if err := r.SaveUser(); err != nil {
		return err
	}
	if err := r.EndDialog(); err != nil {
		return err
	}
	r.Role = r.User.Role(b.isAdmin(r.User))
	if b.ownMenu(r.User) {
		r.SetMenu(r.User)
	}
	thanks := r.T("reg.done", "Name", r.User.Name, "School", r.User.School, "Position", r.User.Position)
	if next.Payload != "" {
		// The link opens next (joining an association, most often),
		// and its answer carries the way on.
		r.Reply(thanks)
		return b.openPayload(r, next.Payload)
	}
	return b.showHome(r, thanks)
}

// openPayload opens a deep link (t.me/<bot>?start=<payload>). Each kind of
// link is a prefix handled by the feature that issues it; anything else
// was mistyped, cut, or forged.
func (b *Engine) openPayload(r *Request, payload string) error {
	r.route = "/start:payload"
	if ValidPayload(payload) {
		kind, rest, _ := strings.Cut(payload, "_")
		if open, ok := b.routes.links[kind]; ok {
			r.route = "/start:" + kind
			return open(r, rest)
		}
	}
	r.Reply(r.T("link.invalid"))
	return nil
}

// ValidPayload reports whether p is a deep-link start payload as Telegram
// defines it: 1 to 64 characters from A-Z, a-z, 0-9, _ and -. It is
// exported for the sandbox, which opens deep links in Telegram's place
// and must refuse the payloads Telegram would not pass on.
func ValidPayload(p string) bool {
	if len(p) == 0 || len(p) > 64 {
		return false
	}
	for _, c := range p {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// validationMessage explains a rejected input.
func validationMessage(r *Request, err error) string {
	var e *mmo.Error
	if !errors.As(err, &e) {
		return r.T("error.internal")
	}
	switch e.Code {
	case mmo.CodeTooLong:
		return r.N("validate.too_long", e.Limit)
	case mmo.CodeTooShort:
		return r.N("validate.too_short", e.Limit)
	case mmo.CodeControlChars:
		return r.T("validate.control_chars")
	case mmo.CodeInvalid:
		switch e.Field {
		case mmo.FieldName:
			return r.T("validate.invalid_name")
		case mmo.FieldSchool:
			return r.T("validate.invalid_school")
		case mmo.FieldPosition:
			return r.T("validate.invalid_position")
		case mmo.FieldLink:
			return r.T("validate.invalid_link")
		}
		// Every other field is a text: a topic, a place, a question, a
		// section of the report.
		return r.T("validate.invalid_text")
	}
	return r.T("validate.invalid")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// forgetNewcomer removes what was stored of a user who left registration
// before finishing it: the form and the record keeping their language.
func (r *Request) forgetNewcomer() error {
	if !r.Known || r.User.Registered() {
		return r.EndDialog()
	}
	if d, err := r.Tx.Dialog(r.User.ID); err == nil {
		r.promptDone(d)
	}
	r.Known = false
	return r.Tx.DeleteUser(r.User.ID)
}
