package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// problems collects what a check finds.
type problems []string

func (p *problems) add(at, format string, args ...any) {
	*p = append(*p, at+": "+fmt.Sprintf(format, args...))
}

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return errors.New(strings.Join(p, "\n"))
}

// CheckRequest reports every way a request departs from the document (nil
// when it conforms): an unknown path or method, a query parameter the
// operation does not declare or a value its schema refuses, a required
// parameter missing, a body where none is expected or a body that does not
// match the operation's request schema.
func (d *Doc) CheckRequest(method, path string, query url.Values, contentType string, body []byte) error {
	var ps problems
	op := strings.ToUpper(method) + " " + path
	tmpl, item, vars := d.find(path)
	if item == nil {
		ps.add(op, "no such path in the schema")
		return ps.err()
	}
	o := item.op(method)
	if o == nil {
		ps.add(op, "the schema has no %s on %s", strings.ToUpper(method), tmpl)
		return ps.err()
	}
	params := map[string]*Parameter{}
	for _, p := range append(append([]*Parameter(nil), item.Parameters...), o.Parameters...) {
		params[p.In+":"+p.Name] = p
	}
	for name, vals := range query {
		p := params["query:"+name]
		if p == nil {
			ps.add(op, "query parameter %q is not declared", name)
			continue
		}
		for _, v := range vals {
			d.checkParam(&ps, op+" ?"+name, v, p.Schema)
		}
	}
	for name, v := range vars {
		p := params["path:"+name]
		if p == nil {
			ps.add(op, "path parameter %q is not declared", name)
			continue
		}
		d.checkParam(&ps, op+" {"+name+"}", v, p.Schema)
	}
	for _, p := range params {
		if p.In == "query" && p.Required && !query.Has(p.Name) {
			ps.add(op, "required query parameter %q is missing", p.Name)
		}
	}
	hasBody := len(bytes.TrimSpace(body)) > 0
	switch {
	case o.RequestBody == nil && hasBody:
		ps.add(op, "the operation takes no body, got %d bytes", len(body))
	case o.RequestBody != nil && !hasBody:
		if o.RequestBody.Required {
			ps.add(op, "required body is missing")
		}
	case o.RequestBody != nil:
		mt, ok := o.RequestBody.Content["application/json"]
		if !ok {
			ps.add(op, "the schema has no JSON body for the operation")
			break
		}
		if ct := strings.TrimSpace(strings.Split(contentType, ";")[0]); ct != "application/json" {
			ps.add(op, "body content type %q, want application/json", contentType)
		}
		d.checkJSON(&ps, op+" body", body, mt.Schema)
	}
	return ps.err()
}

// CheckResponse reports every way an answer departs from the document.
// An error status the operation does not declare is held to the Error
// schema, which every declared error uses.
func (d *Doc) CheckResponse(method, path string, status int, body []byte) error {
	var ps problems
	op := fmt.Sprintf("%s %s -> %d", strings.ToUpper(method), path, status)
	o := d.Operation(method, path)
	if o == nil {
		ps.add(op, "no such operation in the schema")
		return ps.err()
	}
	r := o.Responses[strconv.Itoa(status)]
	if r == nil {
		r = o.Responses["default"]
	}
	if r != nil && r.Ref != "" {
		name, _ := strings.CutPrefix(r.Ref, "#/components/responses/")
		r = d.doc.Components.Responses[name]
	}
	var s *Schema
	switch {
	case r != nil:
		mt, ok := r.Content["application/json"]
		if !ok {
			ps.add(op, "the schema declares no JSON answer")
			return ps.err()
		}
		s = mt.Schema
	case status >= 400:
		s = &Schema{Ref: "#/components/schemas/Error"}
	default:
		ps.add(op, "status not declared")
		return ps.err()
	}
	d.checkJSON(&ps, op, body, s)
	return ps.err()
}

// CheckValue reports every way a JSON document departs from a component
// schema.
func (d *Doc) CheckValue(schema string, data []byte) error {
	var ps problems
	d.checkJSON(&ps, schema, data, &Schema{Ref: "#/components/schemas/" + schema})
	return ps.err()
}

func (d *Doc) checkJSON(ps *problems, at string, data []byte, s *Schema) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		ps.add(at, "not JSON: %v", err)
		return
	}
	if dec.More() {
		ps.add(at, "trailing data after the JSON value")
	}
	d.check(ps, at, v, s, false)
}

// checkParam checks a parameter value as sent in a URL.
func (d *Doc) checkParam(ps *problems, at, raw string, s *Schema) {
	s, err := d.resolve(s)
	if err != nil {
		ps.add(at, "%v", err)
		return
	}
	if s == nil {
		return
	}
	if s.Type == "array" {
		if raw == "" {
			return
		}
		for _, item := range strings.Split(raw, ",") {
			d.checkParam(ps, at, item, s.Items)
		}
		return
	}
	var v any = raw
	switch s.Type {
	case "integer":
		if _, err := strconv.ParseInt(raw, 10, 64); err != nil {
			ps.add(at, "%q is not an integer", raw)
			return
		}
		v = json.Number(raw)
	case "number":
		if _, err := strconv.ParseFloat(raw, 64); err != nil {
			ps.add(at, "%q is not a number", raw)
			return
		}
		v = json.Number(raw)
	case "boolean":
		if raw != "true" && raw != "false" {
			ps.add(at, "%q is not a boolean", raw)
			return
		}
		v = raw == "true"
	}
	d.check(ps, at, v, s, false)
}

// nullable reports whether a schema, or one it is all of, allows null.
func (d *Doc) nullable(s *Schema) bool {
	s, err := d.resolve(s)
	if err != nil || s == nil {
		return false
	}
	if s.Nullable {
		return true
	}
	return false
}

// check validates a decoded JSON value against a schema. noDisc skips the
// schema's own discriminator: the value was already dispatched by it.
func (d *Doc) check(ps *problems, at string, v any, s *Schema, noDisc bool) {
	if s == nil {
		return
	}
	nullableHere := s.Nullable
	s, err := d.resolve(s)
	if err != nil {
		ps.add(at, "%v", err)
		return
	}
	if v == nil {
		if !nullableHere && !d.nullable(s) {
			ps.add(at, "null is not allowed")
		}
		return
	}
	if obj, ok := v.(map[string]any); ok {
		d.checkObject(ps, at, obj, s, noDisc)
		return
	}
	d.checkScalar(ps, at, v, s)
	for _, m := range s.AllOf {
		d.check(ps, at, v, m, false)
	}
	if len(s.OneOf) > 0 {
		d.checkOneOf(ps, at, v, s.OneOf)
	}
}

func (d *Doc) checkOneOf(ps *problems, at string, v any, options []*Schema) {
	for _, o := range options {
		var sub problems
		d.check(&sub, at, v, o, false)
		if len(sub) == 0 {
			return
		}
	}
	ps.add(at, "matches none of the %d schemas it may be one of", len(options))
}

// objectShape is what an object schema and the schemas it is all of
// declare.
type objectShape struct {
	props    map[string]*Schema
	required []string
	addl     *Schema
	addlAny  bool
	types    []string
}

func (d *Doc) collect(s *Schema, into *objectShape, depth int) error {
	s, err := d.resolve(s)
	if err != nil {
		return err
	}
	if s == nil || depth > 32 {
		return nil
	}
	if s.Type != "" {
		into.types = append(into.types, s.Type)
	}
	for name, p := range s.Properties {
		if _, dup := into.props[name]; !dup {
			into.props[name] = p
		}
	}
	into.required = append(into.required, s.Required...)
	if s.addl != nil {
		into.addl = s.addl
	}
	into.addlAny = into.addlAny || s.addlAny
	for _, m := range s.AllOf {
		if err := d.collect(m, into, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (d *Doc) checkObject(ps *problems, at string, obj map[string]any, s *Schema, noDisc bool) {
	if s.Discriminator != nil && !noDisc && len(s.Discriminator.Mapping) > 0 {
		prop := s.Discriminator.PropertyName
		tag, _ := obj[prop].(string)
		target, ok := s.Discriminator.Mapping[tag]
		if !ok {
			ps.add(at, "%s %q is none of %s", prop, tag, keys(s.Discriminator.Mapping))
			return
		}
		d.check(ps, at+"("+tag+")", obj, &Schema{Ref: target}, true)
		return
	}
	if len(s.OneOf) > 0 && len(s.Properties) == 0 && len(s.AllOf) == 0 {
		d.checkOneOf(ps, at, obj, s.OneOf)
		return
	}
	shape := objectShape{props: map[string]*Schema{}}
	if err := d.collect(s, &shape, 0); err != nil {
		ps.add(at, "%v", err)
		return
	}
	for _, t := range shape.types {
		if t != "object" {
			ps.add(at, "an object where the schema wants %s", t)
			return
		}
	}
	for _, name := range sortedKeys(obj) {
		p, declared := shape.props[name]
		switch {
		case declared:
			d.check(ps, at+"."+name, obj[name], p, false)
		case shape.addl != nil:
			d.check(ps, at+"."+name, obj[name], shape.addl, false)
		case shape.addlAny:
		default:
			ps.add(at, "property %q is not in the schema (it has %s)", name, keys(shape.props))
		}
	}
	for _, name := range shape.required {
		if _, declared := shape.props[name]; !declared {
			continue // a slip of the document: required but not declared
		}
		if _, ok := obj[name]; !ok {
			ps.add(at, "required property %q is missing", name)
		}
	}
}

func (d *Doc) checkScalar(ps *problems, at string, v any, s *Schema) {
	switch s.Type {
	case "string":
		str, ok := v.(string)
		if !ok {
			ps.add(at, "want a string, got %s", kind(v))
			return
		}
		n := utf8.RuneCountInString(str)
		if s.MinLength != nil && n < *s.MinLength {
			ps.add(at, "%d characters, fewer than %d", n, *s.MinLength)
		}
		if s.MaxLength != nil && n > *s.MaxLength {
			ps.add(at, "%d characters, more than %d", n, *s.MaxLength)
		}
		if s.re != nil && !s.re.MatchString(str) {
			ps.add(at, "%q does not match %s", str, s.Pattern)
		}
	case "integer", "number":
		num, ok := v.(json.Number)
		if !ok {
			ps.add(at, "want a %s, got %s", s.Type, kind(v))
			return
		}
		if s.Type == "integer" {
			if _, err := num.Int64(); err != nil {
				ps.add(at, "%s is not an integer", num)
				return
			}
		}
		f, _ := num.Float64()
		if s.Minimum != nil && f < *s.Minimum {
			ps.add(at, "%s is below the minimum %v", num, *s.Minimum)
		}
		if s.Maximum != nil && f > *s.Maximum {
			ps.add(at, "%s is above the maximum %v", num, *s.Maximum)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			ps.add(at, "want a boolean, got %s", kind(v))
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			ps.add(at, "want an array, got %s", kind(v))
			return
		}
		if s.MinItems != nil && len(arr) < *s.MinItems {
			ps.add(at, "%d items, fewer than %d", len(arr), *s.MinItems)
		}
		if s.MaxItems != nil && len(arr) > *s.MaxItems {
			ps.add(at, "%d items, more than %d", len(arr), *s.MaxItems)
		}
		for i, item := range arr {
			d.check(ps, fmt.Sprintf("%s[%d]", at, i), item, s.Items, false)
		}
	case "object":
		ps.add(at, "want an object, got %s", kind(v))
	case "":
		// An array under a schema that says only "items" is still one.
		if arr, ok := v.([]any); ok && s.Items != nil {
			for i, item := range arr {
				d.check(ps, fmt.Sprintf("%s[%d]", at, i), item, s.Items, false)
			}
		}
	}
	if len(s.Enum) > 0 {
		got := fmt.Sprint(v)
		for _, e := range s.Enum {
			if fmt.Sprint(e) == got {
				return
			}
		}
		ps.add(at, "%q is none of %v", got, s.Enum)
	}
}

func kind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func keys[V any](m map[string]V) string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
