package importers

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/app/staging"
)

func tableNulls(tb *staging.MemoryTable) [][]bool {
	var out [][]bool
	for _, r := range tb.Rows {
		out = append(out, r.Nulls)
	}
	return out
}

func TestJSONShapes(t *testing.T) {
	type table struct {
		name  string
		cols  []string
		cells [][]string
		nulls [][]bool // nil: not checked
		lines []int64  // nil: not checked
	}
	cases := []struct {
		name, file, body string
		want             []table
	}{
		{
			name: "array of objects, values as in the source",
			file: "patients.json",
			body: `[
  {"id": "007", "dob": "0001-01-01", "bal": 1.50, "big": 12345678901234567890, "exp": 1e3, "ok": true, "gone": false,
   "note": "N/A", "x": null, "address": {"city": "Cork", "zip": "02134"}, "tags": ["a", "<b>&"], "phones": [{"type": "home"}]},
  {"id": "008", "extra": {}}
]`,
			want: []table{{
				name: "patients",
				cols: []string{"id", "dob", "bal", "big", "exp", "ok", "gone", "note", "x", "address.city", "address.zip", "tags", "phones", "extra"},
				cells: [][]string{
					{"007", "0001-01-01", "1.50", "12345678901234567890", "1e3", "true", "false", "N/A", "", "Cork", "02134", `["a","<b>&"]`, `[{"type":"home"}]`, ""},
					{"008", "", "", "", "", "", "", "", "", "", "", "", "", "{}"},
				},
				nulls: [][]bool{
					{false, false, false, false, false, false, false, false, true, false, false, false, false, true},
					{false, true, true, true, true, true, true, true, true, true, true, true, true, false},
				},
				lines: []int64{1, 2},
			}},
		},
		{
			name: "object whose single array member holds the records",
			file: "export.json",
			body: `{"patients": [{"id": 1}, {"id": 2, "name": "Zoë"}]}`,
			want: []table{{name: "export", cols: []string{"id", "name"}, cells: [][]string{{"1", ""}, {"2", "Zoë"}}}},
		},
		{
			name: "several arrays and metadata: nothing dropped",
			file: "dump.json",
			body: `{"version": 2, "exported": {"by": "admin", "at": "2024-03-05"}, "patients": [{"id": 1}], "visits": [{"pid": 1, "on": "2024-01-01"}]}`,
			want: []table{
				{name: "dump_info", cols: []string{"version", "exported.by", "exported.at"}, cells: [][]string{{"2", "admin", "2024-03-05"}}},
				{name: "dump_patients", cols: []string{"id"}, cells: [][]string{{"1"}}},
				{name: "dump_visits", cols: []string{"pid", "on"}, cells: [][]string{{"1", "2024-01-01"}}},
			},
		},
		{
			name: "a single object is one record",
			file: "one.json",
			body: `{"name": "Practice", "phone": "021 123"}`,
			want: []table{{name: "one", cols: []string{"name", "phone"}, cells: [][]string{{"Practice", "021 123"}}}},
		},
		{
			name: "array of arrays with a heading row",
			file: "grid.json",
			body: `[["id", "name"], ["1", "Ann"], [2, "Bob", true]]`,
			want: []table{{name: "grid", cols: []string{"id", "name", ""}, cells: [][]string{{"1", "Ann", ""}, {"2", "Bob", "true"}}, lines: []int64{1, 2}}},
		},
		{
			name: "array of scalars",
			file: "codes.json",
			body: `["A1", 2, null]`,
			want: []table{{name: "codes", cols: []string{"value"}, cells: [][]string{{"A1"}, {"2"}, {""}}, nulls: [][]bool{{false}, {false}, {true}}}},
		},
		{
			name: "concatenated objects",
			file: "stream.json",
			body: "{\"a\": 1}\n\n{\"a\": 2, \"b\": [1, 2]}",
			want: []table{{name: "stream", cols: []string{"a", "b"}, cells: [][]string{{"1", ""}, {"2", "[1,2]"}}}},
		},
		{
			name: "byte order mark",
			file: "bom.json",
			body: "\uFEFF[{\"a\": \"é\"}]",
			want: []table{{name: "bom", cols: []string{"a"}, cells: [][]string{{"é"}}}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeTestFile(t, t.TempDir(), c.file, []byte(c.body))
			imp, err := Detect(path)
			if err != nil || imp.Format() != "json" && imp.Format() != "ndjson" {
				t.Fatalf("Detect: %v %v", imp, err)
			}
			sink, err := importForTest(t, jsonImporter{}, path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(sink.Tables) != len(c.want) {
				t.Fatalf("tables %v", sinkTableNames(sink))
			}
			for i, w := range c.want {
				tb := sink.Tables[i]
				if tb.Spec.Name != w.name || !reflect.DeepEqual(tb.Spec.Columns, w.cols) {
					t.Errorf("table %q columns %q, want %q %q", tb.Spec.Name, tb.Spec.Columns, w.name, w.cols)
				}
				if got := tableCells(tb); !reflect.DeepEqual(got, w.cells) {
					t.Errorf("%s cells\n got %q\nwant %q", w.name, got, w.cells)
				}
				if w.nulls != nil && !reflect.DeepEqual(tableNulls(tb), w.nulls) {
					t.Errorf("%s nulls\n got %v\nwant %v", w.name, tableNulls(tb), w.nulls)
				}
				if w.lines != nil && !reflect.DeepEqual(tableLines(tb), w.lines) {
					t.Errorf("%s lines %v, want %v", w.name, tableLines(tb), w.lines)
				}
				if tb.Spec.Source.Format != "json" {
					t.Errorf("format %q", tb.Spec.Source.Format)
				}
			}
		})
	}
}

func TestJSONCSVSpectrum(t *testing.T) {
	for _, path := range messyGlob(t, "csv-spectrum/json/*.json") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var want []map[string]string
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			sink, err := importForTest(t, jsonImporter{}, path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			tb := sink.Tables[0]
			if len(tb.Rows) != len(want) {
				t.Fatalf("%d rows, want %d", len(tb.Rows), len(want))
			}
			for i, rec := range want {
				for j, col := range tb.Spec.Columns {
					if got := tb.Rows[i].Cells[j]; got != rec[col] {
						t.Errorf("record %d %s = %q, want %q", i+1, col, got, rec[col])
					}
				}
			}
		})
	}
}

func TestJSONRefusesDeepNestingAndDamage(t *testing.T) {
	dir := t.TempDir()
	deepArray := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	deepObject := strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000)
	for name, c := range map[string]struct{ body, want string }{
		"deep_array.json":  {deepArray, "nested more than 100 levels"},
		"deep_object.json": {deepObject, "nested more than 100 levels"},
		"cut.json":         {`[{"a": 1}, {"a": `, "ends too early"},
		"broken.json":      {"[{\"a\": 1},\n {\"a\" 2}]", "damaged at line 2"},
		"empty.json":       {"", "empty"},
		"scalar.json":      {"42", "single value"},
		"nothing.json":     {"[]", "no records"},
	} {
		path := writeTestFile(t, dir, name, []byte(c.body))
		_, err := importForTest(t, jsonImporter{}, path, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), name+":") {
			t.Errorf("%s: want an error naming the file and saying %q, got %v", name, c.want, err)
		}
	}
}

func TestNDJSONKeepsBadLines(t *testing.T) {
	body := "{\"id\": \"001\", \"name\": \"Ann\"}\r\n\n{\"id\": \"002\", \"tags\": [1, 2]}\nnot json at all\n{\"id\": 3} trailing\n" +
		strings.Repeat("[", 500) + strings.Repeat("]", 500) + "\n{\"id\": \"Jos\xe9\"}\n{\"id\": null}"
	path := writeTestFile(t, t.TempDir(), "log.jsonl", []byte(body))
	imp, err := Detect(path)
	if err != nil || imp.Format() != "ndjson" {
		t.Fatalf("Detect: %v %v", imp, err)
	}
	sink, err := importForTest(t, imp, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tb := sink.Tables[0]
	if tb.Spec.Name != "log" || !reflect.DeepEqual(tb.Spec.Columns, []string{"id", "name", "tags"}) || tb.Spec.Source.Format != "ndjson" {
		t.Fatalf("spec %+v", tb.Spec)
	}
	if got := tableLines(tb); !reflect.DeepEqual(got, []int64{1, 3, 4, 5, 6, 7, 8}) {
		t.Errorf("lines %v", got)
	}
	want := [][]string{{"001", "Ann", ""}, {"002", "", "[1,2]"}, {"", "", ""}, {"", "", ""}, {"", "", ""}, {"Jos\uFFFD", "", ""}, {"", "", ""}}
	if got := tableCells(tb); !reflect.DeepEqual(got, want) {
		t.Errorf("cells\n got %q\nwant %q", got, want)
	}
	for i, r := range tb.Rows {
		switch r.Line {
		case 4, 5, 6:
			if r.Flags&staging.FlagParse == 0 || len(r.Overflow) != 1 {
				t.Errorf("line %d should be kept, flagged, with its text: %+v", r.Line, r)
			}
		case 7:
			if r.Flags&staging.FlagInvalidBytes == 0 {
				t.Errorf("line 7 should be flagged for invalid bytes")
			}
		case 8:
			if !r.Nulls[0] {
				t.Errorf("null id should be NULL")
			}
		default:
			if r.Flags != 0 {
				t.Errorf("row %d flagged %v", i, r.Flags)
			}
		}
	}
	if tb.Rows[2].Overflow[0] != "not json at all" {
		t.Errorf("bad line text %q", tb.Rows[2].Overflow)
	}
	var parse int
	for _, is := range tb.Issues {
		if is.Kind == "parse" {
			parse++
			if is.Line == 0 || !strings.Contains(is.Message, "line") {
				t.Errorf("issue without place: %+v", is)
			}
		}
	}
	if parse != 3 {
		t.Errorf("want 3 parse issues, got %+v", tb.Issues)
	}
}

func TestJSONInvalidUTF8IsFlagged(t *testing.T) {
	path := writeTestFile(t, t.TempDir(), "w.json", []byte("[{\"n\": \"Zo\xeb\"}, {\"n\": \"ok\"}]"))
	sink, err := importForTest(t, jsonImporter{}, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tb := sink.Tables[0]
	if tb.Rows[0].Flags&staging.FlagInvalidBytes == 0 || tb.Rows[1].Flags != 0 {
		t.Errorf("flags %v %v", tb.Rows[0].Flags, tb.Rows[1].Flags)
	}
	// the person can say what the bytes are
	sink, err = importForTest(t, jsonImporter{}, path, Options{Encoding: "windows-1252"})
	if err != nil {
		t.Fatal(err)
	}
	if got := sink.Tables[0].Rows[0].Cells[0]; got != "Zoë" {
		t.Errorf("windows-1252: %q", got)
	}
}

func TestJSONProbe(t *testing.T) {
	j, nd := jsonImporter{}, jsonImporter{lines: true}
	for _, c := range []struct {
		head, name string
		json, nd   int
	}{
		{`[{"a":1}]`, "x.json", 95, 0},
		{`[{"a":1}]`, "x.txt", 70, 0},
		{"{\"a\":1}\n{\"a\":2}\n", "x.json", 40, 85},
		{"{\"a\":1}\n{\"a\":2}\n", "x.ndjson", 20, 98},
		{"[Patients]\nname=Ann\n", "x.ini", 5, 0},
		{"id,name\n", "x.csv", 0, 0},
	} {
		if s := j.Probe([]byte(c.head), c.name); s != c.json {
			t.Errorf("json Probe(%q, %s) = %d, want %d", c.head, c.name, s, c.json)
		}
		if s := nd.Probe([]byte(c.head), c.name); s != c.nd {
			t.Errorf("ndjson Probe(%q, %s) = %d, want %d", c.head, c.name, s, c.nd)
		}
	}
}

func TestJSONCancelled(t *testing.T) {
	path := writeTestFile(t, t.TempDir(), "a.json", []byte(`[{"a":1}]`))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := jsonImporter{}.Import(ctx, path, Options{}, &staging.MemorySink{}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v", err)
	}
}

func fuzzJSON(t *testing.T, imp jsonImporter, data []byte) {
	path := filepath.Join(t.TempDir(), "f.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sink := &staging.MemorySink{}
	err := imp.Import(ctx, path, Options{}, sink, nil)
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hung on %q", data)
	}
	if err == nil {
		for _, tb := range sink.Tables {
			for _, r := range tb.Rows {
				if len(r.Cells) != len(tb.Spec.Columns) || len(r.Nulls) != len(r.Cells) {
					t.Fatalf("row with %d cells, %d nulls for %d columns", len(r.Cells), len(r.Nulls), len(tb.Spec.Columns))
				}
			}
		}
	}
}

// FuzzJSON: any bytes give rows or an error, never a panic or a hang.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{`[{"a":1,"b":{"c":[1,{"d":null}]}}]`, `{"p":[{"a":"x"}],"v":1}`, `[[1,2],[3]]`, `{"a":1}{"a":2}`, `[1,"x",null,true]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzJSON(t, jsonImporter{}, data) })
}

// FuzzNDJSON: the same for newline-delimited JSON.
func FuzzNDJSON(f *testing.F) {
	f.Add([]byte("{\"a\":1}\n{\"b\":[1]}\nbad\n"))
	f.Add([]byte("[1,2]\n\"x\"\n{}\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzJSON(t, jsonImporter{lines: true}, data) })
}
