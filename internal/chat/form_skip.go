package chat

// «Пропустить» as a button: an optional step of a form, which takes the
// skip value «-» when typed, offers a button that does the same. The
// button names the step it skips, so a press on the prompt of a step
// already answered is stale rather than skipping the step after it.

import "github.com/mmobot/mmobot/internal/mmo"

// verbFormSkip skips an optional step: the nonce of the form's dialog,
// the step, and what the skip means where it is more than "nothing": "o"
// online only (the place of an event), "l" the leader (the responsible
// of a plan item), "r" remove (an optional field of an event changed).
const verbFormSkip = "fk"

// skipRow is the row of a button that skips the step d is at.
func (r *Request) skipRow(d mmo.Dialog, label string, how ...string) []Button {
	return []Button{r.Button(label, verbFormSkip, append([]string{itoa(int64(d.Nonce)), d.Step}, how...)...)}
}

// onFormSkip answers the step as if «-» was typed: the form's own dialog
// handler takes it, with every check it makes of a typed answer.
func (b *Engine) onFormSkip(r *Request) error {
	d, _, err := r.Dialog()
	if err != nil {
		return err
	}
	if d == nil || r.Press.Arg(0) != itoa(int64(d.Nonce)) || r.Press.Arg(1) != d.Step {
		return r.stale()
	}
	h, ok := b.routes.dialogs[d.Flow]
	if !ok {
		return r.stale()
	}
	switch r.Press.Arg(2) {
	case "o":
		r.Edit(r.T("conv_wave3.online_only_set"))
	case "l":
		r.Edit(r.T("conv_wave3.responsible_leader_set"))
	case "r":
		r.Edit(r.T("conv_wave3.cleared"))
	default:
		r.Edit(r.T("doc_minutes.skipped"))
	}
	r.Text = mmo.SkipValue
	return h(r, d)
}
