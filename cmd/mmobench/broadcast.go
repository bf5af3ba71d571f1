package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/config"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/telegram"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// telegramLimit is Telegram's broadcast limit, messages per second.
const telegramLimit = 30

// network is the fake network between the bot and the server.
type network struct {
	latency, jitter time.Duration
	back            bool // the answer takes a delay too
}

func (n network) String() string {
	if n.latency == 0 {
		return "loopback"
	}
	way := "on the way to the server"
	if n.back {
		way = "each way"
	}
	return fmt.Sprintf("%v ± %v %s", n.latency, n.jitter, way)
}

// broadcastResult is what a broadcast run measured.
type broadcastResult struct {
	members         int
	net             network
	elapsed         time.Duration
	sends, edits    int // accepted between the first and the last
	rate            float64
	tooMany         int
	lost, duplicate int
	pressed         int // members who answered «Приду» as the announcement came
}

func (r broadcastResult) print(w io.Writer) {
	fmt.Fprintf(w, "broadcast of two announcements to %d members (%d answer at once, refreshing the leader's cards), network %v;\n", r.members, r.pressed, r.net)
	fmt.Fprintf(w, "the server answers 429 beyond %d msg/s overall or 1 msg/s per chat (bursts of 3), edits counted\n\n", telegramLimit)
	fmt.Fprintf(w, "  elapsed            %v\n", r.elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "  sends, edits       %d, %d\n", r.sends, r.edits)
	fmt.Fprintf(w, "  messages/s         %.2f\n", r.rate)
	fmt.Fprintf(w, "  ratio to 30/s      %.4f\n", r.rate/telegramLimit)
	fmt.Fprintf(w, "  429s received     %d\n", r.tooMany)
	fmt.Fprintf(w, "  lost               %d\n", r.lost)
	fmt.Fprintf(w, "  duplicated         %d\n", r.duplicate)
}

// announcement is a store with an association of members and a draft
// event, a fake server enforcing Telegram's limits, and the bot running
// over both with the config's default limits; publish has the leader
// publish the event through the chat, as in real use.
type announcement struct {
	srv     *telegramtest.Server
	members int
	users   []*telegramtest.User // by id; the leader is 1, members 2..members+1
	leader  *telegramtest.User
	cards   []telegramtest.Message // the leader's card of each event
	stop    func()
	closeDB func()
}

// topics are the events announced: every member gets one message for
// each, so every chat has two messages to take at its own rate.
var topics = []string{"Итоги полугодия", "Открытый урок по теме года"}

const leaderID = 1

func newAnnouncement(members int, net network) (*announcement, error) {
	db, closeDB, err := tempDB()
	if err != nil {
		return nil, err
	}
	a := &announcement{members: members, closeDB: closeDB}
	now := time.Now()
	err = db.Update(func(tx *boltdb.Tx) error {
		as := &mmo.Association{Name: "ММО учителей математики", Subject: "математика", Policy: mmo.PolicyOpen}
		if err := tx.CreateAssociation(as); err != nil {
			return err
		}
		for id := int64(leaderID); id <= int64(members)+leaderID; id++ {
			if err := tx.PutUser(registeredUser(id, now)); err != nil {
				return err
			}
			if err := tx.PutMembership(&mmo.Membership{AssociationID: as.ID, UserID: id, State: mmo.MemberActive, JoinedAt: now}); err != nil {
				return err
			}
		}
		if err := tx.SetLeader(as.ID, leaderID); err != nil {
			return err
		}
		for i, topic := range topics {
			if err := tx.CreateEvent(&mmo.Event{AssociationID: as.ID, Format: mmo.FormatMeeting, Topic: topic,
				Start: now.Add(time.Duration(72+24*i) * time.Hour), Duration: 90 * time.Minute, Place: "МБОУ СОШ № 5", State: mmo.EventDraft, CreatedBy: leaderID}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		closeDB()
		return nil, err
	}
	a.srv = telegramtest.Start(telegramtest.Options{})
	a.srv.SetWaitTimeout(30 * time.Second)
	// Telegram tolerates short bursts to a chat (a reply in two parts);
	// the bot's default allows 3.
	a.srv.EnforceLimits(telegramtest.Limits{Global: telegramLimit, PerChat: 1, PerChatBurst: 3, GroupPerMinute: 20, Edits: true})
	a.srv.SetLatency(telegramtest.Latency{Base: net.latency, Jitter: net.jitter, Back: net.back})
	a.users = make([]*telegramtest.User, members+leaderID+1)
	for id := leaderID; id <= members+leaderID; id++ {
		a.users[id] = a.srv.NewUser(int64(id), "U", "ru")
	}
	// The defaults of the config: Telegram's limits.
	d := config.Default().Limits
	a.stop, err = startBot(db, a.srv, 64, telegram.Limits{Global: d.GlobalPerSecond, Private: d.PrivatePerSecond,
		PrivateBurst: d.PrivateBurst, GroupPerMinute: d.GroupPerMinute})
	if err != nil {
		a.srv.Close()
		closeDB()
		return nil, err
	}
	a.leader = a.users[leaderID]
	for i := range topics {
		a.leader.Send("/meetings")
		list, ok := a.leader.NextWithin(30 * time.Second)
		if !ok || len(list.Buttons()) <= i {
			a.close()
			return nil, fmt.Errorf("no list of events: %+v", list)
		}
		if _, err := a.leader.Press(&list, list.Buttons()[i].Text); err != nil {
			a.close()
			return nil, err
		}
		card, ok := a.leader.NextWithin(30 * time.Second)
		if !ok {
			a.close()
			return nil, fmt.Errorf("no event card")
		}
		a.cards = append(a.cards, card)
	}
	a.srv.SettleWithin(30 * time.Second)
	return a, nil
}

func (a *announcement) close() {
	a.stop()
	a.srv.Close()
	a.closeDB()
}

// publish has the leader publish both events, one after the other.
func (a *announcement) publish() error {
	for i := range a.cards {
		if _, err := a.leader.Press(&a.cards[i], "📣 Опубликовать"); err != nil {
			return err
		}
	}
	return nil
}

// announcements counts a member's messages announcing each event.
func (a *announcement) announcements(id int) []int {
	n := make([]int, len(topics))
	for _, m := range a.users[id].Messages() {
		for i, t := range topics {
			if strings.Contains(m.Text, t) {
				n[i]++
			}
		}
	}
	return n
}

// delivered counts the announcements members have.
func (a *announcement) delivered() int {
	got := 0
	for id := leaderID + 1; id <= a.members+leaderID; id++ {
		for _, n := range a.announcements(id) {
			got += min(n, 1)
		}
	}
	return got
}

// wait waits until every member has both announcements, or nothing moves.
func (a *announcement) wait() {
	deadline := time.Now().Add(time.Duration(a.members*len(topics))*time.Second/10 + 60*time.Second)
	for time.Now().Before(deadline) && a.delivered() < a.members*len(topics) {
		time.Sleep(20 * time.Millisecond)
	}
}

// lostAndDuplicated counts the announcements members got never or twice.
func (a *announcement) lostAndDuplicated() (lost, dup int) {
	for id := leaderID + 1; id <= a.members+leaderID; id++ {
		for _, n := range a.announcements(id) {
			switch {
			case n == 0:
				lost++
			case n > 1:
				dup++
			}
		}
	}
	return lost, dup
}

// respond has every fifth member answer «Приду» as soon as the first
// announcement reaches them, as people do: each answer refreshes the
// leader's card (an edit) and answers the member, within the same limits.
// It returns how many answered once stop is closed.
func (a *announcement) respond(stop <-chan struct{}) <-chan int {
	out := make(chan int, 1)
	go func() {
		pressed := map[int]bool{}
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				out <- len(pressed)
				return
			case <-tick.C:
			}
			for id := leaderID + 1; id <= a.members+leaderID; id += 5 {
				if pressed[id] {
					continue
				}
				for _, m := range a.users[id].Messages() {
					if _, ok := m.Button("✅ Приду"); ok && strings.Contains(m.Text, topics[0]) {
						if _, err := a.users[id].Press(&m, "✅ Приду"); err == nil {
							pressed[id] = true
						}
						break
					}
				}
			}
		}
	}()
	return out
}

// runBroadcast has the leader publish both events to every member while
// some members answer.
func runBroadcast(members int, net network) (broadcastResult, error) {
	a, err := newAnnouncement(members, net)
	if err != nil {
		return broadcastResult{}, err
	}
	defer a.close()
	before := a.srv.Stats()
	stop := make(chan struct{})
	pressed := a.respond(stop)
	start := time.Now()
	if err := a.publish(); err != nil {
		close(stop)
		return broadcastResult{}, err
	}
	a.wait()
	elapsed := time.Since(start)
	close(stop)
	a.srv.SettleWithin(10 * time.Second)
	res := broadcastResult{members: members, net: net, tooMany: a.srv.Stats().TooMany - before.TooMany, pressed: <-pressed}
	res.lost, res.duplicate = a.lostAndDuplicated()
	// The rate is of what the limit counts, messages and edits, between
	// the first and the last the server accepted while the announcements
	// went out.
	var first, final time.Time
	for _, r := range a.srv.Requests() {
		counted := r.Method == "sendMessage" || r.Method == "editMessageText" || r.Method == "editMessageReplyMarkup"
		if !counted || r.Status != 200 || r.At.Before(start) || r.At.After(start.Add(elapsed)) {
			continue
		}
		if first.IsZero() {
			first = r.At
		}
		final = r.At
		if r.Method == "sendMessage" {
			res.sends++
		} else {
			res.edits++
		}
	}
	res.elapsed = elapsed
	if span := final.Sub(first); span > 0 {
		res.rate = float64(res.sends+res.edits-1) / span.Seconds()
	}
	return res, nil
}

// latency is the spread of the times /start waited for its first answer.
type latency struct {
	p50, p99, max time.Duration
}

// replyResult is what a reply-latency run measured: a newcomer's /start
// on the idle bot (the baseline, same run, same server and limits) and
// while the announcement to every member is queued.
type replyResult struct {
	members, starts int
	idle, during    latency
	// queued is how many announcements were still waiting when the last
	// /start of the run was answered: the replies did not wait for them.
	queued          int
	tooMany         int
	lost, duplicate int
}

func (r replyResult) print(w io.Writer) {
	fmt.Fprintf(w, "\n/start from %d newcomers, one every %v: from the update queued on the server to the first answer at the server\n\n", r.starts, startGap)
	fmt.Fprintf(w, "  %-40s %10s %10s %10s\n", "", "p50", "p99", "max")
	for _, l := range []struct {
		name string
		l    latency
	}{{"idle bot", r.idle}, {fmt.Sprintf("%d announcements queued", r.members), r.during}} {
		fmt.Fprintf(w, "  %-40s %10s %10s %10s\n", l.name, l.l.p50.Round(100*time.Microsecond), l.l.p99.Round(100*time.Microsecond), l.l.max.Round(100*time.Microsecond))
	}
	fmt.Fprintf(w, "\n  announcements still queued at the last answer  %d of %d\n", r.queued, r.members*len(topics))
	fmt.Fprintf(w, "  429s received     %d\n", r.tooMany)
	fmt.Fprintf(w, "  lost               %d\n", r.lost)
	fmt.Fprintf(w, "  duplicated         %d\n", r.duplicate)
}

// startGap spaces the newcomers' /start messages.
const startGap = 200 * time.Millisecond

// runReplyLatency sends /start from newcomers to the idle bot, then again
// right after the leader publishes the event to every member, while the
// announcements wait to go out at Telegram's 30 a second.
func runReplyLatency(members, starts int, net network) (replyResult, error) {
	a, err := newAnnouncement(members, net)
	if err != nil {
		return replyResult{}, err
	}
	defer a.close()
	before := a.srv.Stats()
	res := replyResult{members: members, starts: starts}
	newcomers := make([]*telegramtest.User, 2*starts)
	for i := range newcomers {
		newcomers[i] = a.srv.NewUser(int64(1_000_000+i), "N", "ru")
	}
	if res.idle, err = measureStarts(a.srv, newcomers[:starts]); err != nil {
		return replyResult{}, fmt.Errorf("idle: %w", err)
	}
	if err := a.publish(); err != nil {
		return replyResult{}, err
	}
	// The announcements are queued once the first went out.
	deadline := time.Now().Add(30 * time.Second)
	for a.delivered() == 0 {
		if time.Now().After(deadline) {
			return replyResult{}, fmt.Errorf("the announcement did not start")
		}
		time.Sleep(time.Millisecond)
	}
	if res.during, err = measureStarts(a.srv, newcomers[starts:]); err != nil {
		return replyResult{}, fmt.Errorf("during the announcement: %w", err)
	}
	res.queued = members*len(topics) - a.delivered()
	a.wait()
	a.srv.SettleWithin(5 * time.Second)
	res.tooMany = a.srv.Stats().TooMany - before.TooMany
	res.lost, res.duplicate = a.lostAndDuplicated()
	return res, nil
}

// measureStarts has each newcomer send /start, startGap apart, waits for
// every first answer, and returns the spread of the waits.
func measureStarts(srv *telegramtest.Server, newcomers []*telegramtest.User) (latency, error) {
	sent := make(map[int64]time.Time, len(newcomers))
	for i, u := range newcomers {
		if i > 0 {
			time.Sleep(startGap)
		}
		sent[u.ID] = time.Now()
		u.Send("/start")
	}
	var lat []time.Duration
	for _, u := range newcomers {
		if _, ok := u.NextWithin(30 * time.Second); !ok {
			return latency{}, fmt.Errorf("no answer to the /start of %d within 30 s", u.ID)
		}
	}
	answered := map[int64]bool{}
	for _, r := range srv.Requests() {
		if r.Method != "sendMessage" || r.Status != 200 {
			continue
		}
		chat, _ := strconv.ParseInt(r.Params.Get("chat_id"), 10, 64)
		if at, ok := sent[chat]; ok && !answered[chat] {
			answered[chat] = true
			lat = append(lat, r.At.Sub(at))
		}
	}
	if len(lat) != len(newcomers) {
		return latency{}, fmt.Errorf("%d answers matched, want %d", len(lat), len(newcomers))
	}
	slices.Sort(lat)
	return latency{p50: lat[len(lat)/2], p99: lat[(len(lat)*99+99)/100-1], max: lat[len(lat)-1]}, nil
}
