package chat

// verbDocCancel leaves a form of the documents (minutes, plan, report)
// from a button rather than /cancel: the nonce of the form's dialog.
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
	if err := r.EndDialog(); err != nil {
		return err
	}
	r.Edit(r.T("cancel.done"))
	return nil
}
