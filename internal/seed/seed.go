// Package seed fills a new store with a city or a region after years of
// use — teachers, associations, school years of events with answers,
// attendance, minutes, plans, reports and consultations — through the
// store's own API, as the bot would have written it, for benchmarks and
// for tests that count what an operation reads.
//
// The store's clock is moved along the simulated years as the records
// are written, so everything the store stamps itself (broadcasts, the
// audit log, documents' update times) carries the time it would have
// had. The content is deterministic for a Config.
package seed

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// Config is the size and shape of what Build writes.
type Config struct {
	Users         int // registered teachers; user ids are 1..Users, each with a Telegram account (TelegramID)
	Associations  int // of Members members each, besides the big one
	Members       int // members of an ordinary association
	Big           int // members of one more, large association (0: none)
	Years         int // school years, ending with the current one
	EventsPerYear int // per association (the first half are заседания)
	Consultations int // over all the years
	// Now is the end of the simulated time: the current school year has
	// events before and after it. Zero means time.Now.
	Now        time.Time
	Location   *time.Location // nil: Europe/Moscow
	Regulation mmo.Regulation // the school year's bounds and due dates
	Seed       uint64         // of the pseudo-random choices
}

// Region is a large region after five years: 30,000 teachers, 1,500
// associations of 22 and one of 5,000, eight events a year each, 13,500
// consultations.
func Region(reg mmo.Regulation) Config {
	return Config{Users: 30000, Associations: 1500, Members: 22, Big: 5000, Years: 5, EventsPerYear: 8,
		Consultations: 13500, Regulation: reg, Seed: 1}
}

// City is a city after five years: 3,000 teachers, 40 associations of 22.
func City(reg mmo.Regulation) Config {
	return Config{Users: 3000, Associations: 40, Members: 22, Years: 5, EventsPerYear: 8,
		Consultations: 360, Regulation: reg, Seed: 1}
}

// Stats counts what Build wrote and how long it took.
type Stats struct {
	Users, Associations, Memberships             int
	Events, Answers, Attendance, Minutes         int
	Consultations, Messages, Documents, Proposal int
	Broadcasts                                   int
	Elapsed                                      time.Duration
	// YearSize is the store's size (bytes of pages in use) after each
	// school year was written, oldest first.
	YearSize []int64
}

// TelegramID is the Telegram account of seeded user uid. It differs from
// the user's id, which is the bot's own, as it does for anyone who
// registered after the ids became the bot's: a benchmark that writes as a
// seeded teacher writes from this account.
func TelegramID(uid int64) int64 { return telegramBase + uid }

const telegramBase = 700_000_000

// clock is the store's clock while seeding.
type clock struct{ t atomic.Int64 }

func (c *clock) now() time.Time  { return time.Unix(0, c.t.Load()).UTC() }
func (c *clock) set(t time.Time) { c.t.Store(t.UnixNano()) }

// Open creates a new store at path for seeding, with a clock Build moves;
// the path must not exist. Close it and reopen it with the bot's options
// to use it.
func Open(path string) (*boltdb.DB, *Clock, error) {
	if _, err := os.Stat(path); err == nil {
		return nil, nil, fmt.Errorf("seed: %s exists; seed a new file", path)
	}
	c := &clock{}
	c.set(time.Now())
	db, err := boltdb.Open(path, boltdb.Options{Timeout: time.Second, Now: c.now, Init: true})
	if err != nil {
		return nil, nil, err
	}
	return db, &Clock{c}, nil
}

// Clock is the clock of a store opened by Open.
type Clock struct{ c *clock }

// Build writes cfg into db, opened by Open with clk.
func Build(db *boltdb.DB, clk *Clock, cfg Config) (Stats, error) {
	b := builder{db: db, clk: clk.c, cfg: cfg, rnd: rand.New(rand.NewPCG(cfg.Seed, 7))}
	if b.cfg.Now.IsZero() {
		b.cfg.Now = time.Now()
	}
	if b.cfg.Location == nil {
		loc, err := time.LoadLocation("Europe/Moscow")
		if err != nil {
			loc = time.FixedZone("MSK", 3*3600)
		}
		b.cfg.Location = loc
	}
	start := time.Now()
	err := b.build()
	b.st.Elapsed = time.Since(start)
	return b.st, err
}

type builder struct {
	db  *boltdb.DB
	clk *clock
	cfg Config
	rnd *rand.Rand
	st  Stats
	// members[a] are the user ids of association a+1, the leader first.
	members [][]int64
}

// batch is how many associations one transaction writes: big enough that
// the commits do not dominate, small enough to keep a transaction's dirty
// pages modest.
const batch = 50

func (b *builder) build() error {
	cfg := b.cfg
	reg, loc := cfg.Regulation, cfg.Location
	current := reg.SchoolYearOf(cfg.Now, loc)
	first := current - cfg.Years + 1
	begin, _ := reg.YearSpan(first, loc)
	b.clk.set(begin.AddDate(0, -1, 0))
	if err := b.people(); err != nil {
		return err
	}
	consults := b.consultPlan(first, current)
	for year := first; year <= current; year++ {
		for slot := 0; slot < cfg.EventsPerYear; slot++ {
			for _, g := range b.groups() {
				if err := b.events(year, slot, g[0], g[1]); err != nil {
					return err
				}
			}
		}
		if err := b.documents(year, current); err != nil {
			return err
		}
		if err := b.consultations(consults[year-first]); err != nil {
			return err
		}
		size, err := b.db.Size()
		if err != nil {
			return err
		}
		b.st.YearSize = append(b.st.YearSize, size)
	}
	b.clk.set(cfg.Now)
	return nil
}

// groups splits the associations into the ranges one transaction
// writes: batch ordinary ones, or the big one alone.
func (b *builder) groups() [][2]int {
	var out [][2]int
	from := 0
	for i := range b.members {
		big := len(b.members[i]) > 1000
		if big || i-from == batch {
			if i > from {
				out = append(out, [2]int{from, i})
			}
			from = i
		}
		if big {
			out = append(out, [2]int{i, i + 1})
			from = i + 1
		}
	}
	if from < len(b.members) {
		out = append(out, [2]int{from, len(b.members)})
	}
	return out
}

// people registers the users, creates the associations with their
// leaders and members, and makes user 1 a coordinator.
func (b *builder) people() error {
	cfg := b.cfg
	now := b.clk.now()
	for from := 1; from <= cfg.Users; from += 2000 {
		if err := b.db.Update(func(tx *boltdb.Tx) error {
			for id := from; id < from+2000 && id <= cfg.Users; id++ {
				u := &mmo.User{ID: int64(id), Accounts: []mmo.Account{{Messenger: boltdb.Telegram, ID: TelegramID(int64(id))}}, Name: name(id), School: "МБОУ СОШ № " + strconv.Itoa(1+id%60),
					Position: "учитель", LanguageCode: "ru", ConsentAt: now, RegisteredAt: now, Coordinator: id == 1}
				if err := tx.PutUser(u); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	b.st.Users = cfg.Users
	n := cfg.Associations
	if cfg.Big > 0 {
		n++
	}
	b.members = make([][]int64, n)
	next := 2 // user 1 coordinates
	pick := func() int64 {
		id := next
		next++
		if next > cfg.Users {
			next = 2
		}
		return int64(id)
	}
	for i := range b.members {
		size := cfg.Members
		if cfg.Big > 0 && i == n/2 {
			size = cfg.Big
		}
		seen := map[int64]bool{}
		for len(b.members[i]) < min(size, cfg.Users-1) {
			if id := pick(); !seen[id] {
				seen[id] = true
				b.members[i] = append(b.members[i], id)
			}
		}
	}
	for from := 0; from < n; from += batch {
		if err := b.db.Update(func(tx *boltdb.Tx) error {
			for i := from; i < min(from+batch, n); i++ {
				a := &mmo.Association{Name: fmt.Sprintf("ММО %s № %d", subjects[i%len(subjects)], i+1), Subject: subjects[i%len(subjects)],
					Policy: mmo.PolicyOpen, CreatedBy: 1, CreatedAt: now}
				if err := tx.CreateAssociation(a); err != nil {
					return err
				}
				if a.ID != uint64(i+1) {
					return fmt.Errorf("seed: association %d got id %d; seed a new file", i+1, a.ID)
				}
				for _, uid := range b.members[i] {
					if err := tx.PutMembership(&mmo.Membership{AssociationID: a.ID, UserID: uid, State: mmo.MemberActive, JoinedAt: now, Via: "link"}); err != nil {
						return err
					}
					if err := tx.Audit(boltdb.AuditEntry{Actor: uid, Action: "member.join", Subject: uid, Association: a.ID}); err != nil {
						return err
					}
				}
				if err := tx.SetLeader(a.ID, b.members[i][0]); err != nil {
					return err
				}
				b.st.Memberships += len(b.members[i])
			}
			return nil
		}); err != nil {
			return err
		}
	}
	b.st.Associations = n
	return nil
}

// notAfterNow is t, or Now if t is later: nothing is written after Now.
func (b *builder) notAfterNow(t time.Time) time.Time {
	if t.After(b.cfg.Now) {
		return b.cfg.Now
	}
	return t
}

// months are when a school year's events fall: September to May.
var months = []time.Month{time.September, time.October, time.November, time.December, time.February, time.March, time.April, time.May}

var subjects = []string{"учителей математики", "учителей русского языка", "учителей истории", "учителей физики",
	"учителей химии", "учителей биологии", "учителей английского языка", "учителей информатики", "учителей начальных классов",
	"учителей физической культуры"}

var formats = []mmo.Format{mmo.FormatSeminar, mmo.FormatWebinar, mmo.FormatWorkshop, mmo.FormatConference}

func name(id int) string {
	return "Педагогова Анна Сергеевна " + strconv.Itoa(id)
}

// eventStart is when an association's event of a slot starts.
func (b *builder) eventStart(year, slot int, assoc int) time.Time {
	m := months[slot%len(months)]
	y := year
	if m < time.September {
		y++
	}
	return time.Date(y, m, 1+(assoc*7+slot*3)%27, 15, 0, 0, 0, b.cfg.Location).UTC()
}

// events writes one slot's event of associations [from, to) of a school
// year: published, announced and reminded; if it has begun by Now, with
// answers, attendance and, for a заседание, final minutes.
func (b *builder) events(year, slot, from, to int) error {
	cfg := b.cfg
	// The store's clock: the day of the announcement, two weeks before,
	// or now for the events announced lately.
	b.clk.set(b.notAfterNow(b.eventStart(year, slot, from).Add(-14 * 24 * time.Hour)))
	return b.db.Update(func(tx *boltdb.Tx) error {
		for i := from; i < to; i++ {
			aid := uint64(i + 1)
			start := b.eventStart(year, slot, i)
			format := mmo.FormatMeeting
			if slot >= cfg.EventsPerYear/2 {
				format = formats[(i+slot)%len(formats)]
			}
			published := b.notAfterNow(start.Add(-14 * 24 * time.Hour))
			e := &mmo.Event{AssociationID: aid, Format: format, Topic: "Тема события " + strconv.Itoa(slot+1) + " учебного года",
				Agenda: "1. Вступительное слово руководителя.\n2. Выступления участников.\n3. Разное.",
				Start:  start, Duration: 90 * time.Minute, Place: "МБОУ СОШ № 5, каб. 21", State: mmo.EventPublished,
				Version: 1, CreatedBy: b.members[i][0], CreatedAt: published.Add(-time.Hour), PublishedAt: published, ChangedAt: published,
				Checkin: mmo.Checkin{Code: fmt.Sprintf("%04d", b.rnd.IntN(10000))}}
			if err := tx.CreateEvent(e); err != nil {
				return err
			}
			members := b.members[i]
			bc := &boltdb.Broadcast{Kind: "announce", EventID: e.ID, Total: len(members), Delivered: len(members)}
			if err := tx.CreateBroadcast(bc); err != nil {
				return err
			}
			e.Announcement = bc.ID
			if err := tx.PutEvent(e); err != nil {
				return err
			}
			b.st.Events++
			b.st.Broadcasts++
			held := !start.After(cfg.Now)
			answers := map[int64]mmo.Answer{}
			for _, uid := range members {
				var ans mmo.Answer
				switch r := b.rnd.IntN(10); {
				case r < 6:
					ans = mmo.AnswerYes
				case r < 8:
					ans = mmo.AnswerMaybe
				case r < 9:
					ans = mmo.AnswerNo
				default:
					continue
				}
				if !held && start.Sub(cfg.Now) > 7*24*time.Hour && b.rnd.IntN(2) == 0 {
					continue // not everyone has answered a distant event yet
				}
				answers[uid] = ans
				if err := tx.PutRSVP(&mmo.RSVP{EventID: e.ID, UserID: uid, Answer: ans, Version: 1, At: published.Add(time.Duration(b.rnd.IntN(72)) * time.Hour)}); err != nil {
					return err
				}
				b.st.Answers++
			}
			if !held {
				continue
			}
			for _, before := range []time.Duration{24 * time.Hour, time.Hour} {
				if err := tx.MarkReminderSent(e.ID, 1, before); err != nil {
					return err
				}
			}
			rem := &boltdb.Broadcast{Kind: "reminder", EventID: e.ID, Total: len(answers), Delivered: len(answers)}
			if err := tx.CreateBroadcast(rem); err != nil {
				return err
			}
			b.st.Broadcasts++
			present := 0
			for _, uid := range members {
				var mark mmo.Mark
				switch ans := answers[uid]; {
				case ans == mmo.AnswerYes && b.rnd.IntN(10) < 9, ans == mmo.AnswerMaybe && b.rnd.IntN(2) == 0:
					mark = mmo.MarkPresent
				case ans == mmo.AnswerNo && b.rnd.IntN(3) == 0:
					mark = mmo.MarkExcused
				default:
					continue
				}
				how := mmo.HowButton
				if b.rnd.IntN(3) == 0 {
					how = mmo.HowCode
				}
				if err := tx.PutAttendance(&mmo.Attendance{EventID: e.ID, UserID: uid, Mark: mark, How: how, At: start.Add(-5 * time.Minute)}); err != nil {
					return err
				}
				if mark == mmo.MarkPresent {
					present++
				}
				b.st.Attendance++
			}
			if format == mmo.FormatMeeting {
				m := &mmo.Minutes{EventID: e.ID, Version: 1, Status: mmo.MinutesFinal, Secretary: name(int(members[len(members)-1])),
					Number: slot + 1, By: members[0], CreatedAt: start.Add(2 * time.Hour), FinalAt: start.Add(3 * time.Hour)}
				for k := 1; k <= 3; k++ {
					m.Items = append(m.Items, mmo.MinutesItem{Topic: "Вопрос " + strconv.Itoa(k) + " повестки",
						Heard: "Выступление руководителя ММО по вопросу повестки, обсуждение опыта школ.",
						Spoke: name(int(members[k%len(members)])), Decided: "Принять к сведению и использовать в работе.",
						Votes: &mmo.Votes{For: present}})
				}
				if err := tx.PutMinutes(m); err != nil {
					return err
				}
				b.st.Minutes++
			}
		}
		return nil
	})
}

// documents writes each association's plan of a school year and, for the
// years that ended, its report, plus two members' proposals.
func (b *builder) documents(year, current int) error {
	reg, loc := b.cfg.Regulation, b.cfg.Location
	n := len(b.members)
	for from := 0; from < n; from += batch * 4 {
		b.clk.set(b.notAfterNow(reg.Due(mmo.DocPlan, year, loc).Add(-5 * 24 * time.Hour)))
		if err := b.db.Update(func(tx *boltdb.Tx) error {
			for i := from; i < min(from+batch*4, n); i++ {
				aid := uint64(i + 1)
				p := &mmo.Plan{AssociationID: aid, Year: year, Goal: "Совершенствование профессиональной компетентности педагогов",
					Tasks: []string{"Изучение нормативных документов", "Обобщение и распространение опыта", "Работа с молодыми специалистами"}}
				for k := range b.cfg.EventsPerYear {
					p.Items = append(p.Items, mmo.PlanItem{ID: k + 1, Month: int(months[k%len(months)]), Topic: "Тема события " + strconv.Itoa(k+1) + " учебного года", Format: mmo.FormatMeeting, Responsible: name(int(b.members[i][0]))})
				}
				p.NextItem = len(p.Items) + 1
				p.Status = mmo.DocApproved
				if year == current && i%3 == 0 {
					p.Status = mmo.DocSubmitted
				}
				if err := tx.PutPlan(p); err != nil {
					return err
				}
				b.st.Documents++
				for k := 0; k < 2; k++ {
					if err := tx.AddProposal(&mmo.Proposal{AssociationID: aid, Year: year, UserID: b.members[i][1+k%(len(b.members[i])-1)],
						Text: "Предлагаю провести открытый урок по теме года", At: b.clk.now(), State: "taken"}); err != nil {
						return err
					}
					b.st.Proposal++
				}
				if year == current {
					continue
				}
				r := &mmo.Report{AssociationID: aid, Year: year, Sections: map[string]string{
					"results":  "Проведено заседаний: 4. Средняя посещаемость 70 %.",
					"problems": "Недостаточное участие молодых специалистов.",
					"plans":    "Продолжить работу по теме года.",
				}}
				r.Status = mmo.DocApproved
				if err := tx.PutReport(r); err != nil {
					return err
				}
				b.st.Documents++
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// consultation is one request to write, decided up front so the years'
// share is fixed.
type consultation struct {
	at    time.Time
	assoc int
}

// consultPlan spreads the consultations evenly over the school years,
// each at a random time of its year up to Now.
func (b *builder) consultPlan(first, current int) [][]consultation {
	reg, loc := b.cfg.Regulation, b.cfg.Location
	out := make([][]consultation, current-first+1)
	for k := 0; k < b.cfg.Consultations; k++ {
		y := k % len(out)
		from, to := reg.YearSpan(first+y, loc)
		if to.After(b.cfg.Now) {
			to = b.cfg.Now
		}
		at := from.Add(time.Duration(b.rnd.Int64N(int64(to.Sub(from)))))
		out[y] = append(out[y], consultation{at: at, assoc: b.rnd.IntN(len(b.members))})
	}
	return out
}

// consultations writes requests with their conversations: those older
// than a month are closed and rated, recent ones are new, taken or
// answered.
func (b *builder) consultations(list []consultation) error {
	now := b.cfg.Now
	for from := 0; from < len(list); from += 500 {
		if err := b.db.Update(func(tx *boltdb.Tx) error {
			for _, x := range list[from:min(from+500, len(list))] {
				ms := b.members[x.assoc]
				c := &mmo.Consultation{AssociationID: uint64(x.assoc + 1), AskerID: ms[1+b.rnd.IntN(len(ms)-1)], Member: true,
					Category: "methodology", Question: "Как организовать проектную деятельность учащихся в рамках предмета?", Form: mmo.FormChat}
				c.Start(x.at)
				if err := tx.CreateConsultation(c); err != nil {
					return err
				}
				msgs := []mmo.ConsultMessage{{FromID: c.AskerID, Text: c.Question, At: x.at}}
				switch age := now.Sub(x.at); {
				case age > 30*24*time.Hour:
					c.Status, c.AssigneeID, c.TakenAt, c.AnsweredAt = mmo.ConsultClosed, ms[0], x.at.Add(time.Hour), x.at.Add(26*time.Hour)
					c.ClosedAt, c.ClosedBy, c.Rating, c.WaitingSince = x.at.Add(72*time.Hour), mmo.ClosedByAsker, 5, time.Time{}
					c.LastActivity = c.ClosedAt
					msgs = append(msgs, mmo.ConsultMessage{FromID: ms[0], FromStaff: true, Text: "Рекомендую начать с короткого проекта на одну четверть.", At: c.AnsweredAt},
						mmo.ConsultMessage{FromID: c.AskerID, Text: "Спасибо!", At: c.ClosedAt})
				case b.rnd.IntN(3) == 0:
					c.Status, c.AssigneeID, c.TakenAt, c.AnsweredAt = mmo.ConsultAnswered, ms[0], x.at.Add(time.Hour), x.at.Add(26*time.Hour)
					c.WaitingSince, c.LastActivity = time.Time{}, c.AnsweredAt
					msgs = append(msgs, mmo.ConsultMessage{FromID: ms[0], FromStaff: true, Text: "Рекомендую начать с короткого проекта на одну четверть.", At: c.AnsweredAt})
				case b.rnd.IntN(2) == 0:
					c.Status, c.AssigneeID, c.TakenAt = mmo.ConsultProgress, ms[0], x.at.Add(time.Hour)
				}
				if c.Status != mmo.ConsultNew {
					if err := tx.PutConsultation(c); err != nil {
						return err
					}
				}
				for i := range msgs {
					msgs[i].ConsultID = c.ID
					if err := tx.AddConsultMessage(&msgs[i]); err != nil {
						return err
					}
				}
				b.st.Consultations++
				b.st.Messages += len(msgs)
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}
