// Package openapi checks HTTP requests and answers against an OpenAPI 3.0
// document, so that the MAX client and its fake server can be held to the
// API's published schema (internal/max/testdata/schema.yaml) by tests.
//
// It implements the part of OpenAPI 3.0 that document uses: paths with
// templates, query and path parameters (scalars and comma-separated
// arrays), JSON request bodies and answers, and schemas with $ref, allOf,
// oneOf, discriminator mappings, enums, lengths, ranges and nullable.
//
// It is stricter than OpenAPI in one way, on purpose: an object may hold
// only the properties its schema declares (unless the schema declares
// additionalProperties), so that a misspelt field name is an error rather
// than an ignored extra. A property the schema requires but does not
// declare (the document has such slips) is not required.
//
// Regular expressions the Go regexp package cannot compile (lookaheads)
// are not checked.
package openapi

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Schema is a JSON schema of the document.
type Schema struct {
	Ref                  string             `yaml:"$ref"`
	Type                 string             `yaml:"type"`
	Format               string             `yaml:"format"`
	Properties           map[string]*Schema `yaml:"properties"`
	Required             []string           `yaml:"required"`
	Items                *Schema            `yaml:"items"`
	AllOf                []*Schema          `yaml:"allOf"`
	OneOf                []*Schema          `yaml:"oneOf"`
	AnyOf                []*Schema          `yaml:"anyOf"`
	Discriminator        *Discriminator     `yaml:"discriminator"`
	Enum                 []any              `yaml:"enum"`
	Minimum              *float64           `yaml:"minimum"`
	Maximum              *float64           `yaml:"maximum"`
	MinLength            *int               `yaml:"minLength"`
	MaxLength            *int               `yaml:"maxLength"`
	MinItems             *int               `yaml:"minItems"`
	MaxItems             *int               `yaml:"maxItems"`
	Pattern              string             `yaml:"pattern"`
	Nullable             bool               `yaml:"nullable"`
	AdditionalProperties yaml.Node          `yaml:"additionalProperties"`

	addl    *Schema // AdditionalProperties decoded when it is a schema
	addlAny bool    // additionalProperties: true
	re      *regexp.Regexp
}

// Discriminator selects the schema of an object by one of its properties.
type Discriminator struct {
	PropertyName string            `yaml:"propertyName"`
	Mapping      map[string]string `yaml:"mapping"`
}

// Parameter is an operation parameter.
type Parameter struct {
	Ref      string  `yaml:"$ref"`
	Name     string  `yaml:"name"`
	In       string  `yaml:"in"`
	Required bool    `yaml:"required"`
	Schema   *Schema `yaml:"schema"`
}

type mediaType struct {
	Schema *Schema `yaml:"schema"`
}

type requestBody struct {
	Required bool                 `yaml:"required"`
	Content  map[string]mediaType `yaml:"content"`
}

type response struct {
	Ref     string               `yaml:"$ref"`
	Content map[string]mediaType `yaml:"content"`
}

// Operation is one method of a path.
type Operation struct {
	OperationID string               `yaml:"operationId"`
	Parameters  []*Parameter         `yaml:"parameters"`
	RequestBody *requestBody         `yaml:"requestBody"`
	Responses   map[string]*response `yaml:"responses"`
}

type pathItem struct {
	Parameters []*Parameter `yaml:"parameters"`
	Get        *Operation   `yaml:"get"`
	Put        *Operation   `yaml:"put"`
	Post       *Operation   `yaml:"post"`
	Delete     *Operation   `yaml:"delete"`
	Patch      *Operation   `yaml:"patch"`
}

func (p *pathItem) op(method string) *Operation {
	switch strings.ToUpper(method) {
	case "GET":
		return p.Get
	case "PUT":
		return p.Put
	case "POST":
		return p.Post
	case "DELETE":
		return p.Delete
	case "PATCH":
		return p.Patch
	}
	return nil
}

type document struct {
	Info struct {
		Version string `yaml:"version"`
	} `yaml:"info"`
	Paths      map[string]*pathItem `yaml:"paths"`
	Components struct {
		Schemas    map[string]*Schema   `yaml:"schemas"`
		Responses  map[string]*response `yaml:"responses"`
		Parameters map[string]*Parameter
	} `yaml:"components"`
}

// Doc is a loaded OpenAPI document.
type Doc struct {
	doc   document
	paths []string // templates, sorted so that literal segments win
}

// Load reads an OpenAPI document from a YAML file.
func Load(file string) (*Doc, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// Parse reads an OpenAPI document from YAML.
func Parse(data []byte) (*Doc, error) {
	var d Doc
	if err := yaml.Unmarshal(data, &d.doc); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	if len(d.doc.Paths) == 0 {
		return nil, errors.New("openapi: no paths")
	}
	for p := range d.doc.Paths {
		d.paths = append(d.paths, p)
	}
	// More literal segments first: /chats/{chatId}/members before a
	// template that would also match.
	sort.Slice(d.paths, func(i, j int) bool {
		a, b := strings.Count(d.paths[i], "{"), strings.Count(d.paths[j], "{")
		if a != b {
			return a < b
		}
		return d.paths[i] < d.paths[j]
	})
	seen := map[*Schema]bool{}
	for _, s := range d.doc.Components.Schemas {
		if err := d.prepare(s, seen); err != nil {
			return nil, err
		}
	}
	for _, item := range d.doc.Paths {
		for _, op := range []*Operation{item.Get, item.Put, item.Post, item.Delete, item.Patch} {
			if op == nil {
				continue
			}
			for _, p := range append(append([]*Parameter(nil), item.Parameters...), op.Parameters...) {
				if err := d.prepare(p.Schema, seen); err != nil {
					return nil, err
				}
			}
			if op.RequestBody != nil {
				for _, mt := range op.RequestBody.Content {
					if err := d.prepare(mt.Schema, seen); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	return &d, nil
}

// Version is the document's info.version.
func (d *Doc) Version() string { return d.doc.Info.Version }

// prepare decodes additionalProperties and compiles patterns, recursively.
func (d *Doc) prepare(s *Schema, seen map[*Schema]bool) error {
	if s == nil || seen[s] {
		return nil
	}
	seen[s] = true
	if n := &s.AdditionalProperties; n.Kind != 0 {
		if n.Kind == yaml.ScalarNode {
			s.addlAny = n.Value == "true"
		} else {
			s.addl = new(Schema)
			if err := n.Decode(s.addl); err != nil {
				return fmt.Errorf("openapi: additionalProperties: %w", err)
			}
		}
	}
	if s.Pattern != "" {
		s.re, _ = regexp.Compile(s.Pattern) // nil: not checkable in Go
	}
	kids := append(append(append([]*Schema{s.Items, s.addl}, s.AllOf...), s.OneOf...), s.AnyOf...)
	for _, p := range s.Properties {
		kids = append(kids, p)
	}
	for _, k := range kids {
		if err := d.prepare(k, seen); err != nil {
			return err
		}
	}
	return nil
}

// resolve follows $ref to a component schema.
func (d *Doc) resolve(s *Schema) (*Schema, error) {
	for i := 0; s != nil && s.Ref != ""; i++ {
		name, ok := strings.CutPrefix(s.Ref, "#/components/schemas/")
		if !ok || i > 32 {
			return nil, fmt.Errorf("unresolvable $ref %q", s.Ref)
		}
		next := d.doc.Components.Schemas[name]
		if next == nil {
			return nil, fmt.Errorf("unknown schema %q", name)
		}
		s = next
	}
	return s, nil
}

// find returns the path template and path item matching a request path,
// and the values of its path parameters.
func (d *Doc) find(path string) (string, *pathItem, map[string]string) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for _, tmpl := range d.paths {
		ts := strings.Split(strings.Trim(tmpl, "/"), "/")
		if len(ts) != len(segs) {
			continue
		}
		vars := map[string]string{}
		ok := true
		for i, t := range ts {
			if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
				if segs[i] == "" {
					ok = false
					break
				}
				vars[t[1:len(t)-1]] = segs[i]
				continue
			}
			if t != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			return tmpl, d.doc.Paths[tmpl], vars
		}
	}
	return "", nil, nil
}

// Operation returns the operation a method and path match, nil if none.
func (d *Doc) Operation(method, path string) *Operation {
	_, item, _ := d.find(path)
	if item == nil {
		return nil
	}
	return item.op(method)
}
