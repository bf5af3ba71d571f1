package chat

import (
	"strings"

	"github.com/mmobot/mmobot/internal/mmo"
)

// verbRegName answers the check of a typed full name: nonce, "f" take the
// fix | "k" keep as typed.
const verbRegName = "rn"

// askNameFix checks a full name typed at registration for the usual
// mistakes (see mmo.CheckFullName) and, if it finds any, says what and
// offers the fix; it reports whether it asked. The same name typed again
// after the question is taken as it is: the person means it.
func (b *Engine) askNameFix(r *Request, d *mmo.Dialog, text string) (bool, error) {
	value, err := mmo.ValidateName(text)
	if err != nil {
		return false, nil // RegistrationNext explains
	}
	c := mmo.CheckFullName(value)
	if len(c.Problems) == 0 || d.Draft["name_asked"] == value {
		return false, nil
	}
	if r.Lang == "en" && c.Has(mmo.NameLatin) {
		return false, nil // an English speaker's name in Latin letters is as meant
	}
	if d.Draft == nil {
		d.Draft = map[string]string{}
	}
	d.Draft["name_asked"] = value
	d.Draft["name_fix"] = c.Fix
	if err := r.PutDialog(*d); err != nil {
		return false, err
	}
	var lines []string
	for _, p := range c.Problems {
		switch p {
		case mmo.NameLatin:
			lines = append(lines, r.T("conv_name.latin"))
		case mmo.NameOrder:
			lines = append(lines, r.T("conv_name.order", "Fix", c.Fix))
		case mmo.NameNoPatronymic:
			lines = append(lines, r.T("conv_name.no_patronymic"))
		}
	}
	nonce := itoa(int64(d.Nonce))
	var kb [][]Button
	if c.Fix != "" {
		kb = append(kb, []Button{r.Button(r.T("conv_name.take_fix", "Fix", c.Fix), verbRegName, nonce, "f")})
	}
	kb = append(kb, []Button{r.Button(r.T("conv_name.keep", "Name", value), verbRegName, nonce, "k")}, r.cancelButton(d.Nonce))
	r.Reply(strings.Join(lines, "\n")+"\n\n"+r.T("conv_name.retype"), kb...)
	return true, nil
}

// onRegName takes the fix of the name, or the name as typed.
func (b *Engine) onRegName(r *Request) error {
	d, ok, err := r.formButton(mmo.StepName, mmo.FlowRegister, mmo.FlowEdit)
	if !ok {
		return err
	}
	value := d.Draft["name_asked"]
	if r.Press.Arg(1) == "f" && d.Draft["name_fix"] != "" {
		value = d.Draft["name_fix"]
	}
	if value == "" {
		return r.stale()
	}
	r.Edit(r.T("conv_name.taken", "Name", value))
	return b.takeProfileField(r, d, value)
}

// verbRegSchool picks a school of the city's list at registration:
// nonce, index in the list | "o" the school as typed, not in the list.
const verbRegSchool = "rk"

// maxSchoolMatches is how many schools of the list are offered at once;
// a search finding more asks for a closer one.
const maxSchoolMatches = 8

// pickSchool answers a typed school with the schools of the city's list
// it matches, as buttons, and «другая» for the name as typed. A name
// typed exactly as listed is taken at once.
func (b *Engine) pickSchool(r *Request, d *mmo.Dialog, text string) error {
	if s, ok := mmo.SchoolListed(b.opt.Schools, text); ok {
		delete(d.Draft, "school_other")
		return b.takeProfileField(r, d, s)
	}
	// A bare number («11», as the prompt suggests) is too short for a
	// school's name but finds the schools with it: those are offered,
	// without «другая».
	typed, err := mmo.ValidateSchool(text)
	matches := mmo.MatchSchools(b.opt.Schools, strings.TrimSpace(text))
	if err == nil {
		matches = mmo.MatchSchools(b.opt.Schools, typed)
	} else if len(matches) == 0 || len(matches) > maxSchoolMatches {
		r.Reply(validationMessage(r, err))
		return nil
	}
	if d.Draft == nil {
		d.Draft = map[string]string{}
	}
	d.Draft["school_typed"] = typed
	d.Nonce++
	if err := r.PutDialog(*d); err != nil {
		return err
	}
	nonce := itoa(int64(d.Nonce))
	var kb [][]Button
	text = r.T("conv_school.none")
	switch {
	case len(matches) > maxSchoolMatches:
		text = r.N("conv_school.too_many", len(matches))
	case len(matches) > 0:
		text = r.T("conv_school.pick")
		for _, i := range matches {
			kb = append(kb, []Button{r.Button(b.opt.Schools[i], verbRegSchool, nonce, itoa(int64(i)))})
		}
	}
	if typed != "" {
		kb = append(kb, []Button{r.Button(r.T("conv_school.other_button", "School", typed), verbRegSchool, nonce, "o")})
	}
	r.Reply(text, append(kb, r.cancelButton(d.Nonce))...)
	return nil
}

// onRegSchool takes the school picked from the list, or the one typed.
func (b *Engine) onRegSchool(r *Request) error {
	d, ok, err := r.formButton(mmo.StepSchool, mmo.FlowRegister, mmo.FlowEdit)
	if !ok {
		return err
	}
	var value string
	if arg := r.Press.Arg(1); arg == "o" {
		value = d.Draft["school_typed"]
		d.Draft["school_other"] = "1"
	} else if i, ok := r.Press.Int(1); ok && i >= 0 && int(i) < len(b.opt.Schools) {
		value = b.opt.Schools[i]
		delete(d.Draft, "school_other")
	}
	if value == "" {
		return r.stale()
	}
	r.Edit(r.T("conv_school.taken", "School", value))
	return b.takeProfileField(r, d, value)
}

// takeProfileField takes a checked name or school: the next step of the
// registration, or the new value of the field changed in the settings.
func (b *Engine) takeProfileField(r *Request, d *mmo.Dialog, value string) error {
	if d.Flow == mmo.FlowEdit {
		return b.saveProfileField(r, d, value)
	}
	return b.registerStep(r, d, value)
}
