package max

import (
	"context"
	"errors"
	"net/http"
	"unicode/utf8"
)

// MaxCommands is how many commands a bot's menu holds at most.
const MaxCommands = 32

// SetCommands replaces the bot's command menu (PATCH /me with the
// commands of a BotPatch); none removes it. MAX has one menu per bot,
// for every chat and language.
func (c *Client) SetCommands(ctx context.Context, cmds []BotCommand) error {
	k := call{method: http.MethodPatch, path: "/me"}
	if len(cmds) > MaxCommands {
		return c.fail(k, errors.New("more than 32 commands"))
	}
	for _, cmd := range cmds {
		if n := utf8.RuneCountInString(cmd.Name); n < 1 || n > 64 {
			return c.fail(k, errors.New("a command name of 1 to 64 characters"))
		}
	}
	if cmds == nil {
		cmds = []BotCommand{} // an empty list, not null: null changes nothing
	}
	k.body = struct {
		Commands []BotCommand `json:"commands"`
	}{cmds}
	return c.do(ctx, k, nil)
}
