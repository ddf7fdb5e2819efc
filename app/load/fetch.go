package load

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/target"
)

// ErrCannotReadBack: the destination writes files, which have no API to read back or delete
// through (import the files as an export instead).
var ErrCannotReadBack = errors.New("a files destination cannot be read back or deleted from over an API")

// PageSize is how many records one list request asks for.
const PageSize = 500

// Client reads a rest or fhir destination's records back and deletes them, for reconciliation
// over the API (it is a reconcile.Reader), sample cleanup and rollback. Every request waits for
// the destination's rate limit and is retried like a load's (429, 5xx, timeouts). It is safe
// for use by several goroutines.
type Client struct {
	dest  Destination
	c     *client
	proto protocol
	ents  map[string]*mapping.FeedEntity
}

// OpenClient opens a read-back client for the project's named destination. secret is asked
// when the keyring has no secret for it (as Options.Secret; nil: the keyring only). The
// entities' fields are those of the project's map (mapping.Feed).
func OpenClient(ctx context.Context, p *project.Project, name string, secret func(Destination) (string, error)) (*Client, error) {
	d, err := GetDestination(ctx, p, name)
	if err != nil {
		return nil, err
	}
	if d.Kind == KindFiles {
		return nil, fmt.Errorf("destination %s: %w", d.Name, ErrCannotReadBack)
	}
	s := ""
	if d.Config.NeedsSecret() {
		if s, err = resolveSecret(d, secret); err != nil {
			return nil, err
		}
	}
	f, err := mapping.New(p).Feed(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the map to read %s back: %w", d.Name, err)
	}
	return NewClient(d, f.Entities, s)
}

// NewClient is OpenClient for a destination and entities at hand (the fields of each entity
// say how its records are turned back into the target's field names).
func NewClient(d Destination, entities []mapping.FeedEntity, secret string) (*Client, error) {
	if d.Kind == KindFiles || d.Config.Kind == KindFiles {
		return nil, fmt.Errorf("destination %s: %w", d.Name, ErrCannotReadBack)
	}
	cfg := d.Config
	if cfg.Kind == "" {
		cfg.Kind = d.Kind
	}
	cfg.defaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("destination %s: %w", d.Name, err)
	}
	d.Config = cfg
	cl := &Client{dest: d, c: newClient(cfg, secret), proto: newProtocol(cfg), ents: map[string]*mapping.FeedEntity{}}
	for i := range entities {
		cl.ents[entities[i].Name] = &entities[i]
	}
	return cl, nil
}

// Destination is the destination the client reads.
func (cl *Client) Destination() Destination { return cl.dest }

// LatestDestination is the destination of the newest full, delta or retry load run (the one
// reconciliation looks at by default); ErrNoRun when nothing has been loaded.
func LatestDestination(ctx context.Context, p *project.Project) (Destination, error) {
	var name string
	err := p.Reader().QueryRowContext(ctx, `SELECT d.name FROM ferry_load_runs l JOIN ferry_destinations d ON d.id = l.destination_id
		WHERE l.mode IN (?, ?, ?) ORDER BY l.run_id DESC LIMIT 1`, ModeFull, ModeDelta, ModeRetry).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return Destination{}, fmt.Errorf("%w: nothing has been loaded yet", ErrNoRun)
	}
	if err != nil {
		return Destination{}, fmt.Errorf("finding the newest load: %w", err)
	}
	return GetDestination(ctx, p, name)
}

func (cl *Client) entity(name string) *mapping.FeedEntity {
	if e := cl.ents[name]; e != nil {
		return e
	}
	return &mapping.FeedEntity{Name: name}
}

// call sends one request (body nil for none), waiting for the rate limit and retrying what a
// load retries; a 4xx answer is returned as it is (the caller decides what a 404 means).
func (cl *Client) call(ctx context.Context, method, path string, body []byte) (answer, error) {
	var a answer
	for n := 1; ; n++ {
		a = cl.c.do(ctx, method, path, body, nil)
		switch a.verdict(ctx) {
		case vOK, vRejected:
			return a, nil
		case vCancelled:
			return a, ctx.Err()
		}
		if n >= cl.dest.Config.MaxAttempts {
			return a, fmt.Errorf("%s %s: %s (after %d attempts)", method, cl.dest.Name, a.message(), n)
		}
		if err := sleep(ctx, backoff(cl.dest.Config, n, a.RetryAfter)); err != nil {
			return a, err
		}
	}
}

// Fetch calls fn for every record of the entity the destination has, created by Ferry or not,
// with its id and its fields by the target's field names (references as the new ids they
// point at; the legacy key in the entity's key field, so duplicates show). A rest destination
// is listed page by page at the entity's endpoint (?page=N&perPage=500, PocketBase's paging;
// the records under "items", "data" or as a bare list); a fhir destination is searched
// (ENTITY?_count=500) following the Bundle's next links. It stops when fn returns an error and
// returns that error.
func (cl *Client) Fetch(ctx context.Context, entity string, fn func(newID string, fields map[string]string) error) error {
	e := cl.entity(entity)
	if cl.dest.Config.Kind == KindFHIR {
		return cl.fetchFHIR(ctx, e, fn)
	}
	return cl.fetchREST(ctx, e, fn)
}

// Get reads one record by its new id: found is false when the destination does not have it.
func (cl *Client) Get(ctx context.Context, entity, newID string) (fields map[string]string, found bool, err error) {
	e := cl.entity(entity)
	obj, found, err := cl.read(ctx, e, newID)
	if err != nil || !found {
		return nil, found, err
	}
	if cl.dest.Config.Kind == KindFHIR {
		return FHIRFields(cl.dest.Config, e, obj), true, nil
	}
	_, f := cl.restFields(e, obj)
	return f, true, nil
}

// Delete deletes one record by its new id. A record that is already gone (404, 410) is not an
// error: deleting is what rollback and sample cleanup repeat until it is done.
func (cl *Client) Delete(ctx context.Context, entity, newID string) error {
	_, msg, err := cl.Remove(ctx, entity, newID)
	if err == nil && msg != "" {
		err = fmt.Errorf("deleting %s %s from %s: %s", entity, newID, cl.dest.Name, msg)
	}
	return err
}

// recordPath is where one record is read: FHIR's ENTITY/id; a rest destination's delete path
// (PocketBase reads and deletes at the same address), else the endpoint followed by /id.
func (cl *Client) recordPath(e *mapping.FeedEntity, id string) (string, error) {
	if cl.dest.Config.Kind == KindFHIR {
		return "/" + e.Name + "/" + url.PathEscape(id), nil
	}
	if p := cl.proto.deletePath(e, id); p != "" {
		return p, nil
	}
	ec := cl.dest.Config.Entities[e.Name]
	if ec == nil {
		return "", fmt.Errorf("%w: %s has no endpoint for %s", ErrBadConfig, cl.dest.Name, e.Name)
	}
	ep := ec.Endpoint
	if i := strings.IndexByte(ep, '?'); i >= 0 {
		ep = ep[:i]
	}
	return strings.TrimRight(ep, "/") + "/" + url.PathEscape(id), nil
}

// ---- REST ------------------------------------------------------------------------------------

func (cl *Client) fetchREST(ctx context.Context, e *mapping.FeedEntity, fn func(string, map[string]string) error) error {
	ec := cl.dest.Config.Entities[e.Name]
	if ec == nil {
		return fmt.Errorf("%w: %s has no endpoint for %s", ErrBadConfig, cl.dest.Name, e.Name)
	}
	sep := "?"
	if strings.Contains(ec.Endpoint, "?") {
		sep = "&"
	}
	seen := map[string]bool{}
	for page := 1; ; page++ {
		path := fmt.Sprintf("%s%spage=%d&perPage=%d", ec.Endpoint, sep, page, PageSize)
		a, err := cl.call(ctx, http.MethodGet, path, nil)
		if err != nil {
			return fmt.Errorf("listing %s: %w", e.Name, err)
		}
		if a.verdict(ctx) != vOK {
			return fmt.Errorf("listing %s at %s: %s", e.Name, cl.dest.Name, a.message())
		}
		items, totalPages, err := listItems(a.Body)
		if err != nil {
			return fmt.Errorf("listing %s at %s: %w", e.Name, cl.dest.Name, err)
		}
		fresh := 0
		for _, it := range items {
			id, fields := cl.restFields(e, it)
			if id != "" {
				if seen[id] {
					continue
				}
				seen[id] = true
			}
			fresh++
			if err := fn(id, fields); err != nil {
				return err
			}
		}
		switch {
		case len(items) == 0, fresh == 0: // the end, or a server that ignores paging
			return nil
		case totalPages > 0 && page >= totalPages:
			return nil
		case totalPages <= 0 && len(items) < PageSize:
			return nil
		}
	}
}

// listItems finds the records in a list answer: {"items": [...]} (PocketBase, with
// totalPages), {"data": [...]}, {"records": [...]}, {"results": [...]} or a bare list.
func listItems(b []byte) ([]map[string]any, int, error) {
	v, err := decodeJSON(b)
	if err != nil {
		return nil, 0, fmt.Errorf("the answer is not JSON: %w", err)
	}
	var list []any
	total := 0
	switch x := v.(type) {
	case []any:
		list = x
	case map[string]any:
		for _, k := range []string{"items", "data", "records", "results"} {
			if l, ok := x[k].([]any); ok {
				list = l
				break
			}
		}
		if list == nil {
			return nil, 0, errors.New("the answer has no list of records (items, data, records or results)")
		}
		if n, ok := x["totalPages"].(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				total = int(i)
			}
		}
	default:
		return nil, 0, errors.New("the answer is neither a list nor an object")
	}
	out := make([]map[string]any, 0, len(list))
	for _, it := range list {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out, total, nil
}

// restFields turns one record of a rest destination back into the target's field names: the
// inverse of the flat body (name_family → name.family, as EntityConfig.Fields renames) or of
// the body template (the value where "{{field}}" stood).
func (cl *Client) restFields(e *mapping.FeedEntity, obj map[string]any) (string, map[string]string) {
	cfg := cl.dest.Config
	ec := cfg.Entities[e.Name]
	idKey := "id"
	if ec != nil && ec.IDPath != "" && !strings.Contains(ec.IDPath, ".") {
		idKey = ec.IDPath
	}
	id, _ := scalar(obj[idKey])
	out := map[string]string{}
	if ec != nil && len(ec.Body) > 0 {
		var tmpl any
		if json.Unmarshal(ec.Body, &tmpl) == nil {
			byName := map[string]target.Field{}
			for _, f := range e.Fields {
				byName[f.Name] = f
			}
			templatePaths(tmpl, nil, func(path []string, field string) {
				v, ok := atPath(obj, path)
				if !ok {
					return
				}
				s, _ := scalar(v)
				if field == "legacy_key" {
					if e.Key != "" {
						if _, has := out[e.Key]; !has {
							out[e.Key] = s
						}
					}
					return
				}
				if f, ok := byName[field]; ok {
					out[field] = untyped(f, v, s)
				}
			})
		}
		return id, out
	}
	for _, f := range e.Fields {
		name := BodyField(f.Name)
		if ec != nil {
			if rn, ok := ec.Fields[f.Name]; ok {
				name = rn
			}
		}
		if name == "" {
			continue
		}
		if v, ok := obj[name]; ok {
			s, _ := scalar(v)
			out[f.Name] = untyped(f, v, s)
		}
	}
	if e.Key != "" {
		if _, has := out[e.Key]; !has {
			if v, ok := obj[cfg.LegacyKeyField]; ok {
				out[e.Key], _ = scalar(v)
			}
		}
	}
	return id, out
}

// templatePaths calls fn for each string of a body template that is exactly one placeholder.
func templatePaths(v any, path []string, fn func(path []string, field string)) {
	switch t := v.(type) {
	case map[string]any:
		for k, c := range t {
			templatePaths(c, append(append([]string(nil), path...), k), fn)
		}
	case []any:
		for i, c := range t {
			templatePaths(c, append(append([]string(nil), path...), strconv.Itoa(i)), fn)
		}
	case string:
		if m := placeholder.FindStringSubmatch(t); m != nil && m[0] == strings.TrimSpace(t) {
			fn(path, strings.TrimSpace(m[1]))
		}
	}
}

func atPath(v any, path []string) (any, bool) {
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			c, ok := x[p]
			if !ok {
				return nil, false
			}
			v = c
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// ---- FHIR ------------------------------------------------------------------------------------

func (cl *Client) fetchFHIR(ctx context.Context, e *mapping.FeedEntity, fn func(string, map[string]string) error) error {
	base, _ := url.Parse(cl.c.base)
	path := fmt.Sprintf("/%s?_count=%d", e.Name, PageSize)
	seen := map[string]bool{}
	for path != "" {
		a, err := cl.call(ctx, http.MethodGet, path, nil)
		if err != nil {
			return fmt.Errorf("searching %s: %w", e.Name, err)
		}
		if a.verdict(ctx) != vOK {
			return fmt.Errorf("searching %s at %s: %s", e.Name, cl.dest.Name, a.message())
		}
		var bundle struct {
			ResourceType string `json:"resourceType"`
			Link         []struct {
				Relation string `json:"relation"`
				URL      string `json:"url"`
			} `json:"link"`
			Entry []struct {
				Resource json.RawMessage `json:"resource"`
			} `json:"entry"`
		}
		if err := json.Unmarshal(a.Body, &bundle); err != nil || bundle.ResourceType != "Bundle" {
			return fmt.Errorf("searching %s at %s: the answer is not a FHIR Bundle", e.Name, cl.dest.Name)
		}
		for _, en := range bundle.Entry {
			res, err := decodeObject(en.Resource)
			if err != nil {
				continue
			}
			if rt, _ := res["resourceType"].(string); rt != e.Name { // _include'd or OperationOutcome entries
				continue
			}
			id, _ := scalar(res["id"])
			if id != "" && seen[id] {
				continue
			}
			seen[id] = true
			if err := fn(id, FHIRFields(cl.dest.Config, e, res)); err != nil {
				return err
			}
		}
		path = ""
		for _, l := range bundle.Link {
			if l.Relation != "next" || l.URL == "" {
				continue
			}
			// The token goes only to the server it was given for.
			u, err := url.Parse(l.URL)
			if err != nil || (u.IsAbs() && (u.Scheme != base.Scheme || u.Host != base.Host)) {
				return fmt.Errorf("searching %s at %s: the next page is on another server (%s); Ferry does not send the credentials there", e.Name, cl.dest.Name, l.URL)
			}
			path = l.URL
		}
	}
	return nil
}

// FHIRFields flattens a FHIR R4 resource back into the target's field names: the inverse of
// FHIRResource (identifier with the destination's system → the key field, name[0].given →
// name.given, telecom by system and use → telecom.phone …, references → the ids they point at).
// A field the resource does not have is left out.
func FHIRFields(cfg Config, e *mapping.FeedEntity, res map[string]any) map[string]string {
	cfg.defaults()
	out := map[string]string{}
	idents := map[string]string{}
	for _, x := range list(res["identifier"]) {
		m, _ := x.(map[string]any)
		sys, _ := m["system"].(string)
		v, _ := scalar(m["value"])
		switch {
		case sys == identifierSystem(cfg, e.Name):
			if e.Key != "" {
				if _, has := out[e.Key]; !has {
					out[e.Key] = v
				}
			}
		case sys == "http://hl7.org/fhir/sid/us-npi":
			idents["npi"] = v
		case strings.HasPrefix(sys, "urn:ferry:identifier:"):
			idents[strings.TrimPrefix(sys, "urn:ferry:identifier:")] = v
		}
	}
	first := func(name string) map[string]any {
		m, _ := firstOf(res[name]).(map[string]any)
		return m
	}
	telecom := list(res["telecom"])
	usedTel := make([]bool, len(telecom))
	participants := list(res["participant"])
	usedPart := make([]bool, len(participants))
	for _, f := range e.Fields {
		if f.Key {
			continue
		}
		head, rest, _ := strings.Cut(f.Name, ".")
		set := func(v any, ok bool) {
			if !ok || v == nil {
				return
			}
			s, _ := scalar(v)
			out[f.Name] = untyped(f, v, s)
		}
		switch {
		case head == "identifier":
			v, ok := idents[rest]
			set(v, ok)
		case head == "telecom":
			sys, use := "phone", "home"
			switch rest {
			case "email":
				sys, use = "email", ""
			case "fax":
				sys, use = "fax", ""
			case "mobile":
				use = "mobile"
			case "work":
				use = "work"
			}
			for i, t := range telecom {
				m, _ := t.(map[string]any)
				if usedTel[i] || m["system"] != sys || (use != "" && m["use"] != use) {
					continue
				}
				usedTel[i] = true
				set(m["value"], true)
				break
			}
		case head == "participant":
			for i, pa := range participants {
				m, _ := pa.(map[string]any)
				actor, _ := m["actor"].(map[string]any)
				ref, _ := actor["reference"].(string)
				if usedPart[i] || (f.References != "" && !strings.HasPrefix(ref, f.References+"/")) {
					continue
				}
				usedPart[i] = true
				set(actor, true)
				break
			}
		case head == "name" && (rest == "given" || rest == "prefix" || rest == "suffix"):
			if n := first("name"); n != nil {
				if l, ok := n[rest].([]any); ok {
					var parts []string
					for _, x := range l {
						s, _ := scalar(x)
						parts = append(parts, s)
					}
					set(strings.Join(parts, " "), true)
				}
			}
		case head == "address" && (rest == "line" || rest == "line2"):
			if a := first("address"); a != nil {
				l := list(a["line"])
				i := 0
				if rest == "line2" {
					i = 1
				}
				if i < len(l) {
					set(l[i], true)
				}
			}
		case f.Name == "lineItem.chargeItemCode" || f.Name == "lineItem.chargeItemText":
			if li := first("lineItem"); li != nil {
				cc, _ := li["chargeItemCodeableConcept"].(map[string]any)
				if rest == "chargeItemCode" {
					c, _ := firstOf(cc["coding"]).(map[string]any)
					v, ok := c["code"]
					set(v, ok)
				} else {
					v, ok := cc["text"]
					set(v, ok)
				}
			}
		case head == "class":
			for _, c := range list(res["class"]) {
				m, _ := c.(map[string]any)
				t, _ := m["type"].(map[string]any)
				if t["text"] == rest {
					set(m["value"], true)
					break
				}
			}
		case f.Name == "note":
			n, _ := firstOf(res["note"]).(map[string]any)
			v, ok := n["text"]
			set(v, ok)
		case f.Name == "generalPractitioner":
			set(firstOf(res[f.Name]), true)
		case f.Name == "guarantor":
			g, _ := firstOf(res[f.Name]).(map[string]any)
			v, ok := g["party"]
			set(v, ok)
		case f.Name == "payor":
			pm, _ := firstOf(res[f.Name]).(map[string]any)
			v, ok := pm["display"]
			set(v, ok)
		case codeableText[f.Name]:
			v, ok := getPath(res, strings.Split(f.Name, "."), first)
			m, _ := v.(map[string]any)
			if t, has := m["text"]; ok && has {
				set(t, true)
			} else if c, _ := firstOf(m["coding"]).(map[string]any); ok && c != nil {
				set(c["code"], c["code"] != nil)
			}
		default:
			set(getPath(res, strings.Split(f.Name, "."), first))
		}
	}
	return out
}

// getPath reads a dotted path, entering the first element of FHIR's list elements.
func getPath(res map[string]any, path []string, first func(string) map[string]any) (any, bool) {
	var cur any = res
	for i, p := range path {
		if i == 0 && fhirLists[p] && len(path) > 1 {
			m := first(p)
			if m == nil {
				return nil, false
			}
			cur = m
			continue
		}
		m, _ := cur.(map[string]any)
		v, ok := m[p]
		if !ok {
			return nil, false
		}
		cur = v
	}
	return cur, true
}

func list(v any) []any { l, _ := v.([]any); return l }

func firstOf(v any) any {
	if l := list(v); len(l) > 0 {
		return l[0]
	}
	return nil
}

// untyped turns a value read back into the text the map gave the field: a reference → the id
// it points at, money → its amount, a boolean → the field's own words (Y/N …).
func untyped(f target.Field, v any, s string) string {
	switch x := v.(type) {
	case map[string]any:
		if r, ok := x["reference"].(string); ok {
			if i := strings.LastIndexByte(strings.TrimSuffix(r, "/"), '/'); i >= 0 {
				return r[i+1:]
			}
			return r
		}
		if val, ok := x["value"]; ok && f.Type == target.Money {
			s, _ := scalar(val)
			return s
		}
	case bool:
		if f.Type == target.Boolean {
			t, fw := target.BooleanWords(f.Format)
			if x {
				return t
			}
			return fw
		}
	}
	return s
}

// scalar is a JSON value as text: numbers as written, true/false, null as "", anything else
// as compact JSON.
func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	b, _ := json.Marshal(v)
	return string(b), true
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

func decodeObject(b []byte) (map[string]any, error) {
	v, err := decodeJSON(b)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not an object")
	}
	return m, nil
}
