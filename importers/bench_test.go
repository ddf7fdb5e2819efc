package importers

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
)

// writePatientsCSV writes a patient-like export of n rows: Open Dental's columns, leading zeros,
// blanks, quoted addresses with commas, '0001-01-01' birthdates, a few accents.
func writePatientsCSV(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("PatNum,LName,FName,MiddleI,Birthdate,Gender,PatStatus,Address,City,State,Zip,HmPhone,WirelessPhone,Email,Guarantor,Balance\r\n")
	last := []string{"Smith", "Jones", "O'Brien", "Müller", "García", "Nguyen", "Brontë", "Kowalski"}
	first := []string{"Ann", "Bob", "Zoë", "Seán", "Li", "Maria", "John", "Émile"}
	city := []string{"Springfield", "Shelbyville", "Ogdenville", "North Haverbrook"}
	buf := make([]byte, 0, 256)
	for i := 1; i <= n; i++ {
		buf = buf[:0]
		buf = strconv.AppendInt(buf, int64(i), 10)
		buf = append(buf, ',')
		buf = append(buf, last[i%len(last)]...)
		buf = append(buf, ',')
		buf = append(buf, first[(i/7)%len(first)]...)
		buf = append(buf, ',')
		if i%3 == 0 {
			buf = append(buf, 'Q')
		}
		buf = append(buf, ',')
		if i%50 == 0 {
			buf = append(buf, "0001-01-01"...)
		} else {
			buf = fmt.Appendf(buf, "19%02d-%02d-%02d", i%100, i%12+1, i%28+1)
		}
		buf = fmt.Appendf(buf, ",%d,%d,", i%3, i%4)
		if i%10 == 0 {
			buf = fmt.Appendf(buf, "\"%d Main St, Apt %d\"", i%9999, i%40)
		} else {
			buf = fmt.Appendf(buf, "%d Oak Avenue", i%9999)
		}
		buf = fmt.Appendf(buf, ",%s,MA,%05d,(555) %03d-%04d,", city[i%len(city)], (i*7)%100000, i%1000, i%10000)
		if i%5 != 0 {
			buf = fmt.Appendf(buf, "555-%04d", (i*3)%10000)
		}
		buf = fmt.Appendf(buf, ",patient%d@example.org,%d,%d.%02d\r\n", i, i-i%4, i%900, i%100)
		w.Write(buf)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// benchRows is the benchmark's file size; FERRY_BENCH_ROWS overrides it.
func benchRows() int {
	if n, err := strconv.Atoi(os.Getenv("FERRY_BENCH_ROWS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// TestWriteBenchCSV writes the benchmark's file where FERRY_BENCH_CSV says, to compare by hand
// with sqlite3's .import (see docs/bench-import.md).
func TestWriteBenchCSV(t *testing.T) {
	path := os.Getenv("FERRY_BENCH_CSV")
	if path == "" {
		t.Skip("set FERRY_BENCH_CSV=path to write the benchmark file")
	}
	if err := writePatientsCSV(path, benchRows()); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkImportCSV stages a 1M-row patient export into a new .ferry file: detection, parsing,
// hashing, the Stager's inserts and the commit.
func BenchmarkImportCSV(b *testing.B) {
	path := os.Getenv("FERRY_BENCH_CSV")
	if path == "" {
		path = filepath.Join(b.TempDir(), "patients.csv")
		if err := writePatientsCSV(path, benchRows()); err != nil {
			b.Fatal(err)
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	ctx := context.Background()
	var rows int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		p, err := project.Create(ctx, filepath.Join(dir, "bench.ferry"), project.Options{Actor: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := ImportFile(ctx, p, path, Options{}, nil)
		if err != nil {
			b.Fatal(err)
		}
		rows = res.Tables[0].Rows
		b.StopTimer()
		p.Close()
		os.RemoveAll(dir)
		b.StartTimer()
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkParseCSV is the parser alone, into a sink that drops rows.
func BenchmarkParseCSV(b *testing.B) {
	path := filepath.Join(b.TempDir(), "patients.csv")
	if err := writePatientsCSV(path, 200_000); err != nil {
		b.Fatal(err)
	}
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := (csvImporter{}).Import(context.Background(), path, Options{}, csvDiscardSink{}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

type csvDiscardSink struct{}

func (csvDiscardSink) Table(context.Context, staging.TableSpec) (staging.TableWriter, error) {
	return csvDiscardSink{}, nil
}
func (csvDiscardSink) Write(staging.Row) error { return nil }
func (csvDiscardSink) Issue(staging.Issue)     {}
func (csvDiscardSink) Close() error            { return nil }
