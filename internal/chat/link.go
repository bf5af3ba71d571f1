package chat

// Links and accounts across messengers: a bot that runs on several
// messengers shows a link of each where a person may pass a link on to
// people on another messenger.

// messengerName is the name of a messenger as people know it.
func (r *Request) messengerName(messenger string) string {
	switch messenger {
	case "max":
		return r.T("max_link.name_max")
	case "telegram":
		return r.T("max_link.name_telegram")
	}
	return messenger
}

// otherLinks is a line per messenger other than the request's with the
// deep link of payload there, "" when the bot runs on one messenger.
func (r *Request) otherLinks(payload string) string {
	s := ""
	for _, t := range r.bot.opt.Transports {
		if t.Messenger == r.Update.Messenger {
			continue
		}
		s += "\n" + r.T("max_link.other_messenger", "Messenger", r.messengerName(t.Messenger), "Link", t.DeepLink(payload))
	}
	return s
}
