package mmo

import (
	"strings"
	"time"
)

// Practice is what a teacher showed at an event, as the participation
// record (справка) names it: a master class or an open lesson, which
// аттестация weighs.
type Practice string

// Practices a record names.
const (
	PracticeNone        Practice = ""
	PracticeMasterClass Practice = "masterclass"
	PracticeOpenLesson  Practice = "openlesson"
)

// PracticeIn is what a line of the minutes that names the teacher says
// she showed: «Антонова А. А. провела мастер-класс «…»» is a master
// class, «открытый урок» or «открытое занятие» an open lesson.
func PracticeIn(line string) Practice {
	low := strings.ToLower(line)
	switch {
	case strings.Contains(low, "мастер-класс") || strings.Contains(low, "мастер класс"):
		return PracticeMasterClass
	case strings.Contains(low, "открытый урок") || strings.Contains(low, "открытого урока") || strings.Contains(low, "открытом уроке") ||
		strings.Contains(low, "открытое занятие") || strings.Contains(low, "открытого занятия") || strings.Contains(low, "открытом занятии"):
		return PracticeOpenLesson
	}
	return PracticeNone
}

// PracticeOf is what the teacher ran at an event she created: its own
// format, if a master class or an open lesson.
func PracticeOf(e *Event) Practice {
	switch e.Format {
	case FormatMasterClass:
		return PracticeMasterClass
	case FormatOpenLesson:
		return PracticeOpenLesson
	}
	return PracticeNone
}

// PracticeFromRegister is what a teacher's entry in the register of open
// lessons and master classes says she showed at the event e: an entry of
// the event's day (in loc) or with a close topic; its form tells a master
// class from an open lesson.
func PracticeFromRegister(entries []*RegisterEntry, uid int64, e *Event, loc *time.Location) Practice {
	day := func(t time.Time) string { return t.In(loc).Format("2006-01-02") }
	for _, x := range entries {
		if x.Kind != RegisterOpenLesson || x.UserID != uid {
			continue
		}
		topic := x.Values["topic"]
		if day(x.At) != day(e.Start) && (topic == "" || !TopicsClose(topic, e.Topic)) {
			continue
		}
		if p := PracticeIn(x.Values["form"] + " " + topic); p != PracticeNone {
			return p
		}
		return PracticeOpenLesson // the register is of open lessons and master classes
	}
	return PracticeNone
}
