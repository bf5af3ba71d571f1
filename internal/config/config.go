// Package config loads the configuration of the ММО bot.
//
// A configuration is assembled in four steps, each overriding the previous
// one: the built-in defaults ([Default]), an optional YAML file ([Parse]),
// environment variables ([Config.ApplyEnv]) and finally validation
// ([Config.Validate]). [Load] runs all four. The package keeps no global
// state: every function works on the [Config] value it is given.
//
// Every YAML key can be overridden by an environment variable whose name is
// [EnvPrefix] followed by the upper-case YAML path joined with "_", for
// example telegram.poll_timeout becomes MMOBOT_TELEGRAM_POLL_TIMEOUT. The
// mapping is derived from the struct tags by reflection, so fields added
// later get environment support without further code.
package config

import (
	"path/filepath"
	"slices"
	"strings"
	"time"

	// The time zone database is embedded so that Validate can load
	// Timezone even in minimal container images without /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/mmobot/mmobot/internal/mmo"
)

// Config is the complete bot configuration.
type Config struct {
	// Telegram holds the Bot API connection settings.
	Telegram Telegram `yaml:"telegram"`
	// Max holds the MAX Bot API connection settings.
	Max Max `yaml:"max"`
	// Admins lists the accounts of the bot administrators: "telegram:123",
	// "max:456", or a bare Telegram user id.
	Admins []Admin `yaml:"admins"`
	// Timezone is the IANA time zone name used for dates shown to users
	// and for schedules, "Europe/Moscow" by default.
	Timezone string `yaml:"timezone"`
	// Data configures the on-disk database.
	Data Data `yaml:"data"`
	// Log configures the logger.
	Log Log `yaml:"log"`
	// HTTP configures the listener of health checks and metrics.
	HTTP HTTP `yaml:"http"`
	// Backup configures the backups the bot writes by itself.
	Backup Backup `yaml:"backup"`
	// Limits configures the outgoing message rate limits and the limit
	// on each user's incoming updates.
	Limits Limits `yaml:"rate_limits"`
	// Dialogs configures multi-step conversations with users.
	Dialogs Dialogs `yaml:"dialogs"`
	// Regulation holds the rules of the city's regulation on associations.
	Regulation Regulation `yaml:"regulation"`
	// Invitations configures invitation links.
	Invitations Invitations `yaml:"invitations"`
	// Meetings configures events and their reminders.
	Meetings Meetings `yaml:"meetings"`
	// Consultations configures consultation requests.
	Consultations Consultations `yaml:"consultations"`
	// Organisation is the methodical centre whose name and head the
	// official documents carry.
	Organisation Organisation `yaml:"organisation"`
	// Registration configures what newcomers are asked.
	Registration Registration `yaml:"registration"`
	// Location is Timezone loaded by Validate; it is nil before a
	// successful Validate and is never read from the file or environment.
	Location *time.Location `yaml:"-"`
}

// Telegram holds the Bot API connection settings.
type Telegram struct {
	// Token is the bot token issued by @BotFather (env MMOBOT_TELEGRAM_TOKEN).
	Token string `yaml:"token"`
	// APIEndpoint is the Bot API URL pattern with two %s placeholders:
	// the token, then the method name. It must be an http or https URL.
	APIEndpoint string `yaml:"api_endpoint"`
	// PollTimeout is the getUpdates long-poll wait, 0..50s in whole seconds.
	PollTimeout time.Duration `yaml:"poll_timeout"`
	// RequestTimeout is the HTTP client timeout for calls other than the
	// long poll; it must be positive.
	RequestTimeout time.Duration `yaml:"request_timeout"`
	// Workers is the number of chats handled concurrently, 1..256.
	Workers int `yaml:"workers"`
}

// Data configures the on-disk database.
type Data struct {
	// Path is the bbolt database file.
	Path string `yaml:"path"`
	// OpenTimeout is how long to wait for the database file lock
	// (bbolt Options.Timeout); it must be positive.
	OpenTimeout time.Duration `yaml:"open_timeout"`
	// Init allows the bot to start a new, empty database where Path is an
	// empty file, or is missing while its directory holds other files.
	// Both look like a lost database, so the bot refuses to start on them
	// unless this is set (or run is given -init). Set it once, not for
	// good: left on, it would hide the next lost database.
	Init bool `yaml:"init"`
}

// Log configures the logger.
type Log struct {
	// Format is "text" or "json".
	Format string `yaml:"format"`
	// Level is "debug", "info", "warn" or "error".
	Level string `yaml:"level"`
}

// HTTP configures the listener of health checks and metrics.
type HTTP struct {
	// Addr is where /livez, /readyz and /metrics are served, as
	// host:port; empty or "off" turns the listener off. The default listens on
	// the loopback interface only: the figures are the operator's.
	Addr string `yaml:"addr"`
	// PollMaxAge is how old the last successful getUpdates may be before
	// /readyz says the bot is not ready; longer than
	// telegram.poll_timeout, which a poll that finds nothing lasts.
	PollMaxAge time.Duration `yaml:"poll_max_age"`
	// OutboxMaxAge is how long a reply or notice may wait in the outbox
	// before /readyz says the bot is not ready. A broadcast's messages
	// may wait as much longer as the broadcast needs at
	// rate_limits.global_per_second. At least one minute, the time a
	// failing message is retried.
	OutboxMaxAge time.Duration `yaml:"outbox_max_age"`
}

// Backup configures the backups the bot writes by itself.
type Backup struct {
	// Every is how often a backup is written; 0 turns them off.
	Every time.Duration `yaml:"every"`
	// Dir is where they are written; empty means "backups" in the
	// directory of data.path (see Config.BackupDir).
	Dir string `yaml:"dir"`
	// Keep is how many backups are kept; older ones are deleted.
	Keep int `yaml:"keep"`
}

// BackupDir is where scheduled backups go: backup.dir, or "backups"
// beside the database, on the same volume.
func (c Config) BackupDir() string {
	if c.Backup.Dir != "" {
		return c.Backup.Dir
	}
	return filepath.Join(filepath.Dir(c.Data.Path), "backups")
}

// Limits configures the outgoing message rate limits and the limit on
// each user's incoming updates.
type Limits struct {
	// GlobalPerSecond is the maximum number of messages per second across
	// all chats; it must be positive.
	GlobalPerSecond float64 `yaml:"global_per_second"`
	// PrivatePerSecond is the sustained message rate per private chat;
	// it must be positive.
	PrivatePerSecond float64 `yaml:"private_per_second"`
	// PrivateBurst is how many messages a private chat may receive at once
	// before PrivatePerSecond applies; at least 1.
	PrivateBurst int `yaml:"private_burst"`
	// GroupPerMinute is the maximum number of messages per minute per group
	// chat; at least 1.
	GroupPerMinute int `yaml:"group_per_minute"`
	// UserUpdates is how many updates (messages, button presses) of one
	// user are handled within UserWindow; the excess gets one short notice
	// and is dropped. 0 turns the limit off.
	UserUpdates int `yaml:"user_updates"`
	// UserWindow is the sliding window of UserUpdates, 1s..1h.
	UserWindow time.Duration `yaml:"user_window"`
}

// Dialogs configures multi-step conversations with users.
type Dialogs struct {
	// IdleTimeout is how long a half-filled form is kept without activity
	// before it expires; at least one minute.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
}

// Regulation holds the rules of the city's regulation (Положение) on
// methodological associations; the defaults are Ivanovo's.
type Regulation struct {
	// Preset is the regulation the other values start from: "ivanovo"
	// (the default: school years, Приложение 1–3) or "biysk" (plans by
	// the calendar year, no minimum of members or заседания, Biysk's goal
	// and tasks). A value left at its Ivanovo default takes the preset's;
	// any value set to something else overrides it.
	Preset string `yaml:"preset"`
	// Goal and Tasks (one a line) start every new work plan; empty means
	// the preset's, quoted from its regulation.
	Goal  string `yaml:"goal"`
	Tasks string `yaml:"tasks"`
	// MinMembers is the number of members an association needs to count
	// as active rather than forming; 0 disables the rule.
	MinMembers int `yaml:"min_members"`
	// SchoolYearStart is the first day of the school year, "MM-DD".
	SchoolYearStart string `yaml:"school_year_start"`
	// PlanDue is when the work plan is due, "MM-DD", in the school year.
	PlanDue string `yaml:"plan_due"`
	// ReportDue is when the annual report is due, "MM-DD".
	ReportDue string `yaml:"report_due"`
	// MinMeetings is how many заседания a school year needs; 0: no rule.
	MinMeetings int `yaml:"min_meetings"`
	// MeetingsWarning is the day, "MM-DD", from which the coordinator is
	// warned about associations whose held and scheduled заседания will
	// not reach MinMeetings.
	MeetingsWarning string `yaml:"meetings_warning"`
	// RetentionYears is how many years after a school year its documents
	// and records are kept.
	RetentionYears int `yaml:"retention_years"`
	// ReminderDays are how many days before a due date leaders are
	// reminded; they are reminded on the day too.
	ReminderDays []int `yaml:"reminder_days"`
	// OverdueEveryDays is how often leaders are reminded while overdue.
	OverdueEveryDays int `yaml:"overdue_every_days"`
	// AlertsAt is the time of day, "HH:MM" in the deployment's zone, at
	// which reminders and the coordinator's digest go out.
	AlertsAt string `yaml:"alerts_at"`
	// ParentConsultations tells whether a new association takes
	// consultation requests from parents (a public link) from the start:
	// "on" or "off"; empty means the preset's (on in Biysk, whose
	// regulation, 4.4, provides consultations for parents; off in
	// Ivanovo). The leader can turn the link on or off at any time.
	ParentConsultations string `yaml:"parent_consultations"`
}

// Organisation is the methodical centre that runs the associations. Its
// name and city head the protocols, its head agrees the plans, and
// Language is the language of every official document (protocols, plans,
// reports, records), whatever a user's interface language.
type Organisation struct {
	// Name is the centre's full name, e.g. «МБУ «Методический центр в
	// системе образования»».
	Name string `yaml:"name"`
	// City is printed with it, e.g. «г. Иваново».
	City string `yaml:"city"`
	// HeadTitle and HeadName are the head's position and full name, for
	// the agreement block of the plan and the signature of records.
	HeadTitle string `yaml:"head_title"`
	HeadName  string `yaml:"head_name"`
	// Language is the documents' language, "ru" (the default) or "en".
	Language string `yaml:"language"`
}

// Profile is the organisation as the domain sees it.
func (o Organisation) Profile() mmo.Organisation {
	return mmo.Organisation{Name: o.Name, City: o.City, HeadTitle: o.HeadTitle, HeadName: o.HeadName, Lang: o.Language}
}

// Invitations configures invitation links.
type Invitations struct {
	// MemberTTL is how long a member invitation link stays valid; 0 means
	// until the leader revokes or replaces it (a printed QR code keeps
	// working all year).
	MemberTTL time.Duration `yaml:"member_ttl"`
	// LeaderTTL is how long a one-time leader invitation stays valid.
	LeaderTTL time.Duration `yaml:"leader_ttl"`
}

// Meetings configures events and their reminders.
type Meetings struct {
	// Reminders are how long before an event its reminders go to those
	// who said they would come (or might).
	Reminders []time.Duration `yaml:"reminders"`
	// NudgeAfter is how long an announcement is out before the leader is
	// offered to remind those who have not answered: people need time to
	// answer before being asked again.
	NudgeAfter time.Duration `yaml:"nudge_after"`
}

// Registration configures what newcomers are asked.
type Registration struct {
	// Schools is the city's list of schools and other organisations,
	// which a newcomer picks from (by a number or words of the name)
	// rather than typing one of many spellings; one not in the list is
	// allowed and marked. Empty: the name is typed freely.
	Schools []string `yaml:"schools"`
}

// Consultations configures consultation requests.
type Consultations struct {
	// Categories are the topics a request can be filed under; empty means
	// the built-in list (normative documents, methods and technologies,
	// work with families, contests, certification, software, other) in
	// each user's language.
	Categories []string `yaml:"categories"`
	// ParentCategories are the topics offered to those who ask through
	// an association's public link, parents mostly; empty means the
	// built-in list (the child's studies, exams, olympiads and contests,
	// help with difficulties, other) in each user's language.
	ParentCategories []string `yaml:"parent_categories"`
	// ResponseDays is how many working days an unanswered request waits
	// before its consultant is reminded; as many again and the leader is
	// told, and as many again the coordinator.
	ResponseDays int `yaml:"response_days"`
	// AutoClose closes an answered request after this long without a word
	// from the asker.
	AutoClose time.Duration `yaml:"auto_close"`
}

// Default returns the built-in configuration. It has no token, so it does
// not pass Validate on its own, and its Location is nil until Validate.
func Default() Config {
	return Config{
		Telegram: Telegram{
			APIEndpoint:    "https://api.telegram.org/bot%s/%s",
			PollTimeout:    30 * time.Second,
			RequestTimeout: 15 * time.Second,
			Workers:        64,
		},
		Max:      defaultMax(),
		Admins:   []Admin{},
		Timezone: "Europe/Moscow",
		Data: Data{
			Path:        "./data/mmo.db",
			OpenTimeout: 5 * time.Second,
		},
		Log: Log{
			Format: "text",
			Level:  "info",
		},
		HTTP: HTTP{
			Addr:         "127.0.0.1:9090",
			PollMaxAge:   2 * time.Minute,
			OutboxMaxAge: 10 * time.Minute,
		},
		Backup: Backup{
			Every: 24 * time.Hour,
			Keep:  14,
		},
		Limits: Limits{
			GlobalPerSecond:  30,
			PrivatePerSecond: 1,
			PrivateBurst:     3,
			GroupPerMinute:   20,
			UserUpdates:      20,
			UserWindow:       10 * time.Second,
		},
		Dialogs: Dialogs{
			IdleTimeout: 24 * time.Hour,
		},
		Regulation: Regulation{
			Preset:           "ivanovo",
			MinMembers:       10,
			SchoolYearStart:  "09-01",
			PlanDue:          "09-15",
			ReportDue:        "06-20",
			MinMeetings:      3,
			MeetingsWarning:  "03-01",
			RetentionYears:   3,
			ReminderDays:     []int{30, 7, 1},
			OverdueEveryDays: 7,
			AlertsAt:         "09:00",
		},
		Organisation: Organisation{
			Name:      "МБУ «Методический центр в системе образования»",
			City:      "г. Иваново",
			HeadTitle: "Директор МБУ МЦ",
			Language:  "ru",
		},
		Invitations: Invitations{
			LeaderTTL: 7 * 24 * time.Hour,
		},
		Meetings: Meetings{
			Reminders:  []time.Duration{24 * time.Hour, time.Hour},
			NudgeAfter: 24 * time.Hour,
		},
		Registration: Registration{Schools: []string{}},
		Consultations: Consultations{
			Categories:       []string{},
			ParentCategories: []string{},
			ResponseDays:     2,
			AutoClose:        7 * 24 * time.Hour,
		},
	}
}

// Redacted returns a copy of c that is safe to log: a non-empty token is
// replaced by "<redacted>" (an empty one stays empty, so the log shows that
// it is missing). The copy shares no slices with c.
func (c Config) Redacted() Config {
	if c.Telegram.Token != "" {
		c.Telegram.Token = "<redacted>"
	}
	if c.Max.Token != "" {
		c.Max.Token = "<redacted>"
	}
	c.Admins = slices.Clone(c.Admins)
	return c
}

// Profile turns the validated regulation into the domain's profile. The
// bot and the sandbox's demo both read the school year from it, so the
// two agree on when a year starts.
func (r Regulation) Profile() mmo.Regulation {
	md := func(s string) mmo.MonthDay {
		v, _ := mmo.ParseMonthDay(s) // validated with the config
		return v
	}
	var tasks []string
	for _, t := range strings.Split(r.Tasks, "\n") {
		if t = strings.TrimSpace(t); t != "" {
			tasks = append(tasks, t)
		}
	}
	return mmo.Regulation{
		Preset:         r.Preset,
		Goal:           strings.TrimSpace(r.Goal),
		Tasks:          tasks,
		YearStart:      md(r.SchoolYearStart),
		PlanDue:        md(r.PlanDue),
		ReportDue:      md(r.ReportDue),
		MinMeetings:    r.MinMeetings,
		MeetingsWarn:   md(r.MeetingsWarning),
		MinMembers:     r.MinMembers,
		RetentionYears: r.RetentionYears,
		LadderDays:     r.ReminderDays,
		OverdueEvery:   r.OverdueEveryDays,
		ParentsOn:      r.ParentConsultations == "on" || r.ParentConsultations == "" && r.Preset == "biysk",
	}
}

// applyPreset gives the values left at their Ivanovo defaults the
// preset's. Ivanovo's are the defaults themselves.
func (r *Regulation) applyPreset() {
	if r.Preset != "biysk" {
		return
	}
	d := Default().Regulation
	set := func(v *string, def, preset string) {
		if *v == def {
			*v = preset
		}
	}
	// Biysk plans by the calendar year (5.1 of its regulation), sets no
	// minimum of members or заседания, and reports by the year's end.
	set(&r.SchoolYearStart, d.SchoolYearStart, "01-01")
	set(&r.PlanDue, d.PlanDue, "01-20")
	set(&r.ReportDue, d.ReportDue, "12-20")
	set(&r.MeetingsWarning, d.MeetingsWarning, "09-01")
	if r.MinMembers == d.MinMembers {
		r.MinMembers = 0
	}
	if r.MinMeetings == d.MinMeetings {
		r.MinMeetings = 0
	}
}
