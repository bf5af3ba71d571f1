package config

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// EnvPrefix starts the name of every environment variable read by ApplyEnv.
const EnvPrefix = "MMOBOT_"

// EnvConfigPath is the environment variable that names the configuration
// file. It is read by the program's main, not by this package; ApplyEnv
// ignores it instead of reporting it as unknown.
const EnvConfigPath = "MMOBOT_CONFIG"

// ApplyEnv overrides fields of c from environ, a list of "KEY=value"
// entries as returned by os.Environ. Only variables starting with
// EnvPrefix are considered; each must name a configuration key, derived
// from the YAML path (telegram.poll_timeout is MMOBOT_TELEGRAM_POLL_TIMEOUT).
//
// Values are parsed by the field's type: strings verbatim, integers and
// floats in decimal, booleans as strconv.ParseBool accepts, durations as
// time.ParseDuration accepts ("30s", "24h"), lists as comma-separated items
// (spaces around items allowed, empty items skipped). A variable with an
// empty value is ignored, so an unset shell variable passed through as
// "MMOBOT_X=" does not wipe a value from the file. If an entry appears more
// than once, the last one wins.
//
// All problems are reported together; an unknown MMOBOT_ variable and an
// unparsable value are both errors naming the variable, with what looks
// like a token hidden (see redact). On error c is left unchanged.
func (c *Config) ApplyEnv(environ []string) error {
	return redact(applyEnv(reflect.ValueOf(c).Elem(), EnvPrefix, environ), c.Telegram.Token, c.Max.Token, envToken(environ), envValue(environ, "MMOBOT_MAX_TOKEN"))
}

// envToken is the value of MMOBOT_TELEGRAM_TOKEN in environ, the last one
// if several, "" if none.
func envToken(environ []string) string {
	token := ""
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, EnvPrefix+"TELEGRAM_TOKEN="); ok {
			token = v
		}
	}
	return token
}

// envValue is the value of a variable in environ, the last one if
// several, "" if none.
func envValue(environ []string, name string) string {
	v := ""
	for _, kv := range environ {
		if x, ok := strings.CutPrefix(kv, name+"="); ok {
			v = x
		}
	}
	return v
}

// envField is one configuration key reachable from the environment.
type envField struct {
	name  string       // environment variable, e.g. MMOBOT_TELEGRAM_TOKEN
	key   string       // YAML path, e.g. telegram.token
	index []int        // reflect field index path from the root struct
	typ   reflect.Type // field type
}

var (
	durationType        = reflect.TypeFor[time.Duration]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// envFields lists the leaf keys of struct type t with their variable names.
// Nested structs are walked (inline ones without adding a path element),
// fields tagged `yaml:"-"` and unexported fields are skipped. Leaves of
// unsupported types are listed too; setting them reports an error.
func envFields(t reflect.Type, prefix string) []envField {
	var out []envField
	var walk func(t reflect.Type, keys []string, index []int)
	walk = func(t reflect.Type, keys []string, index []int) {
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, inline, skip := yamlName(f)
			if skip {
				continue
			}
			idx := append(slices.Clone(index), i)
			isStruct := f.Type.Kind() == reflect.Struct &&
				!reflect.PointerTo(f.Type).Implements(textUnmarshalerType)
			if inline && isStruct {
				walk(f.Type, keys, idx)
				continue
			}
			path := append(slices.Clone(keys), name)
			if isStruct {
				walk(f.Type, path, idx)
				continue
			}
			out = append(out, envField{
				name:  prefix + envSegment(strings.Join(path, "_")),
				key:   strings.Join(path, "."),
				index: idx,
				typ:   f.Type,
			})
		}
	}
	walk(t, nil, nil)
	return out
}

// yamlName returns the key yaml.v3 uses for f, whether f is inlined and
// whether it is skipped.
func yamlName(f reflect.StructField) (name string, inline, skip bool) {
	tag := f.Tag.Get("yaml")
	if tag == "-" {
		return "", false, true
	}
	name, flags, _ := strings.Cut(tag, ",")
	for flag := range strings.SplitSeq(flags, ",") {
		if flag == "inline" {
			inline = true
		}
	}
	if name == "" {
		name = strings.ToLower(f.Name)
	}
	return name, inline, false
}

// envSegment turns a YAML path joined by "_" into environment form.
func envSegment(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '.' {
			return '_'
		}
		return r
	}, strings.ToUpper(s))
}

// applyEnv sets the fields of root (an addressable struct) from environ.
// No field is changed unless every relevant entry is valid.
func applyEnv(root reflect.Value, prefix string, environ []string) error {
	fields := envFields(root.Type(), prefix)
	byName := make(map[string]envField, len(fields))
	for _, f := range fields {
		byName[f.name] = f
	}
	type assignment struct {
		index []int
		value reflect.Value
	}
	var (
		sets []assignment
		errs []error
	)
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, prefix) || name == EnvConfigPath {
			continue
		}
		f, known := byName[name]
		if !known {
			msg := fmt.Sprintf("config: %s: unknown variable, it matches no configuration key", printable(name))
			if s := suggest(name, fields); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			}
			errs = append(errs, errors.New(msg))
			continue
		}
		if value == "" {
			continue
		}
		v, err := parseValue(f.typ, value)
		if err != nil {
			errs = append(errs, fmt.Errorf("config: %s: %w", name, err))
			continue
		}
		sets = append(sets, assignment{f.index, v})
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	for _, s := range sets {
		root.FieldByIndex(s.index).Set(s.value)
	}
	return nil
}

// parseValue parses s into a new value of type t.
func parseValue(t reflect.Type, s string) (reflect.Value, error) {
	if reflect.PointerTo(t).Implements(textUnmarshalerType) {
		p := reflect.New(t)
		if err := p.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			return reflect.Value{}, fmt.Errorf("%q is not valid: %v", s, err)
		}
		return p.Elem(), nil
	}
	v := reflect.New(t).Elem()
	if t == durationType {
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			return reflect.Value{}, fmt.Errorf(`%q is not a duration (write e.g. "30s", "5m" or "24h")`, s)
		}
		v.SetInt(int64(d))
		return v, nil
	}
	switch t.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return reflect.Value{}, fmt.Errorf("%q is not a boolean (write true or false)", s)
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, t.Bits())
		if err != nil {
			return reflect.Value{}, numError(s, "an integer", t, err)
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(strings.TrimSpace(s), 10, t.Bits())
		if err != nil {
			return reflect.Value{}, numError(s, "a non-negative integer", t, err)
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		n, err := strconv.ParseFloat(strings.TrimSpace(s), t.Bits())
		if err != nil {
			return reflect.Value{}, numError(s, "a number", t, err)
		}
		v.SetFloat(n)
	case reflect.Slice:
		items := reflect.MakeSlice(t, 0, strings.Count(s, ",")+1)
		for item := range strings.SplitSeq(s, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			e, err := parseValue(t.Elem(), item)
			if err != nil {
				return reflect.Value{}, fmt.Errorf("%q: item %w", s, err)
			}
			items = reflect.Append(items, e)
		}
		v.Set(items)
	default:
		return reflect.Value{}, fmt.Errorf("fields of type %s cannot be set from the environment", t)
	}
	return v, nil
}

// numError describes a failed strconv number parse.
func numError(s, what string, t reflect.Type, err error) error {
	if errors.Is(err, strconv.ErrRange) {
		return fmt.Errorf("%q is out of range for %s", s, t)
	}
	return fmt.Errorf("%q is not %s", s, what)
}

// printable is the name of a variable as an error shows it: quoted when
// it holds a character that is not printable, such as a line break that
// would make one error read as two.
func printable(name string) string {
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return strconv.Quote(name)
		}
	}
	return name
}

// suggest returns the known variable closest to name if it is close enough
// to be a plausible typo, or "".
func suggest(name string, fields []envField) string {
	best, bestDist := "", 4
	for _, f := range fields {
		if d := editDistance(name, f.name); d < bestDist {
			best, bestDist = f.name, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
