package chat

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// cmdHelp explains in a few lines what the bot does for the user's role,
// above the home screen's buttons; the command menu lists the rest.
func (b *Engine) cmdHelp(r *Request) error {
	if r.User.Parent() {
		return b.showParentHome(r, r.T("parent_home.help"))
	}
	if r.Role == mmo.RoleGuest {
		r.Reply(r.T("help.guest"))
		return nil
	}
	return b.showHome(r, b.helpText(r))
}

// helpText is a short introduction for the role.
func (b *Engine) helpText(r *Request) string {
	switch r.Role {
	case mmo.RoleMember:
		return r.T("conv_help.member")
	case mmo.RoleLeader:
		return r.T("conv_help.leader")
	case mmo.RoleCoordinator:
		return r.T("conv_help.coordinator")
	case mmo.RoleAdmin:
		return r.T("conv_help.admin")
	}
	return r.T("help.guest")
}

// cmdCancel leaves the current form; nothing of it is saved.
func (b *Engine) cmdCancel(r *Request) error {
	d, _, err := r.Dialog()
	if err != nil {
		return err
	}
	if d == nil {
		r.Reply(r.T("cancel.nothing"), r.homeRows()...)
		return nil
	}
	if d.Flow == mmo.FlowRegister {
		r.Reply(r.T("cancel.registration"))
		return r.forgetNewcomer()
	}
	if err := r.EndDialog(); err != nil {
		return err
	}
	r.Reply(r.T("cancel.done"), r.homeRows()...)
	return nil
}

// menu returns the command menu of a role in a language: the routed
// commands the role may use, in menu order.
func (b *Engine) menu(lang string, role mmo.Role) []Command {
	var cmds []Command
	for _, name := range b.routes.order {
		rt := b.routes.commands[name]
		if rt.menu == "" || role < rt.role {
			continue
		}
		if name == "start" && role != mmo.RoleGuest {
			continue // registered users need not start again
		}
		cmds = append(cmds, Command{Name: name, Description: b.cat.T(lang, rt.menu)})
	}
	return cmds
}

// ownMenu reports whether a user needs a menu of their own rather than the
// default one: a leader's or higher role, or a language chosen in /settings.
func (b *Engine) ownMenu(u *mmo.User) bool {
	return u.Role(b.isAdmin(u)) >= mmo.RoleLeader || u.Lang != ""
}

// defaultMenus are the menus every private chat shows before a
// user-specific one is set: the member's commands, per language.
// The messenger picks the list by the user's client language; Russian is
// also the default for any other language. Each transport gets its own.
func (b *Engine) defaultMenus() []Message {
	var out []Message
	for i, t := range b.opt.Transports {
		for _, lang := range b.cat.Langs() {
			code := lang
			if lang == "ru" {
				code = "" // the fallback for every language without its own list
			}
			key := "menu:default:" + code
			if i > 0 {
				key += ":" + t.Messenger
			}
			out = append(out, Message{Kind: KindMenu, DefaultMenu: true, Lang: code,
				Commands: b.menu(lang, mmo.RoleMember), replace: key, messenger: t.Messenger})
		}
	}
	return out
}

// menuSum is a digest of a menu, to tell whether a user's menu changed.
func menuSum(cmds []Command) []byte {
	h := sha256.New()
	json.NewEncoder(h).Encode(cmds)
	return h.Sum(nil)
}

// menuShare is how many users' menus one write transaction of
// RefreshMenus queues at most (and none more once shareBudget of work
// went into it): a region has 1,500 leaders and coordinators, and every
// user's update waits while a write transaction runs.
const menuShare = 50

// RefreshMenus keeps the menus in step with the build: when the default
// menus, or the menus of every role in every language, differ from those
// recorded at the last start, they are queued for the outbox's menu lane:
// the default ones, and a menu for each user with a menu of their own
// whose menu differs from the one last queued for them (see
// boltdb.Tx.MenuSum). Nothing here waits for a messenger: the transports
// set them in the background, paced. It is called once at start.
//
// The users' menus go in shares of menuShare, each its own short
// transaction that records what it queued; the build's digest is
// recorded after the last, so a restart midway compares again and queues
// only the menus not yet queued.
func (b *Engine) RefreshMenus() error {
	defaults := b.defaultMenus()
	hd := sha256.New()
	for _, m := range defaults {
		json.NewEncoder(hd).Encode(m)
	}
	defaultSum := hd.Sum(nil)
	h := sha256.New()
	for _, lang := range b.cat.Langs() {
		for role := mmo.RoleGuest; role <= mmo.RoleAdmin; role++ {
			json.NewEncoder(h).Encode(b.menu(lang, role))
		}
	}
	sum := h.Sum(nil)
	// Whose menu differs is read first, in a read transaction: it walks
	// every user, and a write transaction would hold every update at
	// start meanwhile. The writes only queue the menus.
	type langRole struct {
		lang string
		role mmo.Role
	}
	sums := map[langRole][]byte{}
	var users []int64
	changed := false
	if err := b.db.View(func(tx *boltdb.Tx) error {
		if changed = string(tx.Meta("menu_hash")) != string(sum); !changed {
			return nil
		}
		return tx.Users(func(u *mmo.User) bool {
			if !u.Registered() || u.Blocked || !b.ownMenu(u) {
				return true
			}
			k := langRole{b.cat.Match(u.Lang, u.LanguageCode), u.Role(b.isAdmin(u))}
			s, ok := sums[k]
			if !ok {
				s = menuSum(b.menu(k.lang, k.role))
				sums[k] = s
			}
			if string(tx.MenuSum(u.ID)) != string(s) {
				users = append(users, u.ID)
			}
			return true
		})
	}); err != nil {
		return fmt.Errorf("read who has a command menu: %w", err)
	}
	queued := 0
	for from := 0; from < len(users); {
		if err := b.db.Update(func(tx *boltdb.Tx) error {
			r := &Request{bot: b, Tx: tx}
			began := time.Now()
			for n := 0; from < len(users) && n < menuShare && (n == 0 || time.Since(began) < shareBudget); n, from = n+1, from+1 {
				u, err := tx.User(users[from])
				if err != nil {
					if ignoreGone(err) != nil {
						return err
					}
					continue
				}
				r.SetMenu(u)
			}
			if err := r.commit(); err != nil {
				return err
			}
			queued += len(r.out)
			return nil
		}); err != nil {
			return fmt.Errorf("queue command menus: %w", err)
		}
	}
	err := b.db.Update(func(tx *boltdb.Tx) error {
		r := &Request{bot: b, Tx: tx}
		if string(tx.Meta("default_menu_hash")) != string(defaultSum) {
			r.out = append(r.out, defaults...)
			if err := tx.PutMeta("default_menu_hash", defaultSum); err != nil {
				return err
			}
		}
		if changed {
			if err := tx.PutMeta("menu_hash", sum); err != nil {
				return err
			}
		}
		if err := r.commit(); err != nil {
			return err
		}
		queued += len(r.out)
		return nil
	})
	if queued > 0 {
		b.log.Info("command menus changed: queued for setting", "menus", queued)
		b.wake()
	}
	if err != nil {
		return fmt.Errorf("queue command menus: %w", err)
	}
	return nil
}
