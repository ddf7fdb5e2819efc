package load

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/target"
)

// Update sends a record's current values to the record newID already is in the new system (a
// delta's changed records): a rest record is PATCHed at its own address (the entity's delete
// path, else the endpoint followed by /id) with the flat body, a field that became blank sent
// blank to clear it; a FHIR resource is PUT whole to ENTITY/id. refs gives the new id of a
// referenced record by its legacy key. status and message are the server's answer (message
// empty for a 2xx); err says the record could not be sent (no fields known for the entity, a
// body template, a reference not in the new system) or no answer came after the retries.
func (cl *Client) Update(ctx context.Context, entity, newID string, rec mapping.Record, refs func(entity, legacyKey string) (string, bool)) (status int, message string, err error) {
	e := cl.ents[entity]
	if e == nil {
		return 0, "", fmt.Errorf("%w: the map has no entity %s", ErrBadConfig, entity)
	}
	values := append([]string(nil), rec.Values...)
	for i, f := range e.Fields {
		if f.Type == target.Reference && i < len(values) && values[i] != "" {
			id, ok := refs(f.References, values[i])
			if !ok {
				return 0, "", fmt.Errorf("%s refers to %s %s, which is not in the new system", f.Name, f.References, values[i])
			}
			values[i] = id
		}
	}
	path, err := cl.recordPath(e, newID)
	if err != nil {
		return 0, "", err
	}
	method := http.MethodPut
	var body []byte
	if cl.dest.Config.Kind == KindFHIR {
		res := FHIRResource(cl.dest.Config, e, rec.Key, values)
		res["id"] = newID
		body, err = json.Marshal(res)
	} else {
		ec := cl.dest.Config.Entities[entity]
		if ec != nil && len(ec.Body) > 0 {
			return 0, "", fmt.Errorf("%s: its body is a template: Ferry updates only flat bodies", entity)
		}
		method = http.MethodPatch
		obj := map[string]string{cl.dest.Config.LegacyKeyField: rec.Key}
		for i, f := range e.Fields {
			if name := cl.bodyName(ec, f); name != "" && i < len(values) {
				obj[name] = values[i]
			}
		}
		body, err = json.Marshal(obj)
	}
	if err != nil {
		return 0, "", err
	}
	a, err := cl.call(ctx, method, path, body)
	if err != nil {
		return a.Status, "", fmt.Errorf("updating %s %s at %s: %w", entity, newID, cl.dest.Name, err)
	}
	if a.verdict(ctx) == vOK {
		return a.Status, "", nil
	}
	return a.Status, a.message(), nil
}

// bodyName is the name a field has in a flat rest body ("" when it is not sent).
func (cl *Client) bodyName(ec *EntityConfig, f target.Field) string {
	if ec != nil {
		if rn, ok := ec.Fields[f.Name]; ok {
			return rn
		}
	}
	return BodyField(f.Name)
}

// Sent says whether a field of the entity goes into a flat rest body (a field renamed to ""
// in the destination's configuration is not sent, so it cannot be compared when read back).
func (cl *Client) Sent(entity string, f target.Field) bool {
	return cl.bodyName(cl.dest.Config.Entities[entity], f) != ""
}

// Version reads a FHIR resource's meta.versionId ("" when the server keeps none): "1" while
// only Ferry has written it. found is false when the destination does not have it.
func (cl *Client) Version(ctx context.Context, entity, newID string) (version string, found bool, err error) {
	obj, found, err := cl.read(ctx, cl.entity(entity), newID)
	if err != nil || !found {
		return "", found, err
	}
	meta, _ := obj["meta"].(map[string]any)
	version, _ = scalar(meta["versionId"])
	return version, true, nil
}

// read reads one record by its new id as the JSON object the destination answers with: found
// is false when the destination does not have it (404, 410).
func (cl *Client) read(ctx context.Context, e *mapping.FeedEntity, newID string) (map[string]any, bool, error) {
	path, err := cl.recordPath(e, newID)
	if err != nil {
		return nil, false, err
	}
	a, err := cl.call(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, false, fmt.Errorf("reading %s %s from %s: %w", e.Name, newID, cl.dest.Name, err)
	}
	if a.Status == http.StatusNotFound || a.Status == http.StatusGone {
		return nil, false, nil
	}
	if a.verdict(ctx) != vOK {
		return nil, false, fmt.Errorf("reading %s %s from %s: %s", e.Name, newID, cl.dest.Name, a.message())
	}
	obj, err := decodeObject(a.Body)
	if err != nil {
		return nil, false, fmt.Errorf("reading %s %s from %s: the answer is not a JSON object: %w", e.Name, newID, cl.dest.Name, err)
	}
	return obj, true, nil
}

// Remove deletes one record by its new id like Delete, and says how the server answered:
// status is its HTTP status (404 or 410: the record was already gone), message its words when
// it refused (empty otherwise); err says no answer came after the retries or there is no
// delete path.
func (cl *Client) Remove(ctx context.Context, entity, newID string) (status int, message string, err error) {
	path := cl.proto.deletePath(cl.entity(entity), newID)
	if path == "" {
		return 0, "", fmt.Errorf("%w: %s has no delete path for %s (entities.%s.delete)", ErrBadConfig, cl.dest.Name, entity, entity)
	}
	a, err := cl.call(ctx, http.MethodDelete, path, nil)
	if err != nil {
		return a.Status, "", fmt.Errorf("deleting %s %s from %s: %w", entity, newID, cl.dest.Name, err)
	}
	if a.verdict(ctx) == vOK || a.Status == http.StatusNotFound || a.Status == http.StatusGone {
		return a.Status, "", nil
	}
	return a.Status, a.message(), nil
}
