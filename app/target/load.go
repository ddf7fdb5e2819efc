package target

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Load routes.
const (
	RouteFile = "file" // the new vendor imports a file Ferry writes
	RouteAPI  = "api"  // Ferry creates the records through the new system's API
	RouteBoth = "both"
)

// Load says how records reach the new system: the optional "load" member of a definition.
//
//	"load": {
//	  "route": "api",                           // file | api | both
//	  "rate_limit_per_minute": 200,             // 0: unknown or none
//	  "idempotency": {"strategy": "old_reference_id search before create", "words": "…"},
//	  "rollback": "…",                          // what can be undone after a load, and how
//	  "vendor_imports": "…",                    // what the new vendor usually imports itself
//	  "notes": "…",
//	  "destination": {"format": "ferry-destination/1", …}
//	}
//
// Destination is the default destination configuration (format "ferry-destination/1"), kept
// opaque here: the load engine validates it and offers it. Only its being a JSON object is
// checked by Validate.
type Load struct {
	Route              string          `json:"route"`
	RateLimitPerMinute int             `json:"rate_limit_per_minute,omitempty"`
	Idempotency        *Idempotency    `json:"idempotency,omitempty"`
	Rollback           string          `json:"rollback,omitempty"`
	VendorImports      string          `json:"vendor_imports,omitempty"`
	Notes              string          `json:"notes,omitempty"`
	Destination        json.RawMessage `json:"destination,omitempty"`
}

// Idempotency is how a load that is run twice avoids making records twice.
type Idempotency struct {
	Strategy string `json:"strategy"` // e.g. "old_reference_id search before create"
	Words    string `json:"words,omitempty"`
}

// validateLoad lists the problems of a definition's load member.
func validateLoad(l *Load) []string {
	if l == nil {
		return nil
	}
	var probs []string
	switch l.Route {
	case RouteFile, RouteAPI, RouteBoth:
	default:
		probs = append(probs, fmt.Sprintf("load.route is %q; it is one of file, api, both", l.Route))
	}
	if l.RateLimitPerMinute < 0 {
		probs = append(probs, fmt.Sprintf("load.rate_limit_per_minute %d is negative", l.RateLimitPerMinute))
	}
	texts := map[string]string{"load.rollback": l.Rollback, "load.vendor_imports": l.VendorImports, "load.notes": l.Notes}
	if l.Idempotency != nil {
		if l.Idempotency.Strategy == "" {
			probs = append(probs, "load.idempotency.strategy is empty")
		}
		texts["load.idempotency.strategy"] = l.Idempotency.Strategy
		texts["load.idempotency.words"] = l.Idempotency.Words
	}
	for where, s := range texts {
		if msg := checkText(s); msg != "" {
			probs = append(probs, where+": "+msg)
		}
	}
	if d := bytes.TrimSpace(l.Destination); len(d) > 0 && !bytes.Equal(d, []byte("null")) {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(d, &obj); err != nil {
			probs = append(probs, "load.destination is not a JSON object")
		} else if f, ok := obj["format"]; !ok || string(bytes.TrimSpace(f)) != `"ferry-destination/1"` {
			probs = append(probs, `load.destination: its "format" is not "ferry-destination/1"`)
		}
	}
	return probs
}
