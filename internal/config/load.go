package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load returns the validated configuration: Default, then the YAML file at
// path unless path is empty, then the overrides from environ (in the
// os.Environ "KEY=value" format), then Validate. A missing or unreadable
// file is an error naming the path. Validation errors are returned as
// Validate returns them, so errors.Is(err, ErrNoToken) works on the result.
func Load(path string, environ []string) (Config, error) {
	return load(path, environ, true)
}

// LoadWithoutToken is Load for commands that do not talk to Telegram, such
// as a backup: a missing token is not an error there.
func LoadWithoutToken(path string, environ []string) (Config, error) {
	return load(path, environ, false)
}

func load(path string, environ []string, needToken bool) (Config, error) {
	cfg, err := loadRaw(path, environ, needToken)
	if err != nil {
		return Config{}, redact(err, cfg.Telegram.Token, cfg.Max.Token, envToken(environ), envValue(environ, "MMOBOT_MAX_TOKEN"))
	}
	return cfg, nil
}

// loadRaw is load before its errors are redacted; on error it returns the
// configuration as far as it got, for its token.
func loadRaw(path string, environ []string, needToken bool) (Config, error) {
	cfg := Default()
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return cfg, fmt.Errorf("config: %w", err)
		}
		err = parse(f, &cfg, path)
		f.Close()
		if err != nil {
			return cfg, err
		}
	}
	if err := cfg.ApplyEnv(environ); err != nil {
		return cfg, err
	}
	if strings.EqualFold(cfg.HTTP.Addr, "off") {
		// An empty variable is ignored (it may be an unset one passed
		// through), so the environment turns the listener off by name.
		cfg.HTTP.Addr = ""
	}
	noToken := !needToken && cfg.Telegram.Token == "" && cfg.Max.Token == ""
	if noToken {
		cfg.Telegram.Token = "0:offline" // passes the token rules; cleared below
	}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	if noToken {
		cfg.Telegram.Token = ""
	}
	return cfg, nil
}

// Parse decodes one YAML document from r onto cfg: keys present in the
// document replace the values in cfg, absent keys keep them. Unknown keys
// are rejected. Errors are prefixed with "config: " and carry the line
// numbers reported by the YAML decoder and the key of a value of the wrong
// type; what looks like a token is hidden (see redact). An empty document
// changes nothing.
func Parse(r io.Reader, cfg *Config) error {
	return parse(r, cfg, "")
}

// parse implements Parse; source, when not empty, names the file in errors.
func parse(r io.Reader, cfg *Config, source string) error {
	prefix := "config: "
	if source != "" {
		prefix += source + ": "
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return redact(errors.New(prefix + err.Error()))
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err = dec.Decode(cfg)
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			errs := make([]error, 0, len(te.Errors))
			for _, msg := range te.Errors {
				msg = oneLine(withKey(data, msg))
				if strings.HasSuffix(msg, "into time.Duration") {
					msg += ` (write a duration such as "30s", "5m" or "24h")`
				}
				errs = append(errs, errors.New(prefix+msg))
			}
			return redact(errors.Join(errs...), cfg.Telegram.Token, cfg.Max.Token)
		}
		return redact(errors.New(prefix+oneLine(strings.TrimPrefix(err.Error(), "yaml: "))), cfg.Telegram.Token, cfg.Max.Token)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return errors.New(prefix + "only one YAML document is allowed")
	}
	return nil
}

// oneLine writes the line breaks of a message of the YAML decoder, which
// quotes values as they are, as "\n": one error is one line.
func oneLine(msg string) string {
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(msg)
}

// typeErrorRE reads a message of yaml.TypeError: "line 2: cannot
// unmarshal !!str `many` into int".
var typeErrorRE = regexp.MustCompile("^line ([0-9]+): cannot unmarshal (!![a-z]+)(?: `([^`]*)`)? into ")

// withKey puts the key of the value a yaml.TypeError message is about
// after its line number ("line 2: telegram.workers: cannot unmarshal…"),
// so that the message names the key as every other error does. A message
// of another shape, or one whose value cannot be found, is returned as
// it is.
func withKey(data []byte, msg string) string {
	m := typeErrorRE.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return msg
	}
	line, _ := strconv.Atoi(m[1])
	key, best := "", 0
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		if n.Line == line && path != "" {
			score := 1
			if n.ShortTag() == m[2] {
				score++
				if m[3] != "" && strings.HasPrefix(n.Value, strings.TrimSuffix(m[3], "...")) {
					score++
				}
			}
			if score > best {
				key, best = path, score
			}
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i].Value
				if path != "" {
					k = path + "." + k
				}
				walk(n.Content[i+1], k)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	}
	walk(&root, "")
	if key == "" || strings.HasPrefix(key, "[") { // the document itself
		return msg
	}
	return "line " + m[1] + ": " + key + ": " + strings.TrimPrefix(msg, "line "+m[1]+": ")
}
