package chat

import (
	"slices"
	"strconv"

	"github.com/mmobot/mmobot/internal/mmo"
)

// A region holds some 1,500 associations, and Telegram refuses an inline
// keyboard of over 100 buttons ("reply markup is too long"). Every list
// that offered each association as a button — the catalogue, the
// archive, the pickers of a command's association, of the registers, of
// a survey's or an announcement's audience — was refused outright for a
// coordinator of a region, who runs them all. They are drawn a page at a
// time instead, with ◀ ▶ to turn.

// listPage is how many associations a paged list shows at once: a
// screenful on a phone.
const listPage = 20

// page is one page of a list of n items.
type page struct{ n, at, pages int }

// pageOf is page at of a list of n items, at kept within the list, so a
// button of a list that has since shrunk turns to its last page.
func pageOf(n, at int) page {
	pages := max(1, (n+listPage-1)/listPage)
	return page{n: n, at: min(max(at, 0), pages-1), pages: pages}
}

// pageArg is the page a button's argument names; 0 when it names none.
func pageArg(arg string) int {
	at, _ := strconv.Atoi(arg)
	return at
}

// pageItems returns the items of page p of the whole list all.
func pageItems[T any](p page, all []T) []T {
	return all[min(p.at*listPage, len(all)):min((p.at+1)*listPage, len(all))]
}

// label is «(стр. 2 из 75)».
func (p page) label(r *Request) string {
	return r.T("members.page", "Page", p.at+1, "Pages", p.pages)
}

// note is « (стр. 2 из 75)» when there is more than one page.
func (p page) note(r *Request) string {
	if p.pages < 2 {
		return ""
	}
	return " " + p.label(r)
}

// nav appends to kb the row turning to the pages either side, made by
// to; kb as it was when there is one page.
func (p page) nav(kb [][]Button, to func(label string, at int) Button) [][]Button {
	var row []Button
	if p.at > 0 {
		row = append(row, to("◀", p.at-1))
	}
	if p.at < p.pages-1 {
		row = append(row, to("▶", p.at+1))
	}
	if len(row) == 0 {
		return kb
	}
	return append(kb, row)
}

// pickRows are the rows of a paged association picker: one button a row,
// made by button, for the associations of page at of list, and the row
// turning the page, made by to. It returns the page drawn, for its note.
func pickRows(list []*mmo.Association, at int, button func(a *mmo.Association) Button, to func(label string, at int) Button) ([][]Button, page) {
	p := pageOf(len(list), at)
	var kb [][]Button
	for _, a := range pageItems(p, list) {
		kb = append(kb, []Button{button(a)})
	}
	return p.nav(kb, to), p
}

// audienceRows are the rows of the picker of a survey's or an
// announcement's audience, page at: «Все педагоги» for a coordinator,
// then a page of the associations the user runs, each ticked when in
// ids; verb, nonce are the builder's, its actions "t" (tick: aid or
// "all", page) and "p" (page).
func (b *Engine) audienceRows(r *Request, all bool, ids []uint64, verb, nonce string, at int) ([][]Button, page, error) {
	list, err := b.managed(r)
	if err != nil {
		return nil, page{}, err
	}
	mark := func(on bool, label string) string {
		if on {
			return "✅ " + label
		}
		return "▫️ " + label
	}
	var kb [][]Button
	if r.Role >= mmo.RoleCoordinator {
		kb = append(kb, []Button{r.Button(mark(all, r.T("survey.all_teachers")), verb, nonce, "t", "all")})
	}
	rows, p := pickRows(list, at, func(a *mmo.Association) Button {
		return r.Button(mark(!all && slices.Contains(ids, a.ID), a.Name), verb, nonce, "t", aid(a), strconv.Itoa(at))
	}, func(label string, at int) Button {
		return r.Button(label, verb, nonce, "p", strconv.Itoa(at))
	})
	return append(kb, rows...), p, nil
}

// audienceText is the question of an audience picker (key) on page p,
// with how many associations are ticked when any are: on a page of many,
// the ticks of the others are out of sight.
func audienceText(r *Request, key string, ids []uint64, p page) string {
	text := r.T(key) + p.note(r)
	if len(ids) > 0 && p.pages > 1 {
		text += "\n" + r.N("count.ticked", len(ids))
	}
	return text
}

// toggleAudience ticks or unticks the association arg of a survey's or
// an announcement's audience (all, ids); "all" ticks every teacher, for
// a coordinator. ok false means the press was answered as stale or not
// theirs (err the answer's error, if any).
func toggleAudience(r *Request, all bool, ids []uint64, arg string) (bool, []uint64, bool, error) {
	if arg == "all" {
		if r.Role < mmo.RoleCoordinator {
			return all, ids, false, r.notYours()
		}
		return !all, nil, true, nil
	}
	id, err := strconv.ParseUint(arg, 10, 64)
	if err != nil {
		return all, ids, false, r.stale()
	}
	a, err := r.Tx.Association(id)
	if err != nil || a.Archived() {
		return all, ids, false, r.stale()
	}
	if !r.canManage(a) {
		return all, ids, false, r.notYours()
	}
	if i := slices.Index(ids, id); i >= 0 {
		return false, slices.Delete(ids, i, i+1), true, nil
	}
	return false, append(ids, id), true, nil
}
