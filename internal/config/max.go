package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Max holds the MAX Bot API connection settings. A bot runs on MAX when
// its token is set, on Telegram when telegram.token is, on both when
// both are.
type Max struct {
	// Token is the bot token issued by @MasterBot in MAX (env
	// MMOBOT_MAX_TOKEN).
	Token string `yaml:"token"`
	// APIURL is the API host, an http or https URL.
	APIURL string `yaml:"api_url"`
	// PollTimeout is the long-poll wait of GET /updates, 0..90s in whole
	// seconds.
	PollTimeout time.Duration `yaml:"poll_timeout"`
	// RequestTimeout is the deadline of calls other than the long poll.
	RequestTimeout time.Duration `yaml:"request_timeout"`
	// Workers is the number of chats handled concurrently, 1..256.
	Workers int `yaml:"workers"`
	// PerSecond is the calls per second the bot makes to MAX at most
	// (MAX is reported to allow about 30).
	PerSecond float64 `yaml:"per_second"`
}

// defaultMax is the built-in MAX section: no token.
func defaultMax() Max {
	return Max{
		APIURL:         "https://platform-api2.max.ru",
		PollTimeout:    30 * time.Second,
		RequestTimeout: 15 * time.Second,
		Workers:        64,
		PerSecond:      30,
	}
}

// Messengers named in admins.
const (
	MessengerTelegram = "telegram"
	MessengerMax      = "max"
)

// Admin is an administrator's account: "telegram:123", "max:456", or a
// bare number, which is a Telegram user id as in configs written before
// the bot spoke MAX.
type Admin struct {
	Messenger string
	ID        int64
}

// TelegramAdmin is the administrator of a Telegram user id.
func TelegramAdmin(id int64) Admin { return Admin{Messenger: MessengerTelegram, ID: id} }

// UnmarshalText reads "messenger:id" or a bare Telegram id.
func (a *Admin) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	messenger, id, ok := strings.Cut(s, ":")
	if !ok {
		messenger, id = MessengerTelegram, s
	}
	messenger = strings.ToLower(strings.TrimSpace(messenger))
	if messenger != MessengerTelegram && messenger != MessengerMax {
		return fmt.Errorf("%q: want telegram:<id>, max:<id> or a Telegram id", s)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
	if err != nil {
		return fmt.Errorf("%q: want telegram:<id>, max:<id> or a Telegram id", s)
	}
	a.Messenger, a.ID = messenger, n
	return nil
}

// UnmarshalYAML reads an account from YAML, reporting a bad one as the
// decoder reports a value of the wrong type, so the error names its key.
func (a *Admin) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind != yaml.ScalarNode || a.UnmarshalText([]byte(node.Value)) != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: cannot unmarshal %s `%s` into an account "+
			"(want telegram:<id>, max:<id> or a Telegram id)", node.Line, node.ShortTag(), node.Value)}}
	}
	return nil
}

// MarshalText writes "messenger:id".
func (a Admin) MarshalText() ([]byte, error) {
	return []byte(a.Messenger + ":" + strconv.FormatInt(a.ID, 10)), nil
}

// ErrNoToken is returned (possibly joined with other problems) by Validate
// and Load when neither telegram.token nor max.token is set. Test for it
// with errors.Is.
var ErrNoToken = errors.New("no bot token: get one from @BotFather in Telegram (telegram.token or MMOBOT_TELEGRAM_TOKEN), " +
	"or from @MasterBot in MAX (max.token or MMOBOT_MAX_TOKEN), or both, and put it in the config file or the environment")

// validateMax checks the MAX section.
func (c *Config) validateMax(add func(key, format string, args ...any)) {
	m := c.Max
	if strings.TrimSpace(m.Token) != "" && strings.ContainsFunc(m.Token, func(r rune) bool { return r <= ' ' }) {
		add("max.token", "must not contain spaces or line breaks (check for a stray newline when pasting it)")
	}
	if !strings.HasPrefix(m.APIURL, "http://") && !strings.HasPrefix(m.APIURL, "https://") {
		add("max.api_url", "must be an http or https URL, got %q", m.APIURL)
	}
	if m.PollTimeout < 0 || m.PollTimeout > 90*time.Second || m.PollTimeout%time.Second != 0 {
		add("max.poll_timeout", "must be whole seconds between 0s and 90s, got %v", m.PollTimeout)
	}
	if m.RequestTimeout <= 0 {
		add("max.request_timeout", "must be positive, got %v", m.RequestTimeout)
	}
	if m.Workers < minWorkers || m.Workers > maxWorkers {
		add("max.workers", "must be between %d and %d, got %d", minWorkers, maxWorkers, m.Workers)
	}
	if m.PerSecond <= 0 || m.PerSecond > 1000 {
		add("max.per_second", "must be between 0 and 1000, got %v", m.PerSecond)
	}
	for i, a := range c.Admins {
		if a.ID <= 0 {
			add(fmt.Sprintf("admins[%d]", i), "must be a positive user id, got %d", a.ID)
		}
	}
}
