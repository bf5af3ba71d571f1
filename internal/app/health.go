package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/metrics"
)

// The operator's HTTP listener (config http.addr):
//
//	/livez    200 "ok" while the process answers; no dependency is checked,
//	          so a restart is never asked for because Telegram is down
//	/readyz   200 "ready", or 503 "not ready" and one reason a line: the
//	          store does not open a read transaction, the last successful
//	          getUpdates is older than http.poll_max_age, or a message has
//	          waited in the outbox past http.outbox_max_age
//	/metrics  Prometheus's text format (see package metrics)

// storeCheckTimeout bounds the store's part of /readyz: a read
// transaction waits only for a remap of a growing file, never for long.
const storeCheckTimeout = 2 * time.Second

// listenHTTP starts the listener if http.addr is set. A configured
// address that cannot be bound stops the start: an operator who asked
// for health checks must not run without them unawares.
func (m *Main) listenHTTP() error {
	addr := m.Config.HTTP.Addr
	if addr == "" {
		return nil
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("http.addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /livez", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", m.serveReady)
	mux.Handle("GET /metrics", m.Metrics.Handler())
	m.http = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second}
	m.httpAddr = l.Addr()
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := m.http.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("http listener stopped", "error", err)
		}
	}()
	m.Log.Info("serving health checks and metrics", "addr", l.Addr().String())
	return nil
}

// HTTPAddr is the address the listener is bound to (its port chosen by
// the system if http.addr asked for port 0); nil when it is off.
func (m *Main) HTTPAddr() net.Addr { return m.httpAddr }

func (m *Main) serveReady(w http.ResponseWriter, r *http.Request) {
	reasons := m.Readiness()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if len(reasons) == 0 {
		fmt.Fprintln(w, "ready")
		return
	}
	w.WriteHeader(http.StatusServiceUnavailable)
	fmt.Fprintln(w, "not ready")
	for _, r := range reasons {
		fmt.Fprintln(w, r)
	}
}

// Readiness returns why the bot is not ready to serve users, one reason
// each; none when it is.
func (m *Main) Readiness() []string {
	var reasons []string
	if err := m.storeReadable(); err != nil {
		reasons = append(reasons, "store: "+err.Error())
	}
	now := m.Now()
	h := m.Config.HTTP
	// Each messenger the bot runs on must be polled: with both, one down
	// is a part of the users unserved.
	if m.Config.Telegram.Token != "" {
		switch last := m.Metrics.LastPoll(); {
		case last.IsZero():
			reasons = append(reasons, "telegram: no getUpdates has succeeded yet")
		case now.Sub(last) > h.PollMaxAge:
			reasons = append(reasons, fmt.Sprintf("telegram: the last successful getUpdates was %s ago (http.poll_max_age %s); see the log for why polls fail",
				round(now.Sub(last)), h.PollMaxAge))
		}
	}
	if m.Config.Max.Token != "" {
		switch last := m.Metrics.LastPollMax(); {
		case last.IsZero():
			reasons = append(reasons, "max: no poll of updates has succeeded yet")
		case now.Sub(last) > h.PollMaxAge:
			reasons = append(reasons, fmt.Sprintf("max: the last successful poll of updates was %s ago (http.poll_max_age %s); see the log for why polls fail",
				round(now.Sub(last)), h.PollMaxAge))
		}
	}
	s, err := m.DB.OutboxSummary()
	if err != nil {
		return append(reasons, "outbox: "+err.Error())
	}
	for _, p := range []boltdb.Priority{boltdb.PriorityReply, boltdb.PriorityNotice, boltdb.PriorityBulk} {
		oldest := s.Oldest[p]
		if oldest.IsZero() {
			continue
		}
		limit := h.OutboxMaxAge
		if p == boltdb.PriorityBulk {
			// A broadcast to thousands takes its time at the configured
			// rate; only what is later than that is stuck.
			limit += time.Duration(float64(s.Items[p]) / m.Config.Limits.GlobalPerSecond * float64(time.Second))
		}
		if age := now.Sub(oldest); age > limit {
			reasons = append(reasons, fmt.Sprintf("outbox: the oldest %s message has waited %s (limit %s, %d waiting); see the log for why sends fail",
				metrics.Priorities[p], round(age), round(limit), s.Items[p]))
		}
	}
	return reasons
}

// storeReadable opens and closes a read transaction, giving up after
// storeCheckTimeout.
func (m *Main) storeReadable() error {
	done := make(chan error, 1)
	go func() { done <- m.DB.View(func(*boltdb.Tx) error { return nil }) }()
	select {
	case err := <-done:
		return err
	case <-time.After(storeCheckTimeout):
		return fmt.Errorf("a read transaction did not start within %s", storeCheckTimeout)
	}
}

func round(d time.Duration) time.Duration { return d.Round(time.Second) }

// closeHTTP stops the listener, letting requests in hand finish briefly.
func (m *Main) closeHTTP() {
	if m.http == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := m.http.Shutdown(ctx); err != nil {
		m.http.Close()
	}
}

// outboxFigures is the outbox as the metrics show it.
func (m *Main) outboxFigures() (metrics.Outbox, error) {
	s, err := m.DB.OutboxSummary()
	if err != nil {
		return metrics.Outbox{}, err
	}
	o := metrics.Outbox{Items: map[string]int{}, Oldest: map[string]time.Time{}, Broadcasts: s.Broadcasts}
	for p, name := range metrics.Priorities {
		o.Items[name] = s.Items[p]
		o.Oldest[name] = s.Oldest[p]
	}
	return o, nil
}
