package telegram

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestWireTimesTimeTheTrip: a message's trip runs from its request
// written to the first byte of its answer, not to the end of a body that
// is slow to read, and a call that got no answer falls back to the whole
// call.
func TestWireTimesTimeTheTrip(t *testing.T) {
	const toAnswer, toBody = 20 * time.Millisecond, 500 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		time.Sleep(toAnswer)
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		time.Sleep(toBody)
		io.WriteString(w, `{"ok":true}`)
	}))
	defer srv.Close()

	var wire wireTimes
	req, err := http.NewRequestWithContext(wire.trace(context.Background()), http.MethodPost, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	now := time.Now()
	trip, answered := wire.trip(sent, now)
	if trip < toAnswer || trip >= toBody {
		t.Errorf("trip %v: want from the request written to the answer's first byte, at least %v and under the body's %v", trip, toAnswer, toBody)
	}
	if !answered.Before(now) || answered.Before(sent.Add(toAnswer)) {
		t.Errorf("answered %v after the send and %v before the body was read: want the first byte's time", answered.Sub(sent), now.Sub(answered))
	}

	var none wireTimes // a call that never reached the wire
	later := sent.Add(time.Second)
	if trip, at := none.trip(sent, later); trip != time.Second || !at.Equal(later) {
		t.Errorf("without wire times: trip %v at %v, want the whole call", trip, at.Sub(sent))
	}
}
