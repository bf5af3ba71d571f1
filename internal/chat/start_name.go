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
	kb = append(kb, []Button{r.Button(r.T("conv_name.keep", "Name", value), verbRegName, nonce, "k")})
	r.Reply(strings.Join(lines, "\n")+"\n\n"+r.T("conv_name.retype"), kb...)
	return true, nil
}

// onRegName takes the fix of the name, or the name as typed.
func (b *Engine) onRegName(r *Request) error {
	d, ok, err := r.formButton(mmo.StepName, mmo.FlowRegister)
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
	return b.registerStep(r, d, value)
}
