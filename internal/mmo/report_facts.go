package mmo

// ConsultTally counts an association's consultation requests of a year
// for the report: what was asked, what was answered and what is still
// open, teachers (members) and others (parents, through the public link)
// apart. Only an answered request is a consultation given.
type ConsultTally struct {
	Teachers, Others ConsultCount
}

// ConsultCount is the tally of one group of askers.
type ConsultCount struct {
	Received int // requests filed
	Answered int // got an answer (a consultation given)
	Open     int // no answer yet
}

// Total is both groups together.
func (t ConsultTally) Total() ConsultCount {
	return ConsultCount{
		Received: t.Teachers.Received + t.Others.Received,
		Answered: t.Teachers.Answered + t.Others.Answered,
		Open:     t.Teachers.Open + t.Others.Open,
	}
}

// TallyConsultations counts the requests. A request counts answered once
// a consultant replied, whatever happened after; one closed without any
// answer (withdrawn) is received but neither answered nor open.
func TallyConsultations(cs []*Consultation) ConsultTally {
	var t ConsultTally
	for _, c := range cs {
		g := &t.Others
		if c.Member {
			g = &t.Teachers
		}
		g.Received++
		switch {
		case !c.AnsweredAt.IsZero():
			g.Answered++
		case c.Open():
			g.Open++
		}
	}
	return t
}
