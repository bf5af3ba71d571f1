package sandbox

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/telegram"
)

// The demo is a small city's school year in progress: two associations
// with their leaders and members, events past and coming with answers and
// check-ins, a draft for the leader to publish, and a consultation
// request waiting for an answer. It is written through the store's API
// before the bot starts, record by record as the bot's handlers write
// them (memberships with their index and audit entries, leaders through
// SetLeader, published events with a version, check-in code and link and
// announcement counts), each step stamped with the time it would have
// happened, so the bot cannot tell the demo from a history it lived.

// demoAssoc describes a demo association.
type demoAssoc struct {
	key         string
	name        string
	subject     string
	description string
	policy      mmo.JoinPolicy
	leader      int64
}

var demoAssocs = []demoAssoc{
	{key: demoMath, name: "ММО учителей математики", subject: "математика", leader: LeaderMath, policy: mmo.PolicyOpen,
		description: "Методическая тема года: «Формирование функциональной грамотности обучающихся на уроках математики»."},
	{key: demoRus, name: "ММО учителей русского языка и литературы", subject: "русский язык и литература", leader: LeaderRus, policy: mmo.PolicyApproval,
		description: "Методическая тема года: «Смысловое чтение и работа с текстом как основа языковой и читательской грамотности»."},
}

// demoEvent describes a demo event; times are days from the seeding day
// (negative: past) at a local hour and minute.
type demoEvent struct {
	assoc     string
	format    mmo.Format
	topic     string
	agenda    string
	place     string
	link      string
	day       int // the day of the event, from today
	hour, min int
	minutes   int // duration
	created   int // days from today
	published int // days from today; 0 for a draft
	answers   map[int64]mmo.Answer
	present   map[int64]mmo.How // check-ins of a past event
	excused   map[int64]string  // marked by the leader, with the note
	venue     *[2]float64       // check-in asks for a location near it
}

var demoEvents = []demoEvent{
	{assoc: demoMath, format: mmo.FormatMeeting, topic: "Анализ результатов ОГЭ и ЕГЭ по математике прошлого учебного года",
		agenda: "1. Итоги ГИА по математике в городе\n2. Типичные ошибки в заданиях с развёрнутым ответом\n3. План работы ММО на год",
		place:  "МБОУ «Лицей № 22», каб. 305", day: -35, hour: 15, min: 0, minutes: 90, created: -48, published: -45,
		answers: map[int64]mmo.Answer{3001: mmo.AnswerYes, 3002: mmo.AnswerYes, 3003: mmo.AnswerYes, 3004: mmo.AnswerMaybe, 3007: mmo.AnswerYes, 3008: mmo.AnswerNo, 3009: mmo.AnswerYes},
		present: map[int64]mmo.How{3001: mmo.HowCode, 3002: mmo.HowButton, 3003: mmo.HowLink, 3004: mmo.HowCode, 3009: mmo.HowButton},
		excused: map[int64]string{3008: "педсовет в школе"}},
	{assoc: demoMath, format: mmo.FormatWorkshop, topic: "Функциональная грамотность: задачи в контексте на уроках математики",
		agenda: "1. Как составить задачу в контексте\n2. Практикум в группах\n3. Обмен заданиями",
		place:  "МБОУ «Гимназия № 3», актовый зал", day: 3, hour: 15, min: 0, minutes: 90, created: -6, published: -5,
		answers: map[int64]mmo.Answer{3001: mmo.AnswerYes, 3003: mmo.AnswerYes, 3004: mmo.AnswerNo, 3009: mmo.AnswerMaybe, 3010: mmo.AnswerYes}},
	{assoc: demoMath, format: mmo.FormatMeeting, topic: "Подготовка к муниципальному этапу всероссийской олимпиады школьников",
		agenda: "1. Сроки и площадки муниципального этапа\n2. Состав жюри\n3. Разбор задач прошлых лет",
		place:  "МБОУ «Лицей № 22», каб. 305", day: 10, hour: 15, min: 30, minutes: 90, created: -1},
	{assoc: demoRus, format: mmo.FormatMasterClass, topic: "Приёмы смыслового чтения на уроках литературы",
		place: "МБОУ «СОШ № 26», каб. 12", day: -20, hour: 14, min: 0, minutes: 60, created: -30, published: -29,
		answers: map[int64]mmo.Answer{3005: mmo.AnswerYes, 3006: mmo.AnswerYes, 3007: mmo.AnswerMaybe, 3009: mmo.AnswerYes, 3010: mmo.AnswerNo},
		present: map[int64]mmo.How{3005: mmo.HowButton, 3006: mmo.HowCode, 3007: mmo.HowLink, 3009: mmo.HowCode}},
	{assoc: demoRus, format: mmo.FormatMeeting, topic: "Итоговое сочинение: критерии оценивания и типичные ошибки",
		agenda: "1. Критерии оценивания итогового сочинения\n2. Разбор работ прошлого года\n3. Разное",
		place:  "МБОУ «Гимназия № 23», ауд. 14", day: 6, hour: 15, min: 0, minutes: 90, created: -3, published: -2,
		answers: map[int64]mmo.Answer{3005: mmo.AnswerYes, 3008: mmo.AnswerMaybe},
		venue:   &[2]float64{56.99724, 40.97393}},
}

// demo seeds the demo data.
type demo struct {
	db     *boltdb.DB
	clock  *seedClock
	now    time.Time
	loc    *time.Location
	reg    mmo.Regulation
	assocs map[string]*mmo.Association
}

// seedDemo writes the demo into db, as of now.
func seedDemo(db *boltdb.DB, clock *seedClock, now time.Time, loc *time.Location, reg mmo.Regulation) error {
	d := &demo{db: db, clock: clock, now: now, loc: loc, reg: reg, assocs: map[string]*mmo.Association{}}
	defer clock.set(time.Time{})
	return d.seed()
}

// day returns a local time of a day counted from today.
func (d *demo) day(days, hour, min int) time.Time {
	t := d.now.In(d.loc)
	return time.Date(t.Year(), t.Month(), t.Day()+days, hour, min, 0, 0, d.loc).UTC()
}

// at runs one transaction as if at t.
func (d *demo) at(t time.Time, fn func(tx *boltdb.Tx) error) error {
	d.clock.set(t)
	return d.db.Update(fn)
}

func (d *demo) seed() error {
	byID := map[int64]*Persona{}
	for i := range personas {
		byID[personas[i].ID] = &personas[i]
	}
	// The methodical centre's coordinator registers and creates the
	// associations.
	if err := d.register(byID[Coordinator], d.day(-150, 10, 5)); err != nil {
		return err
	}
	for i, da := range demoAssocs {
		a := &mmo.Association{Name: da.name, Subject: da.subject, Description: da.description, Policy: da.policy, CreatedBy: Coordinator}
		err := d.at(d.day(-149, 11, 10*i), func(tx *boltdb.Tx) error {
			if err := tx.CreateAssociation(a); err != nil {
				return err
			}
			return tx.Audit(boltdb.AuditEntry{Actor: Coordinator, Action: "association.create", Association: a.ID})
		})
		if err != nil {
			return err
		}
		d.assocs[da.key] = a
	}
	// The leaders register, are appointed, and make their invitation
	// links.
	for i, da := range demoAssocs {
		if err := d.register(byID[da.leader], d.day(-146, 16, 20*i)); err != nil {
			return err
		}
		if err := d.appoint(da, d.day(-145, 10, 15*i)); err != nil {
			return err
		}
		if err := d.invite(da, d.day(-144, 9, 30*i)); err != nil {
			return err
		}
	}
	// The teachers register and join by the links, one every few days.
	n := 0
	for i := range personas {
		p := &personas[i]
		if p.Kind != KindTeacher || p.Unregistered {
			continue
		}
		at := d.day(-140+5*n, 18, 3*n)
		n++
		if err := d.register(p, at); err != nil {
			return err
		}
		for j, key := range p.Demo {
			if err := d.join(p, key, at.Add(time.Duration(10+j*20)*time.Minute)); err != nil {
				return err
			}
		}
	}
	// The mathematics leader names a consultant; the Russian language
	// association opens its public link for parents.
	if err := d.at(d.day(-100, 12, 0), func(tx *boltdb.Tx) error {
		a, err := tx.Association(d.assocs[demoMath].ID)
		if err != nil {
			return err
		}
		a.Consultants = append(a.Consultants, 3003)
		return tx.PutAssociation(a)
	}); err != nil {
		return err
	}
	if err := d.at(d.day(-90, 12, 0), func(tx *boltdb.Tx) error {
		a, err := tx.Association(d.assocs[demoRus].ID)
		if err != nil {
			return err
		}
		if a.ConsultToken, err = mmo.NewToken(); err != nil {
			return err
		}
		return tx.PutAssociation(a)
	}); err != nil {
		return err
	}
	for _, de := range demoEvents {
		if err := d.event(de); err != nil {
			return err
		}
	}
	if err := d.plan(); err != nil {
		return err
	}
	return d.consultation()
}

// plan gives the mathematics association a work plan for the school year,
// submitted in September and approved by the coordinator; the other one
// has none yet, so the deadline reminders and the coordinator's digest
// have something to show.
func (d *demo) plan() error {
	year := d.reg.SchoolYearOf(d.now, d.loc)
	p := &mmo.Plan{AssociationID: d.assocs[demoMath].ID, Year: year, DocState: mmo.DocState{Status: mmo.DocApproved},
		Goal: "Создание условий для непрерывного профессионального образования педагогов, социального партнерства, направленного на повышение качества образования в муниципальной системе образования путем организации мероприятий для педагогической общественности города.",
		Tasks: []string{
			"выявление профессиональных потребностей и дефицитов педагогов, содействие их решению;",
			"помощь в освоении и внедрении в практику работы инновационных подходов к обучению и воспитанию;",
			"обобщение и распространение инновационного педагогического опыта.",
		}}
	p.AddItem(mmo.PlanItem{Month: 10, Topic: "Функциональная грамотность на уроках математики", Format: mmo.FormatSeminar})
	p.AddItem(mmo.PlanItem{Month: 12, Topic: "Итоги первого полугодия", Format: mmo.FormatMeeting})
	p.AddItem(mmo.PlanItem{Month: 3, Topic: "Подготовка к ОГЭ: задания второй части", Format: mmo.FormatMasterClass})
	submitted := time.Date(year, time.September, 10, 15, 0, 0, 0, d.loc)
	if submitted.After(d.now) {
		return nil // too early in the school year for a plan to be in
	}
	p.SubmittedAt = submitted.UTC()
	p.DecidedAt, p.DecidedBy = submitted.Add(26*time.Hour).UTC(), Coordinator
	return d.at(p.DecidedAt, func(tx *boltdb.Tx) error {
		if err := tx.PutPlan(p); err != nil {
			return err
		}
		return tx.Audit(boltdb.AuditEntry{Actor: Coordinator, Action: "workplan.approve", Association: p.AssociationID})
	})
}

// register stores a registered user, as registration leaves them. The
// persona's Telegram id is their id in the store too, as it is for users
// from before ids were the bot's own.
func (d *demo) register(p *Persona, at time.Time) error {
	return d.at(at, func(tx *boltdb.Tx) error {
		return tx.PutUser(&mmo.User{
			ID: p.ID, Accounts: []mmo.Account{{Messenger: telegram.Messenger, ID: p.ID}}, FirstName: p.FirstName, LanguageCode: p.Lang,
			Name: p.FullName(), School: p.School, Position: p.Position,
			ConsentAt: at.Add(-2 * time.Minute), RegisteredAt: at,
		})
	})
}

// appoint makes the leader lead the association and a member of it, as
// the coordinator's appointment does.
func (d *demo) appoint(da demoAssoc, at time.Time) error {
	a := d.assocs[da.key]
	err := d.at(at, func(tx *boltdb.Tx) error {
		if err := tx.SetLeader(a.ID, da.leader); err != nil {
			return err
		}
		if err := tx.Audit(boltdb.AuditEntry{Actor: Coordinator, Action: "leadership.appoint", Subject: da.leader, Association: a.ID}); err != nil {
			return err
		}
		return tx.PutMembership(&mmo.Membership{AssociationID: a.ID, UserID: da.leader, State: mmo.MemberActive, JoinedAt: at, Via: "leader"})
	})
	if err != nil {
		return err
	}
	// SetLeader changed the stored record, not the copy the later steps
	// read the leader from (approvals, events, marks).
	a.LeaderID = da.leader
	return nil
}

// invite gives the association a member invitation link of its leader.
func (d *demo) invite(da demoAssoc, at time.Time) error {
	return d.at(at, func(tx *boltdb.Tx) error {
		a, err := tx.Association(d.assocs[da.key].ID)
		if err != nil {
			return err
		}
		inv, err := mmo.NewInvite(mmo.InviteMember, a.ID, da.leader, at, 0)
		if err != nil {
			return err
		}
		if err := tx.PutInvite(&inv); err != nil {
			return err
		}
		a.InviteToken = inv.Token
		if err := tx.PutAssociation(a); err != nil {
			return err
		}
		return tx.Audit(boltdb.AuditEntry{Actor: da.leader, Action: "invitation.new", Association: a.ID})
	})
}

// join makes the teacher a member by the leader's link: at once for an
// open association, after the leader's approval for one by request.
func (d *demo) join(p *Persona, key string, at time.Time) error {
	a := d.assocs[key]
	setCurrent := func(tx *boltdb.Tx) error {
		u, err := tx.User(p.ID)
		if err != nil {
			return err
		}
		u.Current = a.ID
		return tx.PutUser(u)
	}
	if a.Policy == mmo.PolicyOpen {
		return d.at(at, func(tx *boltdb.Tx) error {
			if err := setCurrent(tx); err != nil {
				return err
			}
			if err := tx.PutMembership(&mmo.Membership{AssociationID: a.ID, UserID: p.ID, State: mmo.MemberActive, JoinedAt: at, Via: "link"}); err != nil {
				return err
			}
			return tx.Audit(boltdb.AuditEntry{Actor: p.ID, Action: "member.join", Subject: p.ID, Association: a.ID, Note: "link"})
		})
	}
	if err := d.at(at, func(tx *boltdb.Tx) error {
		if err := setCurrent(tx); err != nil {
			return err
		}
		if err := tx.PutMembership(&mmo.Membership{AssociationID: a.ID, UserID: p.ID, State: mmo.MemberPending, RequestedAt: at, Via: "link"}); err != nil {
			return err
		}
		return tx.Audit(boltdb.AuditEntry{Actor: p.ID, Action: "member.request", Subject: p.ID, Association: a.ID})
	}); err != nil {
		return err
	}
	approved := at.Add(3 * time.Hour)
	return d.at(approved, func(tx *boltdb.Tx) error {
		if err := tx.PutMembership(&mmo.Membership{AssociationID: a.ID, UserID: p.ID, State: mmo.MemberActive, RequestedAt: at, JoinedAt: approved, Via: "link"}); err != nil {
			return err
		}
		return tx.Audit(boltdb.AuditEntry{Actor: a.LeaderID, Action: "member.approve", Subject: p.ID, Association: a.ID, Note: "link"})
	})
}

// event creates a demo event as a draft and, unless it stays one,
// publishes it, records the answers and, for a past event, the
// check-ins.
func (d *demo) event(de demoEvent) error {
	a := d.assocs[de.assoc]
	created := d.day(de.created, 11, 0)
	e := &mmo.Event{
		AssociationID: a.ID, Format: de.format, Topic: de.topic, Agenda: de.agenda,
		Start: d.day(de.day, de.hour, de.min), Duration: time.Duration(de.minutes) * time.Minute,
		Place: de.place, Link: de.link, State: mmo.EventDraft, CreatedBy: a.LeaderID,
	}
	if err := d.at(created, func(tx *boltdb.Tx) error { return tx.CreateEvent(e) }); err != nil {
		return err
	}
	if de.published == 0 {
		return nil
	}
	published := d.day(de.published, 12, 30)
	if err := d.at(published, func(tx *boltdb.Tx) error {
		e.State, e.PublishedAt, e.ChangedAt, e.Version = mmo.EventPublished, published, published, 1
		code, err := mmo.NewCheckinCode()
		if err != nil {
			return err
		}
		token, err := mmo.NewToken()
		if err != nil {
			return err
		}
		e.Checkin.Code, e.Checkin.Token = code, token
		if err := tx.PutCheckinToken(token, e.ID); err != nil {
			return err
		}
		if de.venue != nil {
			e.Checkin.RequireLocation, e.Checkin.Lat, e.Checkin.Lon, e.Checkin.Radius = true, de.venue[0], de.venue[1], mmo.DefaultRadius
		}
		// Everyone got the announcement.
		audience := 0
		ms, err := tx.Members(a.ID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.State == mmo.MemberActive && m.UserID != a.LeaderID {
				audience++
			}
		}
		bc := &boltdb.Broadcast{Kind: "announce", EventID: e.ID, Total: audience, Delivered: audience}
		if err := tx.CreateBroadcast(bc); err != nil {
			return err
		}
		e.Announcement = bc.ID
		if err := tx.PutEvent(e); err != nil {
			return err
		}
		return tx.Audit(boltdb.AuditEntry{Actor: a.LeaderID, Action: "meeting.publish", Association: a.ID, Note: strconv.FormatUint(e.ID, 10)})
	}); err != nil {
		return err
	}
	ids := make([]int64, 0, len(de.answers))
	for uid := range de.answers {
		ids = append(ids, uid)
	}
	slices.Sort(ids)
	for i, uid := range ids {
		at := published.Add(time.Duration(40+i*97) * time.Minute)
		if err := d.at(at, func(tx *boltdb.Tx) error {
			return tx.PutRSVP(&mmo.RSVP{EventID: e.ID, UserID: uid, Answer: de.answers[uid], Version: e.Version, At: at})
		}); err != nil {
			return err
		}
	}
	if !e.Start.Before(d.now) {
		return nil
	}
	// A past event: its reminders went out, check-in was announced, and
	// the members checked in; the leader excused the absent.
	if err := d.at(e.Start.Add(-24*time.Hour), func(tx *boltdb.Tx) error {
		return tx.MarkReminderSent(e.ID, e.Version, 24*time.Hour)
	}); err != nil {
		return err
	}
	if err := d.at(e.Start.Add(-time.Hour), func(tx *boltdb.Tx) error {
		return tx.MarkReminderSent(e.ID, e.Version, time.Hour)
	}); err != nil {
		return err
	}
	if err := d.at(e.Start.Add(-mmo.DefaultCheckinBefore), func(tx *boltdb.Tx) error {
		e.Checkin.Announced = true
		return tx.PutEvent(e)
	}); err != nil {
		return err
	}
	ids = ids[:0]
	for uid := range de.present {
		ids = append(ids, uid)
	}
	slices.Sort(ids)
	for i, uid := range ids {
		at := e.Start.Add(time.Duration(-9+2*i) * time.Minute)
		if err := d.at(at, func(tx *boltdb.Tx) error {
			return tx.PutAttendance(&mmo.Attendance{EventID: e.ID, UserID: uid, Mark: mmo.MarkPresent, How: de.present[uid], At: at})
		}); err != nil {
			return err
		}
	}
	for uid, note := range de.excused {
		at := e.Start.Add(40 * time.Minute)
		if err := d.at(at, func(tx *boltdb.Tx) error {
			return tx.PutAttendance(&mmo.Attendance{EventID: e.ID, UserID: uid, Mark: mmo.MarkExcused, How: mmo.HowManual, At: at, Note: note, By: a.LeaderID})
		}); err != nil {
			return err
		}
	}
	return nil
}

// consultation files a member's request to the mathematics association,
// asked yesterday and not taken yet.
func (d *demo) consultation() error {
	asked := d.now.Add(-26 * time.Hour)
	a := d.assocs[demoMath]
	return d.at(asked, func(tx *boltdb.Tx) error {
		c := &mmo.Consultation{
			AssociationID: a.ID, AskerID: 3002, Member: true, Category: "cat:methods",
			Question: "Подскажите, пожалуйста, какие задачи на функциональную грамотность лучше разбирать в 7 классе? " +
				"Нужна подборка заданий с критериями оценивания для урока алгебры.",
			Form: mmo.FormChat, Status: mmo.ConsultNew,
			CreatedAt: asked, WaitingSince: asked, LastActivity: asked,
		}
		if err := tx.CreateConsultation(c); err != nil {
			return fmt.Errorf("consultation: %w", err)
		}
		return nil
	})
}
