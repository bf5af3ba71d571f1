package config_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mmobot/mmobot/internal/config"
)

func ExampleParse() {
	cfg := config.Default()
	err := config.Parse(strings.NewReader("telegram:\n  workers: 4\n"), &cfg)
	fmt.Println(cfg.Telegram.Workers, cfg.Telegram.PollTimeout, err)

	err = config.Parse(strings.NewReader("telegram:\n  tokn: x\n"), &cfg)
	fmt.Println(err)
	// Output:
	// 4 30s <nil>
	// config: line 2: field tokn not found in type config.Telegram
}

func ExampleConfig_ApplyEnv() {
	cfg := config.Default()
	err := cfg.ApplyEnv([]string{
		"MMOBOT_TELEGRAM_TOKEN=123456:ABC",
		"MMOBOT_ADMINS=111, 222",
		"MMOBOT_DIALOGS_IDLE_TIMEOUT=12h",
	})
	fmt.Println(cfg.Redacted().Telegram.Token, cfg.Admins, cfg.Dialogs.IdleTimeout, err)

	err = cfg.ApplyEnv([]string{"MMOBOT_TELEGRAM_WORKERS=abc"})
	fmt.Println(err)
	// Output:
	// <redacted> [{telegram 111} {telegram 222}] 12h0m0s <nil>
	// config: MMOBOT_TELEGRAM_WORKERS: "abc" is not an integer
}

func ExampleConfig_Validate() {
	cfg := config.Default()
	cfg.Telegram.Workers = 0
	err := cfg.Validate()
	fmt.Println(errors.Is(err, config.ErrNoToken))
	fmt.Println(err)
	// Output:
	// true
	// no bot token: get one from @BotFather in Telegram (telegram.token or MMOBOT_TELEGRAM_TOKEN), or from @MasterBot in MAX (max.token or MMOBOT_MAX_TOKEN), or both, and put it in the config file or the environment
	// telegram.workers: must be between 1 and 256, got 0
}
