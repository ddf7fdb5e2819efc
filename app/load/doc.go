// Package load sends the mapped data (mapping.Feed) to the new system and proves where every
// legacy record went: import files (app/load/files), a REST API, or a FHIR R4 server. It is the
// engine behind the Full load step, the Sample run, the delta cutover and rollback; the GUI and
// `ferry load` drive it the same way.
//
// # Destinations
//
// A destination is a named configuration in the project (table ferry_destinations), JSON of
// format "ferry-destination/1" (Config). It never holds a secret: a token, API key or password
// is named by Auth.Keyring (an entry of the OS keyring, app/secrets, service "Ferry") or asked
// for at run time (Options.Secret; the CLI reads an environment variable or prompts).
//
//	d, err := load.SaveDestination(ctx, p, load.Destination{Name: "pb", Kind: load.KindREST, Config: cfg})
//	ds, err := load.Destinations(ctx, p)          // all, by name
//	d, err := load.GetDestination(ctx, p, "pb")
//	b, err := load.ExportDestination(ctx, p, "pb") // JSON without secrets, to reuse elsewhere
//	d, err := load.ImportDestination(ctx, p, r)    // from that JSON
//	err = load.DeleteDestination(ctx, p, "pb")
//	res, err := load.TestConnection(ctx, d, secret) // reaches the server? auth accepted?
//
// Every change bumps the destination's version and is a custody event (destination.save).
//
// # Plan and run
//
//	pl, err := load.MakePlan(ctx, p, "pb")  // entities in order, counts, invalid, ETA at the rate limit
//	res, err := load.Run(ctx, p, load.Options{
//	    Destination: "pb",
//	    Resume:      false,     // true: continue the newest unfinished run to this destination
//	    RetryFailed: false,     // true: a new run that re-sends only what did not arrive (not rejected ones)
//	    Secret:      func(d load.Destination) (string, error) { … },
//	    Progress:    func(pr load.Progress) { … }, // throttled (~10/s), never once per record
//	    Pause:       pc,        // load.NewPauseControl(): Pause()/Resume() from the GUI
//	})
//	// cancel with ctx; res.State is done, paused (the circuit tripped: res.Message says why),
//	// cancelled or failed; res.Counts by status.
//
// A run writes every legacy record of the feed to ferry_load_records first ('pending', or
// 'invalid' with the mapping errors in words) in one transaction, then sends them entity by
// entity in dependency order. A record is marked 'sending' (committed) before its request
// leaves; its outcome (created, existing, rejected, failed) is written afterwards. A record
// found in ferry_crosswalk for the destination is 'existing' and never sent again; a record
// left in 'sending' by a crash, kill -9 or timeout is looked up by its legacy key before it is
// sent again. References are translated into the new system's ids through the crosswalk.
// Retries: exponential backoff with jitter on 429, 5xx, timeouts and dropped connections,
// Retry-After honoured (seconds or HTTP-date); a 4xx is 'rejected' with the target's own
// message; after Config.CircuitFailures failures in a row the run pauses (state 'paused')
// and says so in words. Files destinations write every valid record with new_id "FILE:ROW";
// resuming a files run rewrites the files from the start (they are deterministic).
//
// # Results
//
//	runs, err := load.Runs(ctx, p)                    // newest first
//	recs, err := load.Records(ctx, p, runID, filter)  // for the running error list and the grid
//	err = load.WriteResults(ctx, p, runID, w, "xlsx") // or "csv": every legacy record exactly once
//
// The results file has entity, legacy key, new ID, status, attempts and the target's error
// message per record; a value beginning with = + - @ is neutralised against formula injection.
//
// # Reading back and deleting
//
//	cl, err := load.OpenClient(ctx, p, "pb", ask) // rest or fhir; secret from the keyring, else ask
//	d, err := load.LatestDestination(ctx, p)       // the newest full, delta or retry load's
//	err = cl.Fetch(ctx, "Patient", func(newID string, fields map[string]string) error { … })
//	fields, found, err := cl.Get(ctx, "Patient", newID)
//	err = cl.Delete(ctx, "Patient", newID)         // already gone (404, 410) is not an error
//
// Client is a reconcile.Reader. Fetch lists every record the new system has, Ferry's or not:
// a rest destination page by page at the entity's endpoint (?page=N&perPage=500, PocketBase's
// paging), a fhir destination by search (ENTITY?_count=500) following the Bundle's next links
// (only to the same server). Records come back under the target's field names, the inverse of
// how they were sent (name_family → name.family; a FHIR resource flattened by FHIRFields),
// references as the new ids they point at and the legacy key in the key field, so duplicates
// show. Requests wait for the destination's rate limit and are retried as a load's are. A
// files destination has no API: ErrCannotReadBack.
package load
