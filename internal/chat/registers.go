package chat

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// Register verbs (the registers area's block in routes.go).
const (
	verbRegIn     = "rgi" // the registers of association id
	verbRegPick   = "rgp" // a page of the coordinator's choice of registers: page
	verbRegNew    = "rgn" // a new entry: association id, register
	verbRegLevel  = "rgv" // the level of the entry being filled: nonce, level
	verbRegList   = "rgl" // the user's entries of the year in association id
	verbRegDelete = "rgd" // remove entry id
)

// cmdRegisters lets a member (or the leader) record a contest, an open
// lesson, a publication… as it happens, for the annual report.
func (b *Engine) cmdRegisters(r *Request) error {
	if r.Role >= mmo.RoleCoordinator { // any association, a member or not (registers_any.go)
		return b.coordinatorRegisters(r)
	}
	return b.chooseMembership(r, verbRegIn, "reg_entry.choose", "reg_entry.no_association", b.registersMenu)
}

func (b *Engine) onRegIn(r *Request) error {
	a, ok, err := r.regAssociation()
	if !ok {
		return err
	}
	return b.registersMenu(r, a)
}

func (b *Engine) registersMenu(r *Request, a *mmo.Association) error {
	var kb [][]Button
	for _, k := range mmo.RegisterKinds {
		if mmo.LeaderRegister(k) && !r.canManage(a) {
			continue
		}
		kb = append(kb, []Button{r.Button(r.T("reg_kind."+string(k)), verbRegNew, aid(a), string(k))})
	}
	kb = append(kb, []Button{r.Button(r.T("reg_entry.mine"), verbRegList, aid(a))})
	if r.canManage(a) {
		kb = append(kb, []Button{r.Button(r.T("duties_wave3.reg_all"), verbRegAll, aid(a))})
	}
	r.Reply(r.T("reg_entry.menu", "Name", a.Name), append(kb, r.homeRow())...)
	return nil
}

// regAssociation loads the association of argument 0 for a member of it
// or its leader.
func (r *Request) regAssociation() (*mmo.Association, bool, error) {
	if a, ok, err := r.association(0); !ok {
		return nil, false, err
	} else if r.canManage(a) {
		return a, true, nil
	}
	return r.memberOf(0)
}

func (b *Engine) onRegNew(r *Request) error {
	a, ok, err := r.regAssociation()
	if !ok {
		return err
	}
	k := mmo.RegisterKind(r.Press.Arg(1))
	if !mmo.ValidRegisterKind(k) {
		return r.stale()
	}
	if mmo.LeaderRegister(k) && !r.canManage(a) {
		return r.notYours()
	}
	e := &mmo.RegisterEntry{Kind: k, AssociationID: a.ID, UserID: r.User.ID, Values: map[string]string{}}
	d := mmo.NewDialog(mmo.FlowRegisterEntry, "", r.Now, b.opt.DialogIdle)
	r.Reply(r.T("reg_entry.started", "Kind", r.T("reg_kind."+string(k)), "Name", a.Name))
	return b.askRegField(r, &d, e)
}

// askRegField asks the next empty field of an entry, or saves it when
// none is left.
func (b *Engine) askRegField(r *Request, d *mmo.Dialog, e *mmo.RegisterEntry) error {
	var field *mmo.RegisterField
	for _, f := range mmo.RegisterFields(e.Kind) {
		if _, ok := e.Values[f.Name]; !ok {
			field = &f
			break
		}
	}
	if field == nil {
		return b.saveEntry(r, e)
	}
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode a register entry: %w", err)
	}
	nd, err := r.advance(d, field.Name, map[string]string{"e": string(data)})
	if err != nil {
		return err
	}
	text := r.T("reg_field." + string(e.Kind) + "_" + field.Name)
	if !field.Level {
		r.Reply(text, r.cancelButton(nd.Nonce))
		return nil
	}
	levels := mmo.Levels
	if e.Kind == mmo.RegisterOpenLesson { // the report counts them from the municipal level
		levels = levels[1:]
	}
	var kb [][]Button
	for _, l := range levels {
		kb = append(kb, []Button{r.Button(r.T("reg_level."+l), verbRegLevel, itoa(int64(nd.Nonce)), l)})
	}
	r.Reply(text, append(kb, r.cancelButton(nd.Nonce))...)
	return nil
}

func regDraft(d *mmo.Dialog) *mmo.RegisterEntry {
	var e mmo.RegisterEntry
	_ = json.Unmarshal([]byte(d.Draft["e"]), &e) // written by askRegField only
	if e.Values == nil {
		e.Values = map[string]string{}
	}
	return &e
}

// dialogRegisterEntry takes a typed field of an entry.
func (b *Engine) dialogRegisterEntry(r *Request, d *mmo.Dialog) error {
	e := regDraft(d)
	i := slices.IndexFunc(mmo.RegisterFields(e.Kind), func(f mmo.RegisterField) bool { return f.Name == d.Step })
	if i < 0 {
		r.Reply(r.T("dialog.expired"))
		return r.EndDialog()
	}
	f := mmo.RegisterFields(e.Kind)[i]
	if f.Level {
		r.Reply(r.T("create.press_button"))
		return nil
	}
	if r.Text == "" {
		r.Reply(r.T("dialog.text_expected"))
		return nil
	}
	v, err := mmo.ValidateRegisterValue(f, r.Text)
	if err != nil {
		r.Reply(validationMessage(r, err))
		return nil
	}
	e.Values[f.Name] = v
	return b.askRegField(r, d, e)
}

func (b *Engine) onRegLevel(r *Request) error {
	d, ok, err := r.formButton("level", mmo.FlowRegisterEntry)
	if !ok {
		return err
	}
	level := r.Press.Arg(1)
	e := regDraft(d)
	if !mmo.ValidLevel(level) || e.Kind == mmo.RegisterOpenLesson && level == "school" {
		return r.stale()
	}
	e.Values["level"] = level
	r.Edit(r.T("reg_entry.level_chosen", "Level", r.T("reg_level."+level)))
	return b.askRegField(r, d, e)
}

func (b *Engine) saveEntry(r *Request, e *mmo.RegisterEntry) error {
	if err := r.EndDialog(); err != nil {
		return err
	}
	e.At = r.Now
	if err := r.Tx.CreateRegisterEntry(e); err != nil {
		return fmt.Errorf("save a register entry: %w", err)
	}
	r.Reply(r.T("reg_entry.saved", "Entry", rawArg(b.entryLine(r.Tx, r.loc(), e, false))),
		[]Button{r.Button(r.T("reg_entry.another"), verbRegNew, strconv.FormatUint(e.AssociationID, 10), string(e.Kind))})
	return nil
}

// entryLine describes an entry in one line of HTML; withAuthor names the
// teacher who entered it.
func (b *Engine) entryLine(tx *boltdb.Tx, l loc, e *mmo.RegisterEntry, withAuthor bool) string {
	args := []any{}
	for k, v := range e.Values {
		if k == "level" {
			v = l.T("reg_level." + v)
		}
		args = append(args, strings.ToUpper(k[:1])+k[1:], v)
	}
	line := l.T("reg_line."+string(e.Kind), args...)
	if withAuthor && e.Kind != mmo.RegisterMentoring && e.Kind != mmo.RegisterAward {
		name := l.T("audit.deleted_user")
		if u, err := tx.User(e.UserID); err == nil {
			name = u.Name
		}
		line = esc(name) + ": " + line
	}
	return line
}

// onRegList lists the user's entries of the school year, each removable
// (by its author or the leader).
func (b *Engine) onRegList(r *Request) error {
	a, ok, err := r.regAssociation()
	if !ok {
		return err
	}
	all, err := r.Tx.RegisterEntries()
	if err != nil {
		return err
	}
	from, to := b.opt.Regulation.YearSpan(b.planYear(r.Now), b.opt.Location)
	var kb [][]Button
	var sb strings.Builder
	sb.WriteString(r.T("reg_entry.list_title", "Name", a.Name))
	n := 0
	for _, e := range all {
		if e.AssociationID != a.ID || e.UserID != r.User.ID || e.At.Before(from) || !e.At.Before(to) {
			continue
		}
		n++
		fmt.Fprintf(&sb, "\n%d. %s — %s", n, esc(r.T("reg_kind."+string(e.Kind))), b.entryLine(r.Tx, r.loc(), e, false))
		kb = append(kb, []Button{r.Button(r.T("reg_entry.delete", "N", n), verbRegDelete, strconv.FormatUint(e.ID, 10))})
	}
	if n == 0 {
		r.reply(r.T("reg_entry.none"))
		return nil
	}
	r.Reply(sb.String(), kb...)
	return nil
}

func (b *Engine) onRegDelete(r *Request) error {
	id, err := strconv.ParseUint(r.Press.Arg(0), 10, 64)
	if err != nil {
		return r.stale()
	}
	e, err := r.Tx.RegisterEntry(id)
	if errors.Is(err, mmo.ErrNotFound) {
		return r.stale()
	}
	if err != nil {
		return fmt.Errorf("load register entry %d: %w", id, err)
	}
	a, err := r.Tx.Association(e.AssociationID)
	if err != nil {
		return fmt.Errorf("load association %d: %w", e.AssociationID, err)
	}
	if e.UserID != r.User.ID && !r.canManage(a) {
		return r.notYours()
	}
	if err := r.Tx.DeleteRegisterEntry(id); err != nil {
		return fmt.Errorf("delete register entry %d: %w", id, err)
	}
	r.Reply(r.T("reg_entry.deleted", "Entry", rawArg(b.entryLine(r.Tx, r.loc(), e, false))))
	return nil
}

// ReportRegisters returns the texts the registers give the annual
// report's sections 3–7 (practice, contests, open_events, publications,
// young) of an association for a school year, in language lang, one line
// an entry, and to section 8 (problems) the difficulties teachers named
// most in needs surveys: the leader's starting point, which they still
// edit.
func (b *Engine) ReportRegisters(tx *boltdb.Tx, lang string, aid uint64, year int) (map[string]string, error) {
	all, err := tx.RegisterEntries()
	if err != nil {
		return nil, err
	}
	from, to := b.opt.Regulation.YearSpan(year, b.opt.Location)
	l := loc{b.cat, lang}
	out := map[string]string{}
	for section, list := range mmo.ReportRegisters(all, aid, from, to) {
		var lines []string
		for _, e := range list {
			lines = append(lines, "• "+plain(b.entryLine(tx, l, e, true)))
		}
		out[section] = strings.Join(lines, "\n")
	}
	// What teachers named hard in needs surveys opens the problems.
	top, err := b.NeedsDifficulties(tx, aid, 5)
	if err != nil {
		return nil, err
	}
	if len(top) > 0 {
		var parts []string
		for _, d := range top {
			parts = append(parts, plain(l.T("survey.needs_item", "Text", d.Text, "Count", d.Count)))
		}
		out["problems"] = plain(l.T("reg_entry.needs_problems", "List", strings.Join(parts, "; ")))
	}
	return out, nil
}

// ParticipationEntries returns a teacher's own register entries of a
// school year, in language lang, one plain line each, for their
// participation record (справка).
func (b *Engine) ParticipationEntries(tx *boltdb.Tx, lang string, uid int64, year int) ([]string, error) {
	all, err := tx.RegisterEntries()
	if err != nil {
		return nil, err
	}
	from, to := b.opt.Regulation.YearSpan(year, b.opt.Location)
	l := loc{b.cat, lang}
	var out []string
	for _, e := range mmo.UserEntries(all, uid, from, to) {
		out = append(out, plain(l.T("reg_kind."+string(e.Kind))+": "+b.entryLine(tx, l, e, false)))
	}
	return out, nil
}

// registersSuggestion is what the registers give a report section, for
// the leader writing it ("" when nothing).
func (b *Engine) registersSuggestion(r *Request, aid uint64, year int, section string) (string, error) {
	texts, err := b.ReportRegisters(r.Tx, r.Lang, aid, year)
	if err != nil {
		return "", err
	}
	return texts[section], nil
}
