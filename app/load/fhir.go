package load

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/target"
)

// fhirProtocol builds FHIR R4 resources from the FHIR preset's flattened fields and creates
// them conditionally (If-None-Exist on the legacy identifier), so a record sent twice is
// created once.
type fhirProtocol struct{ cfg Config }

func identifierSystem(c Config, entity string) string {
	if c.IdentifierSystem == "" {
		return "urn:ferry:legacy:" + entity
	}
	return strings.ReplaceAll(c.IdentifierSystem, "{entity}", entity)
}

func (f *fhirProtocol) request(e *mapping.FeedEntity, key string, values []string) (string, string, []byte, map[string]string, error) {
	res := FHIRResource(f.cfg, e, key, values)
	b, err := json.Marshal(res)
	if err != nil {
		return "", "", nil, nil, err
	}
	cond := "identifier=" + url.QueryEscape(identifierSystem(f.cfg, e.Name)+"|"+key)
	return http.MethodPost, "/" + e.Name, b, map[string]string{"If-None-Exist": cond}, nil
}

func (f *fhirProtocol) created(e *mapping.FeedEntity, a answer) (string, bool) {
	id := jsonPath(a.Body, "id")
	if id == "" {
		// Location: [base]/Patient/123/_history/1
		loc := strings.Split(strings.Trim(a.Header.Get("Location"), "/"), "/")
		for i := len(loc) - 2; i >= 0; i-- {
			if loc[i] == e.Name {
				id = loc[i+1]
				break
			}
		}
	}
	// Conditional create answers 200 (not 201) when a resource with that identifier exists.
	return id, a.Status == http.StatusOK
}

func (f *fhirProtocol) findPath(e *mapping.FeedEntity, key string) string {
	return "/" + e.Name + "?identifier=" + url.QueryEscape(identifierSystem(f.cfg, e.Name)+"|"+key) + "&_elements=id"
}

func (f *fhirProtocol) found(e *mapping.FeedEntity, a answer) string {
	return jsonPath(a.Body, "entry.0.resource.id")
}

func (f *fhirProtocol) deletePath(e *mapping.FeedEntity, id string) string {
	return "/" + e.Name + "/" + url.PathEscape(id)
}

// Fields whose value is a CodeableConcept with only a text (or a code) in FHIR R4.
var codeableText = map[string]bool{"maritalStatus": true, "appointmentType": true, "cancelationReason": true,
	"specialty": true, "relationship": true, "method": true, "qualification.code": true}

// Elements that are lists in FHIR: "name.family" fills name[0].family.
var fhirLists = map[string]bool{"name": true, "address": true, "qualification": true, "lineItem": true,
	"detail": true, "specialty": true}

// FHIRResource builds the FHIR R4 JSON of one record of the FHIR preset target: the legacy key
// becomes an identifier with the destination's system, flattened fields (name.family,
// telecom.phone, address.line, participant.patient …) become FHIR's nested elements, and
// reference fields (whose values are the server's ids by now) become "Entity/id" references.
func FHIRResource(cfg Config, e *mapping.FeedEntity, key string, values []string) map[string]any {
	cfg.defaults()
	res := map[string]any{"resourceType": e.Name}
	var identifiers, telecom, participants []any
	identifiers = append(identifiers, map[string]any{"system": identifierSystem(cfg, e.Name), "value": key})
	first := func(name string) map[string]any {
		l, _ := res[name].([]any)
		if len(l) == 0 {
			l = []any{map[string]any{}}
			res[name] = l
		}
		return l[0].(map[string]any)
	}
	for i, f := range e.Fields {
		if i >= len(values) || values[i] == "" || f.Key {
			continue
		}
		v := values[i]
		head, rest, _ := strings.Cut(f.Name, ".")
		var val any = typed(cfg, f, v)
		if f.Type == target.Reference {
			val = map[string]any{"reference": f.References + "/" + v}
		}
		switch {
		case head == "identifier":
			sys := "urn:ferry:identifier:" + rest
			if rest == "npi" {
				sys = "http://hl7.org/fhir/sid/us-npi"
			}
			identifiers = append(identifiers, map[string]any{"system": sys, "value": v})
		case head == "telecom":
			t := map[string]any{"system": "phone", "value": v}
			switch rest {
			case "email":
				t["system"] = "email"
			case "fax":
				t["system"] = "fax"
			case "mobile":
				t["use"] = "mobile"
			case "work":
				t["use"] = "work"
			default:
				t["use"] = "home"
			}
			telecom = append(telecom, t)
		case head == "participant":
			participants = append(participants, map[string]any{"actor": val, "status": "accepted"})
		case head == "name" && (rest == "given" || rest == "prefix" || rest == "suffix"):
			first("name")[rest] = toAnyList(strings.Fields(v))
		case head == "address" && (rest == "line" || rest == "line2"):
			a := first("address")
			l, _ := a["line"].([]any)
			a["line"] = append(l, v)
		case f.Name == "lineItem.chargeItemCode" || f.Name == "lineItem.chargeItemText":
			cc, _ := first("lineItem")["chargeItemCodeableConcept"].(map[string]any)
			if cc == nil {
				cc = map[string]any{}
				first("lineItem")["chargeItemCodeableConcept"] = cc
			}
			if rest == "chargeItemCode" {
				cc["coding"] = []any{map[string]any{"code": v}}
			} else {
				cc["text"] = v
			}
		case head == "class":
			l, _ := res["class"].([]any)
			res["class"] = append(l, map[string]any{"type": map[string]any{"text": rest}, "value": v})
		case f.Name == "note":
			res["note"] = []any{map[string]any{"text": v}}
		case f.Name == "generalPractitioner":
			res[f.Name] = []any{val}
		case f.Name == "guarantor":
			res[f.Name] = []any{map[string]any{"party": val}}
		case f.Name == "payor":
			res[f.Name] = []any{map[string]any{"display": v}}
		case codeableText[f.Name]:
			setPath(res, strings.Split(f.Name, "."), map[string]any{"text": v}, first)
		default:
			setPath(res, strings.Split(f.Name, "."), val, first)
		}
	}
	res["identifier"] = identifiers
	if len(telecom) > 0 {
		res["telecom"] = telecom
	}
	if len(participants) > 0 {
		res["participant"] = participants
	}
	return res
}

func toAnyList(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

// setPath puts val at a dotted path, entering the first element of FHIR's list elements.
func setPath(res map[string]any, path []string, val any, first func(string) map[string]any) {
	cur := res
	for i, p := range path {
		if i == len(path)-1 {
			cur[p] = val
			return
		}
		if i == 0 && fhirLists[p] {
			cur = first(p)
			continue
		}
		next, _ := cur[p].(map[string]any)
		if next == nil {
			next = map[string]any{}
			cur[p] = next
		}
		cur = next
	}
}

// typed turns a mapped value into FHIR's JSON type.
func typed(cfg Config, f target.Field, v string) any {
	switch f.Type {
	case target.Integer:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	case target.Decimal:
		if json.Valid([]byte(v)) {
			return json.Number(v)
		}
	case target.Money:
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			return map[string]any{"value": json.Number(v), "currency": cfg.Currency}
		}
	case target.Boolean:
		t, fw := target.BooleanWords(f.Format)
		switch {
		case strings.EqualFold(v, t), strings.EqualFold(v, "true"):
			return true
		case strings.EqualFold(v, fw), strings.EqualFold(v, "false"):
			return false
		}
	}
	return v
}
