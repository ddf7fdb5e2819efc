// Package cleanse is the Cleanse step: operations that fix what the audit found in the staged
// tables, each one visible before it runs, reversible, attributable and repeatable on the final
// export at cutover.
//
// # Operations
//
// A Step names an op, the table and its parameters; it is the same value in the API, in the
// history and in a recipe (JSON). Preview says what a step would change (counts, the first
// changes, and every value it would leave alone and why) without writing; Apply runs it:
//
//	step := cleanse.Step{Op: "normalise_phone", Table: "patients", Column: "Phone", Format: "e164"}
//	pv, err := cleanse.Preview(ctx, p, step, cleanse.Options{Sample: 20})
//	res, err := cleanse.Apply(ctx, p, step, cleanse.Options{Progress: fn})
//
// FromFinding turns an audit finding's suggestion (audit.Finding.Suggest) into a step;
// ReviewClusters gives a duplicate finding's groups for a person to review before merging;
// SuggestMapping proposes targets for free-text values; Values lists a column's distinct values;
// DateReadings gives both readings of an ambiguous date for a person to choose.
//
// Every op takes "op", "table" and (cell ops) "column" or "columns", and an optional "note" in
// the person's words. Their own parameters:
//
//   - trim: collapse (bool: runs of spaces inside become one; line breaks stay). Removes Unicode
//     white space and zero-width characters at both ends.
//   - change_case (the audit's title_case is change_case with case "name"): case = upper, lower,
//     title or name (name-aware: McDonald, O'Brien, van der Berg, Smith-Jones, MacLeod for known
//     Mac names only, Järvinen); all (bool): title and name change only values written wholly in
//     capitals or lower case unless all is set.
//   - normalise_phone: region (ISO code; default the Plan's, recorded in the step), format = e164
//     (default), national or international. Invalid numbers, and numbers with an extension when
//     the format is e164, are left as they are and reported.
//   - normalise_email: fix_typos (bool: gmial.com → gmail.com, the audit's provider list). Trims
//     and lower-cases addresses; values that are not addresses are left and reported.
//   - fix_email_domain: mapping {"gmail.con": "gmail.com"} (the audit's email_typo suggestion).
//   - restore_zip_zeros: digits (default 5): 2115 → 02115, 601 → 00601, 2115-1234 → 02115-1234.
//   - normalise_date: order = the column's confirmed order DMY, MDY, YMD or mixed; ambiguous =
//     DMY or MDY, a person's decision for every date that reads both ways; decisions = {raw value:
//     YYYY-MM-DD, DMY or MDY}, a person's decision value by value. Dates are written YYYY-MM-DD (a
//     time after them kept). An ambiguous date nobody decided, a date that contradicts the order,
//     a two-digit year and anything that is no date are left as they are and reported: Ferry never
//     guesses.
//   - split_name: order = last_first ("Smith, John K.") or first_last ("John K. Smith"); first,
//     last, middle = target columns (new ones are created; existing ones are filled only where
//     blank), or into = [last, first(, middle)] for last_first and [first, last(, middle)] for
//     first_last, as the audit suggests.
//   - merge_columns: columns (two or more), target (new or existing), separator (default " ").
//   - replace: find, with, regex (RE2; $1 in with), ignore_case, whole (the whole value only).
//   - map_values: mapping {raw value: new value}; fold (bool: match raw values with case, spaces
//     and punctuation folded away). Values the mapping does not cover are left and reported.
//   - fill_blank: value, for cells that are NULL, empty or only spaces.
//   - set_blank: values that stand for nothing (N/A, 0001-01-01 …) become empty.
//   - purge: reason (required: reconciliation counts purged rows by reason) and exactly one of
//     records [RowRef], test_records (bool: the audit's test-record rule; first_name/last_name if
//     the columns are not recognised), before = YYYY-MM-DD with column (and order for day/month
//     dates), values with column, or finding_id (an audit finding's rows).
//   - merge_duplicates: exactly one of match = identical (rows equal in every column) or same_key,
//     clusters [Cluster] (a person's reviewed groups: members, survivor index, fields {column:
//     member index}), or finding_id (with cluster_ids: the audit's groups, first member
//     surviving); fill_blanks (bool: the survivor's blank values from the first member that has
//     one); identity (columns a replay checks, default the name and birth date columns). The
//     audit's "review": true is refused until the clusters are given.
//
// Purged and merged rows are not deleted from the file: they move, with every value, to a table of
// the same columns kept for their staged table (ferry_cleanse_removed_<source id>, with the kind,
// reason, operation and survivor), where RemovedCounts and RemovedRows find them; staged rows +
// removed rows = imported rows. Every merged key is recorded against its survivor's in
// ferry_cleanse_crosswalk: SurvivorOf and Crosswalk let the load step point child records at
// the survivor.
//
// # History
//
// Applied operations form a stack (History, Summarise). Undo reverts the latest: each changed
// cell is stored with its old and new value (ferry_cleanse_changes, written in multi-row batches
// while the table is read), so undo is one UPDATE … FROM per column, removed rows return with
// their own _ferry_row, new columns are dropped. Redo applies the operation undone last again,
// with the same id; applying a new operation discards the undone ones. Changes traces one row:
// "phone changed from … to … by operation 7"; ChangesOf traces a page of rows at once and
// ChangedRows lists the rows one operation changed or took out. MarkDistinct records that a group
// of rows a person reviewed are different records (DistinctGroups, UnmarkDistinct): no data
// changes, the decision is kept. Apply, Undo, Redo and Replay each write a
// custody event (cleanse.apply, cleanse.undo, cleanse.redo, cleanse.replay) in the same
// transaction as the change. An operation whose table was imported again since is Stale: its
// undo changes no data and it cannot be redone.
//
// # Recipes
//
// Export writes the applied steps as a Recipe (JSON, format "ferry-cleanse-recipe", version 1)
// with the tables and columns they expect; ParseRecipe reads one strictly (an unknown op or
// parameter, a bad regular expression or date is an error naming the step). A recipe is data
// only: nothing in it makes Ferry read or write a file. Replay checks first (Check) that every
// table and column the steps read is there and that date, phone, e-mail and postcode columns
// still hold those; any problem stops it with a *MismatchError listing all of them – a missing
// column with the column it was probably renamed to – before anything changes. Then every step
// runs as its own operation, all in one transaction. Rows a step names (purge records, reviewed
// merge clusters) are found by legacy key and checked against the names and birth date they had
// when the step was decided; those not found, or changed, are reported in the step's Left and
// nothing is done to them. ReplayOptions.DryRun runs everything and rolls back.
//
// Status, registered for wizard.Cleanse, says "N operations, M cells changed".
package cleanse
