package telegramtest

// SetNextMessageID makes the next message of a private chat (created if
// need be) get at least id. The server starts every chat at message 1, but
// a bot that keeps its database across runs of a fresh server (the
// sandbox) remembers message ids of the earlier run — cards it refreshes
// in place — and must never find them naming another message of this run.
// An id lower than the one the chat would use next changes nothing.
func (s *Server) SetNextMessageID(chatID int64, id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chat(chatID, "private")
	if id > c.nextMsgID {
		c.nextMsgID = id
	}
}
