// Package mapping is the Map step: Legacy_Field → transformation → New_Field for every entity of
// the new system (the active target, see app/target), visible enough that the practice manager
// can check it and reusable by the consultant at the next client.
//
// # The model
//
// A map has one EntityMap per target entity: the staged table it is filled from (Table) and one
// FieldMap per field: the source columns (Sources; several are concatenated, one column may feed
// several fields) and a chain of Steps. Ops:
//
//	trim       mode "" or "spaces"                        "  Boston " → "Boston"
//	case       mode upper|lower|title|name                "O'NEILL" → "O'Neill" (name-aware)
//	date       from auto|DMY|MDY|YMD|ISO, to (format)     "13/04/2020" → "2020-04-13"
//	phone      mode e164|national|international, region   "(617) 555-0123" → "+16175550123"
//	number     mode decimal|integer|money                 "$1,234.5" → "1234.50"
//	split      sep, part (1-based, negative from the end)  "Lee, Ann" part 2 → "Ann"
//	concat     sep                                        Date + Time → "02/04/2012 13:00"
//	value_map  map {old: allowed value}                   "No-Show" → "noshow"
//	constant   value                                      → "issued"
//	default    value (when blank)
//	regex      pattern, replace ($1 …)
//	lookup     entity                                     the value is that entity's old key
//
// Until a concat step, trim, case, split and regex work on each source value on its own; every
// other step first joins the values with a space. Date steps never guess: with from "auto" a
// day/month value whose parts do not show the order (03/04/2020) is an ambiguous_date error, as
// is a two-digit year; with from DMY or MDY a person has said how the column is written.
// Values the value map lacks are unmapped_value errors, never passed through. Compile checks a
// FieldMap against its field; Chain.Run and Chain.Check run it on one row (the GUI can show a
// live example under the chain it is editing).
//
// # Editing (each call is one undoable edit, logged in the custody log)
//
//	m := mapping.New(p)                      // works on the project's active target
//	m.SetSource(ctx, "Patient", "patients")  // entity ← table ("" unmaps)
//	m.Connect(ctx, "Patient", "birthDate", "BirthDate")    // a column dropped on a field:
//	                                         // added to its sources, DefaultSteps for a new field
//	m.Disconnect(ctx, "Patient", "name.given", "MiddleInitial")
//	m.SetSteps(ctx, "Patient", "birthDate", []mapping.Step{{Op: "trim"}, {Op: "date", From: "MDY"}})
//	m.SetField(ctx, "Patient", mapping.FieldMap{...})      // the whole field at once
//	m.SetValues(ctx, "Appointment", "status", map[string]string{"DNA": "noshow"}) // "" removes
//	m.ClearField / m.ClearEntity
//	m.Undo(ctx) / m.Redo(ctx) / m.History(ctx) / m.CanUndo(ctx) / m.Revision(ctx)
//
// A new edit after Undo ends the redo branch. Every edit, undo and redo bumps the map's revision.
//
// # Reading
//
// Overview returns what the canvas draws: the target's entities with their maps, how many fields
// are mapped, which required ones are not; the staged tables with the entities reading them and
// the columns nothing reads; the map's Problems (required field unmapped, unknown table or
// column, a step that cannot run, a lookup of an entity that has no table). ColumnHints gives the
// audit's badges per source column (type, date order, findings). Map and Maps read the raw maps.
//
// # Suggestions
//
// Suggest proposes a table for each entity without one, a column (with the chain its type
// needs) for each unmapped field, and a value for each pick-list value the value map lacks. Each
// Proposal has an ID (source:Patient, field:Patient/birthDate, value:Appointment/status/DNA), a
// confidence, Certain (confidence ≥ CertainThreshold) and a reason in words. Evidence: the
// synonym dictionary (assets/targets/synonyms.json: OpenEMR, Open Dental, Synthea and the demo's
// column names, table names per kind of record, spellings of pick-list values), the field's own
// name, name similarity, and the shape of the column's values (dates, phones, e-mails, numbers),
// which can also speak against a name. Only dictionary and exact-name matches can be certain.
// Nothing changes until Accept(ids) (one undoable edit; never overwrites what a person mapped)
// or AcceptCertain.
//
// Values(entity, field) is the value-map view of a pick-list field: every distinct old value with
// its row count, what it maps to, a suggestion for the unmapped ones, and the unmapped count.
//
// # Preview and validation
//
// Preview(entity, n) runs the first n rows through the map with every check: each cell has its
// value, its source values and, when wrong, a CellError (kind and words). Validate freezes the
// target (target.Freeze: a new version only if it changed), runs every row, and stores the run
// (target.RecordRun: kind validation, target version, map revision) with one Issue per entity,
// field and kind — count, message, examples, distinct values — and the rows behind each, for
// IssueRows drill-down. Kinds: required_missing, too_long, bad_date, ambiguous_date, not_in_list,
// unmapped_value, bad_phone, bad_email, bad_number, bad_boolean, reference_not_found,
// duplicate_key; problems of the map are in Report.Problems and count as errors. References are
// checked against the referred entity's key values as its own map makes them; a key merged away
// in Cleanse counts as found when its survivor is there (cleanse.Crosswalk) — the load step
// gives such a child the survivor's new id. LatestReport reads the newest run back with Current:
// false once the target, the map or the staged data changed since.
//
// # Templates
//
// Export makes a Template (JSON, format ferry-map-template/1: the target's name and definition,
// every entity map); ReadTemplate reads one strictly (size limit, no unknown members, valid steps,
// no control characters: data only, it names no file). TargetFor finds or creates the target a
// template maps onto; ApplyTemplate applies what fits as one undoable edit and reports Misfits:
// missing_entity, missing_table, missing_field, missing_column, bad_step, value_not_allowed.
//
// # Status
//
// Status (registered for wizard.Map) is not started without a target, in progress ("4 of 6
// entities mapped, 3 required fields unmapped"), needs attention when the current validation
// found errors, done when every entity with data is mapped and validated without errors.
package mapping
