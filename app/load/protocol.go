package load

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/target"
)

// protocol is how one kind of destination names, builds and finds records.
type protocol interface {
	// request builds the create request of a record whose references are already the new
	// system's ids.
	request(e *mapping.FeedEntity, key string, values []string) (method, path string, body []byte, hdr map[string]string, err error)
	// created reads the new id from a 2xx answer; existing when the server says it already had it.
	created(e *mapping.FeedEntity, a answer) (id string, existing bool)
	// findPath is the request that finds a record by its legacy key ("" when there is none).
	findPath(e *mapping.FeedEntity, key string) string
	// found reads the id from the find answer ("" when there is no such record).
	found(e *mapping.FeedEntity, a answer) string
	// deletePath is the request that deletes a record by its new id ("" when there is none).
	deletePath(e *mapping.FeedEntity, id string) string
}

func newProtocol(cfg Config) protocol {
	if cfg.Kind == KindFHIR {
		return &fhirProtocol{cfg: cfg}
	}
	return &restProtocol{cfg: cfg}
}

// ---- REST ------------------------------------------------------------------------------------

type restProtocol struct{ cfg Config }

var nonWord = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// BodyField is the name a mapped field has in a flat REST body: name.family → name_family.
func BodyField(field string) string { return strings.Trim(nonWord.ReplaceAllString(field, "_"), "_") }

func (r *restProtocol) entity(name string) (*EntityConfig, error) {
	ec := r.cfg.Entities[name]
	if ec == nil {
		return nil, fmt.Errorf("%w: no endpoint for %s", ErrBadConfig, name)
	}
	return ec, nil
}

func (r *restProtocol) request(e *mapping.FeedEntity, key string, values []string) (string, string, []byte, map[string]string, error) {
	ec, err := r.entity(e.Name)
	if err != nil {
		return "", "", nil, nil, err
	}
	method := ec.Method
	if method == "" {
		method = http.MethodPost
	}
	var body []byte
	if len(ec.Body) > 0 {
		body, err = fillTemplate(ec.Body, e.Fields, key, values)
		if err != nil {
			return "", "", nil, nil, fmt.Errorf("%w: %s body template: %v", ErrBadConfig, e.Name, err)
		}
	} else {
		obj := map[string]string{}
		for i, f := range e.Fields {
			name := BodyField(f.Name)
			if rn, ok := ec.Fields[f.Name]; ok {
				name = rn
			}
			if name == "" || i >= len(values) || values[i] == "" {
				continue
			}
			obj[name] = values[i]
		}
		obj[r.cfg.LegacyKeyField] = key
		body, _ = json.Marshal(obj)
	}
	return method, ec.Endpoint, body, nil, nil
}

var placeholder = regexp.MustCompile(`\{\{\s*([^{}]+?)\s*\}\}`)

// fillTemplate replaces {{field}} placeholders in a JSON template's strings.
func fillTemplate(tmpl json.RawMessage, fields []target.Field, key string, values []string) ([]byte, error) {
	var v any
	if err := json.Unmarshal(tmpl, &v); err != nil {
		return nil, err
	}
	val := func(name string) (string, bool) {
		if name == "legacy_key" {
			return key, true
		}
		for i, f := range fields {
			if f.Name == name && i < len(values) {
				return values[i], true
			}
		}
		return "", false
	}
	var walk func(any) any
	walk = func(x any) any {
		switch t := x.(type) {
		case map[string]any:
			for k, c := range t {
				t[k] = walk(c)
			}
		case []any:
			for i, c := range t {
				t[i] = walk(c)
			}
		case string:
			return placeholder.ReplaceAllStringFunc(t, func(m string) string {
				s, _ := val(placeholder.FindStringSubmatch(m)[1])
				return s
			})
		}
		return x
	}
	return json.Marshal(walk(v))
}

func (r *restProtocol) created(e *mapping.FeedEntity, a answer) (string, bool) {
	p := "id"
	if ec := r.cfg.Entities[e.Name]; ec != nil && ec.IDPath != "" {
		p = ec.IDPath
	}
	return jsonPath(a.Body, p), false
}

func (r *restProtocol) findPath(e *mapping.FeedEntity, key string) string {
	ec := r.cfg.Entities[e.Name]
	if ec == nil || ec.Find == "" {
		return ""
	}
	// Quotes are escaped for filter languages like PocketBase's; the whole key is URL-encoded.
	k := strings.ReplaceAll(strings.ReplaceAll(key, `\`, `\\`), `'`, `\'`)
	return strings.ReplaceAll(ec.Find, "{key}", url.QueryEscape(k))
}

func (r *restProtocol) found(e *mapping.FeedEntity, a answer) string {
	p := "items.0.id"
	if ec := r.cfg.Entities[e.Name]; ec != nil && ec.FindIDPath != "" {
		p = ec.FindIDPath
	}
	return jsonPath(a.Body, p)
}

func (r *restProtocol) deletePath(e *mapping.FeedEntity, id string) string {
	ec := r.cfg.Entities[e.Name]
	if ec == nil || ec.Delete == "" {
		return ""
	}
	return strings.ReplaceAll(ec.Delete, "{id}", url.PathEscape(id))
}

// PocketBaseEntities is the rest configuration of a PocketBase server whose collections are
// named after the target's entities (lower case): records created at
// /api/collections/NAME/records with a flat body, found by legacy_key, deleted by id.
func PocketBaseEntities(def target.Definition) map[string]*EntityConfig {
	out := map[string]*EntityConfig{}
	for _, e := range def.Entities {
		c := CollectionName(e.Name)
		out[e.Name] = &EntityConfig{
			Endpoint: "/api/collections/" + c + "/records",
			Find:     "/api/collections/" + c + "/records?perPage=1&skipTotal=1&filter=(legacy_key='{key}')",
			Delete:   "/api/collections/" + c + "/records/{id}",
		}
	}
	return out
}

// CollectionName is the collection an entity goes to on PocketBase: PaymentReconciliation →
// paymentreconciliation.
func CollectionName(entity string) string { return strings.ToLower(BodyField(entity)) }
