package chat

import "github.com/mmobot/mmobot/internal/mmo"

// verbDocCancel leaves a form (first of the documents: minutes, plan,
// report; now of every form) from a button rather than /cancel: the
// nonce of the form's dialog.
const verbDocCancel = "dx"

// cancelButton is the «✖ Отмена» row of a form whose dialog has nonce.
func (r *Request) cancelButton(nonce uint32) []Button {
	return []Button{r.Button(r.T("doc_form.cancel"), verbDocCancel, itoa(int64(nonce)))}
}

// onDocCancel ends the form the button belongs to; nothing of it is
// saved. A button of a form already left or finished is stale.
func (b *Engine) onDocCancel(r *Request) error {
	d, _, err := r.Dialog()
	if err != nil {
		return err
	}
	if d == nil || r.Press.Arg(0) != itoa(int64(d.Nonce)) {
		return r.stale()
	}
	if d.Flow == mmo.FlowRegister {
		r.Edit(r.T("cancel.registration"))
		return r.forgetNewcomer()
	}
	if err := r.EndDialog(); err != nil {
		return err
	}
	if d.Flow == mmo.FlowCheckinLocation || d.Flow == mmo.FlowVenue {
		// The keyboard that shares a location goes with the form.
		r.ReplyClosing(r.T("cancel.done"))
		return nil
	}
	r.Edit(r.T("cancel.done"), r.homeRows()...)
	return nil
}
