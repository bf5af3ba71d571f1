package config

import (
	"errors"
	"fmt"
	"github.com/mmobot/mmobot/internal/mmo"
	"math"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits enforced by Validate.
const (
	maxPollTimeout = 50 * time.Second
	minWorkers     = 1
	maxWorkers     = 256
	minIdleTimeout = time.Minute
)

// Validate checks every field and returns all problems joined with
// errors.Join, each prefixed with the key's YAML path, for example
// "telegram.workers: must be between 1 and 256, got 0". A missing token is
// reported as ErrNoToken. Error messages never contain the token, nor
// anything else that looks like one (see redact). On success Validate
// loads Timezone into Location; on failure it leaves Location unchanged.
func (c *Config) Validate() error {
	return redact(c.validate(), c.Telegram.Token, c.Max.Token)
}

func (c *Config) validate() error {
	var errs []error
	add := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}

	// telegram
	t := c.Telegram
	switch {
	case strings.TrimSpace(t.Token) == "" && strings.TrimSpace(c.Max.Token) == "":
		errs = append(errs, ErrNoToken)
	case strings.TrimSpace(t.Token) == "":
	case strings.ContainsFunc(t.Token, unicode.IsSpace):
		add("telegram.token", "must not contain spaces or line breaks (check for a stray newline when pasting it)")
	case strings.ContainsAny(t.Token, "/?#%"):
		add("telegram.token", `must not contain "/", "?", "#" or "%%"; a @BotFather token looks like 123456789:AAF...`)
	}
	if err := checkEndpoint(t.APIEndpoint); err != nil {
		add("telegram.api_endpoint", "%v", err)
	}
	if t.PollTimeout < 0 || t.PollTimeout > maxPollTimeout {
		add("telegram.poll_timeout", "must be between 0s and %v, got %v", maxPollTimeout, t.PollTimeout)
	} else if t.PollTimeout%time.Second != 0 {
		add("telegram.poll_timeout", "must be a whole number of seconds, got %v", t.PollTimeout)
	}
	if t.RequestTimeout <= 0 {
		add("telegram.request_timeout", "must be positive, got %v", t.RequestTimeout)
	}
	if t.Workers < minWorkers || t.Workers > maxWorkers {
		add("telegram.workers", "must be between %d and %d, got %d", minWorkers, maxWorkers, t.Workers)
	}

	// max, admins
	c.validateMax(add)

	// timezone
	var loc *time.Location
	switch c.Timezone {
	case "":
		add("timezone", `must not be empty; use an IANA name such as "Europe/Moscow"`)
	case "Local":
		add("timezone", `"Local" depends on the host; use an IANA name such as "Europe/Moscow"`)
	default:
		var err error
		if loc, err = time.LoadLocation(c.Timezone); err != nil {
			add("timezone", "unknown time zone %q", c.Timezone)
		}
	}

	// data
	if strings.TrimSpace(c.Data.Path) == "" {
		add("data.path", "must not be empty")
	}
	if c.Data.OpenTimeout <= 0 {
		add("data.open_timeout", "must be positive, got %v", c.Data.OpenTimeout)
	}

	// log
	if c.Log.Format != "text" && c.Log.Format != "json" {
		add("log.format", `must be "text" or "json", got %q`, c.Log.Format)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		add("log.level", `must be "debug", "info", "warn" or "error", got %q`, c.Log.Level)
	}

	// http
	if c.HTTP.Addr != "" {
		if err := checkAddr(c.HTTP.Addr); err != nil {
			add("http.addr", "%v", err)
		}
	}
	if c.HTTP.PollMaxAge <= t.PollTimeout {
		add("http.poll_max_age", "must be longer than telegram.poll_timeout (%v), which a poll that finds nothing lasts; got %v", t.PollTimeout, c.HTTP.PollMaxAge)
	}
	if c.HTTP.OutboxMaxAge < time.Minute {
		add("http.outbox_max_age", "must be at least 1m, the time a failing message is retried; got %v", c.HTTP.OutboxMaxAge)
	}

	// backup
	if c.Backup.Every < 0 || c.Backup.Every != 0 && c.Backup.Every < time.Minute {
		add("backup.every", "must be 0 (no scheduled backups) or at least 1m, got %v", c.Backup.Every)
	}
	if c.Backup.Keep < 1 || c.Backup.Keep > 10000 {
		add("backup.keep", "must be between 1 and 10000, got %d", c.Backup.Keep)
	}

	// rate_limits
	l := c.Limits
	if !positiveFinite(l.GlobalPerSecond) {
		add("rate_limits.global_per_second", "must be a positive number, got %v", l.GlobalPerSecond)
	}
	if !positiveFinite(l.PrivatePerSecond) {
		add("rate_limits.private_per_second", "must be a positive number, got %v", l.PrivatePerSecond)
	}
	if l.PrivateBurst < 1 {
		add("rate_limits.private_burst", "must be at least 1, got %d", l.PrivateBurst)
	}
	if l.GroupPerMinute < 1 {
		add("rate_limits.group_per_minute", "must be at least 1, got %d", l.GroupPerMinute)
	}
	if l.UserUpdates < 0 {
		add("rate_limits.user_updates", "must be 0 (no limit) or more, got %d", l.UserUpdates)
	}
	if l.UserWindow < time.Second || l.UserWindow > time.Hour {
		add("rate_limits.user_window", "must be between 1s and 1h, got %v", l.UserWindow)
	}

	// dialogs
	if c.Dialogs.IdleTimeout < minIdleTimeout {
		add("dialogs.idle_timeout", "must be at least %v, got %v", minIdleTimeout, c.Dialogs.IdleTimeout)
	}

	// regulation
	switch c.Regulation.Preset {
	case "", "ivanovo", "biysk":
		c.Regulation.applyPreset()
	default:
		add("regulation.preset", `must be "ivanovo" or "biysk", got %q`, c.Regulation.Preset)
	}
	switch c.Regulation.ParentConsultations {
	case "", "on", "off":
	default:
		add("regulation.parent_consultations", `must be "on", "off" or empty (the preset's), got %q`, c.Regulation.ParentConsultations)
	}
	switch c.Organisation.Language {
	case "", "ru", "en":
	default:
		add("organisation.language", `must be "ru" or "en", got %q`, c.Organisation.Language)
	}
	reg := c.Regulation
	if reg.MinMembers < 0 || reg.MinMembers > 1000 {
		add("regulation.min_members", "must be between 0 (no minimum) and 1000, got %d", reg.MinMembers)
	}
	for key, v := range map[string]string{"regulation.school_year_start": reg.SchoolYearStart, "regulation.plan_due": reg.PlanDue,
		"regulation.report_due": reg.ReportDue, "regulation.meetings_warning": reg.MeetingsWarning} {
		if _, err := mmo.ParseMonthDay(v); err != nil {
			add(key, "%v", err)
		}
	}
	if reg.MinMeetings < 0 || reg.MinMeetings > 50 {
		add("regulation.min_meetings", "must be between 0 (no rule) and 50, got %d", reg.MinMeetings)
	}
	if reg.RetentionYears < 1 || reg.RetentionYears > 75 {
		add("regulation.retention_years", "must be between 1 and 75, got %d", reg.RetentionYears)
	}
	for i, d := range reg.ReminderDays {
		if d < 1 || d > 180 {
			add(fmt.Sprintf("regulation.reminder_days[%d]", i), "must be between 1 and 180, got %d", d)
		}
	}
	if reg.OverdueEveryDays < 0 || reg.OverdueEveryDays > 60 {
		add("regulation.overdue_every_days", "must be between 0 (no overdue reminders) and 60, got %d", reg.OverdueEveryDays)
	}
	if _, err := time.Parse("15:04", reg.AlertsAt); err != nil {
		add("regulation.alerts_at", "must be a time like 09:00, got %q", reg.AlertsAt)
	}

	// invitations
	if c.Invitations.MemberTTL < 0 {
		add("invitations.member_ttl", "must be 0 (no expiry) or positive, got %v", c.Invitations.MemberTTL)
	}
	if c.Invitations.LeaderTTL < time.Minute {
		add("invitations.leader_ttl", "must be at least 1m, got %v", c.Invitations.LeaderTTL)
	}

	// meetings
	if c.Meetings.NudgeAfter < 0 || c.Meetings.NudgeAfter > 14*24*time.Hour {
		// Split so the catalog's key check, which knows a section
		// "meetings", does not take the setting's name for a message id.
		add("meetings"+".nudge_after", "must be between 0 and 336h (two weeks), got %v", c.Meetings.NudgeAfter)
	}
	seen := map[time.Duration]bool{}
	for i, d := range c.Meetings.Reminders {
		key := fmt.Sprintf("meetings.reminders[%d]", i)
		switch {
		case d < time.Minute || d > 14*24*time.Hour:
			add(key, "must be between 1m and 336h (two weeks), got %v", d)
		case seen[d]:
			add(key, "%v is listed twice", d)
		}
		seen[d] = true
	}

	// consultations
	cats := map[string]bool{}
	for i, name := range c.Consultations.Categories {
		key := fmt.Sprintf("consultations.categories[%d]", i)
		n := utf8.RuneCountInString(strings.TrimSpace(name))
		switch {
		case n < 2 || n > 40:
			add(key, "must be 2 to 40 characters, got %q", name)
		case cats[strings.ToLower(name)]:
			add(key, "%q is listed twice", name)
		}
		cats[strings.ToLower(name)] = true
	}
	if len(c.Consultations.Categories) > 20 {
		add("consultations.categories", "at most 20 categories, got %d", len(c.Consultations.Categories))
	}
	if c.Consultations.ResponseDays < 0 || c.Consultations.ResponseDays > 30 {
		add("consultations.response_days", "must be between 0 (no reminders) and 30, got %d", c.Consultations.ResponseDays)
	}
	if c.Consultations.AutoClose < 24*time.Hour {
		add("consultations.auto_close", "must be at least 24h, got %v", c.Consultations.AutoClose)
	}

	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	c.Location = loc
	return nil
}

// checkEndpoint validates a Bot API URL pattern: exactly two %s verbs
// ("%%" is a literal percent sign and allowed), no other verbs, and an
// http or https URL with a host once the verbs are filled in.
func checkEndpoint(pattern string) error {
	verbs := 0
	for i := 0; i < len(pattern); i++ {
		if pattern[i] != '%' {
			continue
		}
		if i+1 < len(pattern) && pattern[i+1] == '%' {
			i++
			continue
		}
		if i+1 < len(pattern) && pattern[i+1] == 's' {
			verbs++
			i++
			continue
		}
		return fmt.Errorf(`only %%s placeholders are allowed (write %%%% for a literal "%%"), found %q`, pattern[i:min(i+2, len(pattern))])
	}
	if verbs != 2 {
		return fmt.Errorf("must contain two %%s (token, then method), got %d", verbs)
	}
	u, err := url.Parse(fmt.Sprintf(pattern, "TOKEN", "getMe"))
	if err != nil {
		return fmt.Errorf("not a valid URL: %v", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("must be an http or https URL, got %q", pattern)
	}
	if u.Host == "" {
		return fmt.Errorf("must include a host, got %q", pattern)
	}
	return nil
}

// checkAddr validates a listen address: host:port, the host optional
// (all interfaces), the port a number.
func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf(`must be host:port, such as "127.0.0.1:9090" or ":9090", or empty to turn it off; got %q`, addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("the port must be a number from 0 to 65535, got %q", port)
	}
	return nil
}

// positiveFinite reports whether f is a finite number greater than zero.
func positiveFinite(f float64) bool {
	return f > 0 && !math.IsInf(f, 1)
}
