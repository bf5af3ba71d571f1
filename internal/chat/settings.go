package chat

import (
	"fmt"
	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// verbDeleteData asks for, confirms or drops the deletion of one's data.
const verbDeleteData = "dd"

// cmdSettings shows the user's profile and language with buttons to
// change them.
func (b *Engine) cmdSettings(r *Request) error {
	if !r.User.Registered() {
		if !r.User.Parent() {
			r.Reply(r.T("error.register_first"))
			return nil
		}
		// Someone who only asks for consultations: their name, and the
		// way to withdraw consent.
		r.Reply(r.T("settings.asker_view", "Name", r.User.Name), []Button{r.Button(r.T("settings.delete_data"), verbDeleteData, "ask")})
		return nil
	}
	r.Reply(b.settingsText(r), b.settingsKeyboard(r)...)
	return nil
}

func (b *Engine) settingsText(r *Request) string {
	return r.T("settings.view",
		"Name", r.User.Name, "School", r.User.School, "Position", r.User.Position,
		"Language", r.T("lang.name"))
}

func (b *Engine) settingsKeyboard(r *Request) [][]Button {
	var langs []Button
	for _, l := range b.cat.Langs() {
		label := b.cat.T(l, "lang.name")
		if l == r.Lang {
			label = "✓ " + label
		}
		langs = append(langs, r.Button(label, verbLang, l))
	}
	return [][]Button{
		langs,
		{r.Button(r.T("settings.edit_name"), verbEditField, mmo.FieldName)},
		{r.Button(r.T("settings.edit_school"), verbEditField, mmo.FieldSchool)},
		{r.Button(r.T("settings.edit_position"), verbEditField, mmo.FieldPosition)},
		{r.Button(r.T("settings.delete_data"), verbDeleteData, "ask")},
		r.homeRow(),
	}
}

// onLang switches the user's language; the settings message and the
// command menu follow at once.
func (b *Engine) onLang(r *Request) error {
	lang := r.Press.Arg(0)
	if !b.cat.Has(lang) {
		return r.stale()
	}
	r.User.Lang = lang
	if err := r.SaveUser(); err != nil {
		return err
	}
	r.Lang = lang
	r.SetMenu(r.User)
	r.Answer(r.T("settings.lang_changed"), false)
	r.Edit(b.settingsText(r), b.settingsKeyboard(r)...)
	return nil
}

// onEditField starts the form that changes one profile field.
func (b *Engine) onEditField(r *Request) error {
	field := r.Press.Arg(0)
	var prompt string
	switch field {
	case mmo.FieldName:
		prompt = r.T("settings.ask_name")
	case mmo.FieldSchool:
		prompt = r.T("settings.ask_school")
		if len(b.opt.Schools) > 0 {
			prompt = r.T("conv_wave3.settings_ask_school")
		}
	case mmo.FieldPosition:
		prompt = r.T("settings.ask_position")
	default:
		return r.stale()
	}
	d := mmo.NewDialog(mmo.FlowEdit, field, r.Now, b.opt.DialogIdle)
	if err := r.PutDialog(d); err != nil {
		return err
	}
	r.Reply(prompt, r.cancelButton(d.Nonce))
	return nil
}

// dialogEdit takes the new value of a profile field.
func (b *Engine) dialogEdit(r *Request, d *mmo.Dialog) error {
	if r.Text == "" {
		r.Reply(r.T("dialog.text_expected"))
		return nil
	}
	// The same checks as at registration: a name's usual mistakes, a
	// school from the city's list.
	if d.Step == mmo.FieldName {
		if asked, err := b.askNameFix(r, d, r.Text); asked || err != nil {
			return err
		}
	}
	if d.Step == mmo.FieldSchool && len(b.opt.Schools) > 0 {
		return b.pickSchool(r, d, r.Text)
	}
	return b.saveProfileField(r, d, r.Text)
}

// saveProfileField validates and saves the new value of the field the
// settings' form d changes, and shows the profile again.
func (b *Engine) saveProfileField(r *Request, d *mmo.Dialog, text string) error {
	value, err := mmo.ValidateField(d.Step, text)
	if err != nil {
		r.Reply(validationMessage(r, err))
		return nil
	}
	r.User.SetField(d.Step, value)
	if d.Step == mmo.FieldSchool {
		r.User.SchoolOther = d.Draft["school_other"] == "1"
	}
	if err := r.SaveUser(); err != nil {
		return err
	}
	if err := r.EndDialog(); err != nil {
		return err
	}
	r.Reply(r.T("settings.saved"))
	r.Reply(b.settingsText(r), b.settingsKeyboard(r)...)
	return nil
}

// onDeleteData withdraws consent: after a confirmation the user's personal
// data is removed from the store.
func (b *Engine) onDeleteData(r *Request) error {
	if !r.User.Registered() && !r.User.Parent() {
		return r.stale()
	}
	switch r.Press.Arg(0) {
	case "ask":
		r.Edit(r.T("settings.delete_confirm"), []Button{
			r.Button(r.T("settings.delete_yes"), verbDeleteData, "yes"),
			r.Button(r.T("settings.delete_no"), verbDeleteData, "no"),
		})
	case "no":
		if !r.User.Registered() {
			r.Edit(r.T("settings.asker_view", "Name", r.User.Name), []Button{r.Button(r.T("settings.delete_data"), verbDeleteData, "ask")})
			return nil
		}
		r.Edit(b.settingsText(r), b.settingsKeyboard(r)...)
	case "yes":
		if err := r.Tx.Audit(boltdb.AuditEntry{Actor: r.User.ID, Action: "user.delete", Subject: r.User.ID}); err != nil {
			return fmt.Errorf("write the audit log: %w", err)
		}
		// Associations the user led are left without a leader: the
		// coordinators are asked to appoint one.
		coords, err := b.coordinators(r.Tx)
		if err != nil {
			return err
		}
		for _, id := range r.User.LeaderOf {
			a, err := r.Tx.Association(id)
			if err != nil {
				return err
			}
			if err := r.audit("leadership.unset", r.User.ID, a, ""); err != nil {
				return err
			}
			for _, c := range coords {
				if c.ID != r.User.ID {
					r.Send(c.ID, r.TFor(c, "assoc.leader_gone", "Name", a.Name))
				}
			}
		}
		// Protocols keep counting the person but no longer name them.
		if err := r.Tx.RedactMinutes(r.User.ID); err != nil {
			return fmt.Errorf("redact the minutes: %w", err)
		}
		if err := r.Tx.DeleteUser(r.User.ID); err != nil {
			return err
		}
		r.Known = false
		r.Edit(r.T("settings.deleted"))
	default:
		return r.stale()
	}
	return nil
}
