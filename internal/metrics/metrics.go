// Package metrics keeps the bot's figures for Prometheus and for
// `mmobot status`: what the transport did (requests, 429s, messages sent,
// updates handled, due scans, the last successful poll), what the outbox
// holds, the store's size and the last backup. The transport is told
// about none of this package: it calls a narrow recorder interface of its
// own, which *Metrics satisfies, and the figures that are states rather
// than events (the outbox, the store) are read from their sources at
// scrape time.
//
// Names follow Prometheus conventions: an mmobot_ prefix, base units
// (seconds, bytes), _total for counters. No label ever holds a user or
// chat id.
package metrics

import (
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Names of the metrics that `mmobot status` and the tests read back.
const (
	NameBuildInfo       = "mmobot_build_info"
	NameUpdates         = "mmobot_updates_received_total"
	NameUpdateSeconds   = "mmobot_update_handling_seconds"
	NameRequests        = "mmobot_telegram_requests_total"
	NameRetryAfter      = "mmobot_telegram_retry_after_seconds_total"
	NameLastPoll        = "mmobot_telegram_last_poll_timestamp_seconds"
	NameLastPollMax     = "mmobot_max_last_poll_timestamp_seconds"
	NameSent            = "mmobot_messages_sent_total"
	NameOutboxItems     = "mmobot_outbox_items"
	NameOutboxOldest    = "mmobot_outbox_oldest_item_age_seconds"
	NameBroadcasts      = "mmobot_broadcasts_in_progress"
	NameDueScanSeconds  = "mmobot_due_scan_seconds"
	NameStoreSize       = "mmobot_store_size_bytes"
	NameBackups         = "mmobot_backups_total"
	NameLastBackup      = "mmobot_last_backup_timestamp_seconds"
	NameLastBackupBytes = "mmobot_last_backup_size_bytes"
)

// Priorities are the outbox's kinds of items, most urgent first, as
// they appear in the priority label.
var Priorities = []string{"reply", "notice", "broadcast", "menu"}

// Outbox is what the outbox holds at one moment.
type Outbox struct {
	// Items and Oldest are by priority (see Priorities): how many items
	// wait, and when the oldest of them was queued (zero if none).
	Items  map[string]int
	Oldest map[string]time.Time
	// Broadcasts is how many broadcasts still have items waiting.
	Broadcasts int
}

// Sources are read at every scrape. Each may be nil.
type Sources struct {
	Outbox    func() (Outbox, error)
	StoreSize func() (int64, error)
	// Now is the clock the outbox's ages are taken on: the one its items
	// were stamped with. time.Now when nil.
	Now func() time.Time
}

// Build names the running build.
type Build struct {
	Version, Commit string
}

// Metrics holds the bot's metrics. Its methods are safe for concurrent
// use and cheap: they are called on the transport's hot paths.
type Metrics struct {
	reg *prometheus.Registry

	updates    *prometheus.CounterVec
	handling   *prometheus.HistogramVec
	requests   *prometheus.CounterVec
	retryAfter *prometheus.CounterVec
	sent       *prometheus.CounterVec
	dueScan    prometheus.Histogram
	backups    *prometheus.CounterVec

	lastPoll        atomic.Int64 // unix nanoseconds; 0: never
	lastPollMax     atomic.Int64 // the same for MAX
	lastBackup      atomic.Int64 // unix nanoseconds; 0: none known
	lastBackupBytes atomic.Int64
}

// New returns the metrics of one running bot, registered with a registry
// of their own (plus the Go runtime's and the process's), so two bots in
// one test process do not share counters.
func New(build Build, src Sources) *Metrics {
	if src.Now == nil {
		src.Now = time.Now
	}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameUpdates, Help: "Updates received from the messenger, by type (message, callback_query, my_chat_member, other).",
		}, []string{"type"}),
		handling: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: NameUpdateSeconds, Help: "Time from taking an update off the poll loop to its commit, by type.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"type"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameRequests, Help: `Bot API requests by method and result code ("200", "429", ... or "network" when no API answer came).`,
		}, []string{"method", "code"}),
		retryAfter: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameRetryAfter, Help: "Seconds Telegram asked to wait in its 429 answers, by method.",
		}, []string{"method"}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameSent, Help: "Outbox messages Telegram accepted, by kind (reply, notice, broadcast).",
		}, []string{"kind"}),
		dueScan: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: NameDueScanSeconds, Help: "Duration of the scans for reminders and other scheduled messages.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
		backups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameBackups, Help: `Backups written by the bot (scheduled and hot), by result ("ok", "failed").`,
		}, []string{"result"}),
	}
	for _, kind := range []string{"reply", "notice", "broadcast"} {
		m.sent.WithLabelValues(kind) // shown as 0 before the first
	}
	for _, r := range []string{"ok", "failed"} {
		m.backups.WithLabelValues(r)
	}
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: NameBuildInfo, Help: "Always 1; the labels name the running build.",
		ConstLabels: prometheus.Labels{"version": build.Version, "commit": build.Commit, "go_version": runtime.Version()},
	})
	info.Set(1)
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		info, m.updates, m.handling, m.requests, m.retryAfter, m.sent, m.dueScan, m.backups,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: NameLastPoll, Help: "When the last getUpdates succeeded (unix seconds; 0: not yet).",
		}, func() float64 { return unixSeconds(m.lastPoll.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: NameLastPollMax, Help: "When the last poll of MAX succeeded (unix seconds; 0: not yet).",
		}, func() float64 { return unixSeconds(m.lastPollMax.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: NameLastBackup, Help: "When the last successful backup was written (unix seconds; 0: none known).",
		}, func() float64 { return unixSeconds(m.lastBackup.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: NameLastBackupBytes, Help: "Size of the last successful backup.",
		}, func() float64 { return float64(m.lastBackupBytes.Load()) }),
	)
	if src.StoreSize != nil {
		m.reg.MustRegister(&storeCollector{size: src.StoreSize})
	}
	if src.Outbox != nil {
		m.reg.MustRegister(&outboxCollector{read: src.Outbox, now: src.Now})
	}
	return m
}

func unixSeconds(nanos int64) float64 {
	if nanos == 0 {
		return 0
	}
	return float64(nanos) / 1e9
}

// Handler serves the metrics in Prometheus's text format. A source that
// fails (the store closing at shutdown) leaves out its own figures only.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Registry is where the metrics are registered, for tests that gather
// them without HTTP.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Request counts one Bot API request; code is Telegram's (or the HTTP)
// status, 0 when no answer of the API came (the network failed).
func (m *Metrics) Request(method string, code int) {
	c := "network"
	if code != 0 {
		c = strconv.Itoa(code)
	}
	m.requests.WithLabelValues(method, c).Inc()
}

// Waited adds what a 429 asked for.
func (m *Metrics) Waited(method string, d time.Duration) {
	m.retryAfter.WithLabelValues(method).Add(d.Seconds())
}

// Sent counts one message Telegram accepted, by kind (reply, notice,
// broadcast).
func (m *Metrics) Sent(kind string) { m.sent.WithLabelValues(kind).Inc() }

// Update counts one update of the given type and how long it took.
func (m *Metrics) Update(kind string, took time.Duration) {
	m.updates.WithLabelValues(kind).Inc()
	m.handling.WithLabelValues(kind).Observe(took.Seconds())
}

// DueScan records how long a scan for due messages took.
func (m *Metrics) DueScan(took time.Duration) { m.dueScan.Observe(took.Seconds()) }

// Polled records a successful getUpdates at the given time.
func (m *Metrics) Polled(at time.Time) { m.lastPoll.Store(at.UnixNano()) }

// PolledMax records a successful poll of MAX at the given time.
func (m *Metrics) PolledMax(at time.Time) { m.lastPollMax.Store(at.UnixNano()) }

// LastPollMax is when a poll of MAX last succeeded; zero if it has not yet.
func (m *Metrics) LastPollMax() time.Time {
	if n := m.lastPollMax.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}

// LastPoll is when getUpdates last succeeded; zero if it has not yet.
func (m *Metrics) LastPoll() time.Time {
	if n := m.lastPoll.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}

// BackupDone records a backup written at the given time, of size bytes.
func (m *Metrics) BackupDone(at time.Time, size int64) {
	m.backups.WithLabelValues("ok").Inc()
	m.SetLastBackup(at, size)
}

// SetLastBackup records the last backup known without counting it: one
// found on disk at start.
func (m *Metrics) SetLastBackup(at time.Time, size int64) {
	if at.UnixNano() > m.lastBackup.Load() {
		m.lastBackup.Store(at.UnixNano())
		m.lastBackupBytes.Store(size)
	}
}

// BackupFailed counts a backup that could not be written.
func (m *Metrics) BackupFailed() { m.backups.WithLabelValues("failed").Inc() }

// outboxCollector reads the outbox once per scrape for its three
// families.
type outboxCollector struct {
	read func() (Outbox, error)
	now  func() time.Time
}

var (
	descItems = prometheus.NewDesc(NameOutboxItems,
		"Items waiting in the outbox, by priority (reply, notice, broadcast, menu).", []string{"priority"}, nil)
	descOldest = prometheus.NewDesc(NameOutboxOldest,
		"Age of the oldest item waiting in the outbox, by priority (0: none waits).", []string{"priority"}, nil)
	descBroadcasts = prometheus.NewDesc(NameBroadcasts,
		"Broadcasts with messages still waiting.", nil, nil)
)

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descItems
	ch <- descOldest
	ch <- descBroadcasts
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	o, err := c.read()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(descItems, err)
		return
	}
	now := c.now()
	for _, p := range Priorities {
		ch <- prometheus.MustNewConstMetric(descItems, prometheus.GaugeValue, float64(o.Items[p]), p)
		age := 0.0
		if t := o.Oldest[p]; !t.IsZero() {
			age = max(now.Sub(t).Seconds(), 0)
		}
		ch <- prometheus.MustNewConstMetric(descOldest, prometheus.GaugeValue, age, p)
	}
	ch <- prometheus.MustNewConstMetric(descBroadcasts, prometheus.GaugeValue, float64(o.Broadcasts))
}

// storeCollector reads the store's size at every scrape.
type storeCollector struct{ size func() (int64, error) }

var descStoreSize = prometheus.NewDesc(NameStoreSize, "Size of the database file.", nil, nil)

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) { ch <- descStoreSize }

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	n, err := c.size()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(descStoreSize, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(descStoreSize, prometheus.GaugeValue, float64(n))
}
