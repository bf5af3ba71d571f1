package telegram

import "sync"

// heldError keeps the first refused commit of a batch of updates.
type heldError struct {
	mu  sync.Mutex
	err error
}

func (h *heldError) set(err error) {
	h.mu.Lock()
	if h.err == nil {
		h.err = err
	}
	h.mu.Unlock()
}

// take returns the error and clears it for the next batch.
func (h *heldError) take() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	err := h.err
	h.err = nil
	return err
}
