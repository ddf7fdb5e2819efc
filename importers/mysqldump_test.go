package importers

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
)

// openDentalDump is shaped like what mysqldump writes for an Open Dental database: header
// comments, conditional comments, DROP/CREATE, LOCK/ALTER/INSERT/UNLOCK per table.
const openDentalDump = "-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n" +
	"--\n-- Host: localhost    Database: opendental\n" +
	"-- ------------------------------------------------------\n" +
	"/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n" +
	"/*!50503 SET NAMES utf8mb4 */;\n" +
	"SET @saved_cs_client     = @@character_set_client;\n" +
	"\n--\n-- Table structure for table `patient`\n--\n\n" +
	"DROP TABLE IF EXISTS `patient`;\n" +
	"/*!40101 SET character_set_client = utf8 */;\n" +
	"CREATE TABLE `patient` (\n" +
	"  `PatNum` bigint NOT NULL AUTO_INCREMENT,\n" +
	"  `LName` varchar(100) NOT NULL DEFAULT '',\n" +
	"  `FName` varchar(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL DEFAULT '',\n" +
	"  `Birthdate` date NOT NULL DEFAULT '0001-01-01',\n" +
	"  `Gender` tinyint unsigned NOT NULL DEFAULT '0',\n" +
	"  `EstBalance` double NOT NULL DEFAULT '0',\n" +
	"  `Notes` text,\n" +
	"  PRIMARY KEY (`PatNum`),\n" +
	"  KEY `indexLName` (`LName`(10)),\n" +
	"  CONSTRAINT `fk_x` FOREIGN KEY (`PatNum`) REFERENCES `other` (`id`)\n" +
	") ENGINE=MyISAM AUTO_INCREMENT=9 DEFAULT CHARSET=utf8mb4;\n" +
	"/*!40101 SET character_set_client = @saved_cs_client */;\n\n" +
	"LOCK TABLES `patient` WRITE;\n" +
	"/*!40000 ALTER TABLE `patient` DISABLE KEYS */;\n" +
	"INSERT INTO `patient` VALUES (1,'O\\'Neill','Seán','1980-04-13',0,12.50,'semi; colon, \"quoted\" and \\\\ backslash'),(2,'Smith','Ann','0001-01-01',1,-3.5,NULL),\n" +
	"(3,'It''s','Multi\\nLine\\r\\tTab','2001-02-03',2,0,'ctrl-Z:\\Z end');\n" +
	"INSERT INTO `patient` VALUES (4,'Zero\\0Byte','','1999-12-31',0,1e3,'');\n" +
	"/*!40000 ALTER TABLE `patient` ENABLE KEYS */;\n" +
	"UNLOCK TABLES;\n\n" +
	"DROP TABLE IF EXISTS `document`;\n" +
	"CREATE TABLE `document` (\n  `DocNum` bigint NOT NULL,\n  `PatNum` bigint NOT NULL,\n  `Thumbnail` blob,\n  `RawBase64` mediumtext,\n  PRIMARY KEY (`DocNum`)\n);\n" +
	"LOCK TABLES `document` WRITE;\n" +
	"INSERT INTO `document` VALUES (10,1,_binary '\\0\\'\xff\x01',NULL),(11,2,0x89504E47,'x'),(12,3,X'00ff',NULL),(13,3,'',NULL);\n" +
	"UNLOCK TABLES;\n" +
	"# a hash comment\n" +
	"CREATE TABLE `definition` (`DefNum` bigint NOT NULL, `ItemName` varchar(255));\n" +
	"DELIMITER ;;\n" +
	"/*!50003 CREATE*/ /*!50003 TRIGGER `t` BEFORE INSERT ON `patient` FOR EACH ROW BEGIN SET NEW.LName = 'x'; END */;;\n" +
	"DELIMITER ;\n" +
	"INSERT INTO appointment (AptNum, PatNum, AptStatus) VALUES (100, 1, 2), (101, 2, 5);\n" +
	"-- Dump completed on 2026-11-21 12:00:00\n"

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestMySQLDumpStagesEveryTableExactly(t *testing.T) {
	path := writeFile(t, "opendental.sql", openDentalDump)
	imp, err := Detect(path)
	if err != nil || imp.Format() != "mysqldump" {
		t.Fatalf("Detect = %v, %v; want mysqldump", imp, err)
	}
	sink, err := importForTest(t, mysqlDumpImporter{}, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tb := range sink.Tables {
		names = append(names, tb.Spec.Name)
		if !tb.Closed {
			t.Errorf("%s not closed", tb.Spec.Name)
		}
	}
	if want := []string{"patient", "document", "definition", "appointment"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("tables = %v, want %v", names, want)
	}

	pat := sink.Find("patient")
	if want := []string{"PatNum", "LName", "FName", "Birthdate", "Gender", "EstBalance", "Notes"}; !reflect.DeepEqual(pat.Spec.Columns, want) {
		t.Errorf("patient columns = %v, want %v", pat.Spec.Columns, want)
	}
	if pat.Spec.Source.Options["primary_key"] != "PatNum" || pat.Spec.Source.Format != "mysqldump" {
		t.Errorf("source = %+v", pat.Spec.Source)
	}
	type row struct {
		line  int64
		cells []string
		nulls []bool
		flags staging.Flag
	}
	no := make([]bool, 7)
	want := []row{
		{31, []string{"1", "O'Neill", "Seán", "1980-04-13", "0", "12.50", `semi; colon, "quoted" and \ backslash`}, no, 0},
		{31, []string{"2", "Smith", "Ann", "0001-01-01", "1", "-3.5", ""}, []bool{false, false, false, false, false, false, true}, 0},
		{32, []string{"3", "It's", "Multi\nLine\r\tTab", "2001-02-03", "2", "0", "ctrl-Z:\x1a end"}, no, 0},
		{33, []string{"4", "ZeroByte", "", "1999-12-31", "0", "1e3", ""}, no, staging.FlagNUL},
	}
	if len(pat.Rows) != len(want) {
		t.Fatalf("patient has %d rows, want %d", len(pat.Rows), len(want))
	}
	for i, w := range want {
		got := pat.Rows[i]
		if got.Line != w.line || !reflect.DeepEqual(got.Cells, w.cells) || !reflect.DeepEqual(got.Nulls, w.nulls) || got.Flags != w.flags {
			t.Errorf("patient row %d = line %d %q nulls %v flags %v;\nwant line %d %q nulls %v flags %v",
				i, got.Line, got.Cells, got.Nulls, got.Flags, w.line, w.cells, w.nulls, w.flags)
		}
	}
	if !hasIssue(pat.Issues, "nul_byte") {
		t.Errorf("no nul_byte issue: %+v", pat.Issues)
	}

	doc := sink.Find("document")
	wantDoc := [][]string{
		{"10", "1", b64("\x00'\xff\x01"), ""},
		{"11", "2", b64("\x89PNG"), "x"},
		{"12", "3", b64("\x00\xff"), ""},
		{"13", "3", "", ""},
	}
	for i, w := range wantDoc {
		if !reflect.DeepEqual(doc.Rows[i].Cells, w) {
			t.Errorf("document row %d = %q, want %q", i, doc.Rows[i].Cells, w)
		}
	}
	if !doc.Rows[0].Nulls[3] || doc.Rows[1].Nulls[3] || doc.Spec.Source.Options["blob_encoding"] != "base64" {
		t.Errorf("document nulls/options wrong: %v %v", doc.Rows[0].Nulls, doc.Spec.Source.Options)
	}
	if !hasIssue(doc.Issues, "binary") {
		t.Errorf("no binary issue: %+v", doc.Issues)
	}

	if def := sink.Find("definition"); len(def.Rows) != 0 || !reflect.DeepEqual(def.Spec.Columns, []string{"DefNum", "ItemName"}) {
		t.Errorf("definition = %+v", def)
	}
	apt := sink.Find("appointment")
	if !reflect.DeepEqual(apt.Spec.Columns, []string{"AptNum", "PatNum", "AptStatus"}) || len(apt.Rows) != 2 ||
		!reflect.DeepEqual(apt.Rows[1].Cells, []string{"101", "2", "5"}) || !hasIssue(apt.Issues, "no_create") {
		t.Errorf("appointment = %+v", apt)
	}
}

func hasIssue(is []staging.Issue, kind string) bool {
	for _, i := range is {
		if i.Kind == kind {
			return true
		}
	}
	return false
}

func TestMySQLDumpIntoAProjectFile(t *testing.T) {
	ctx := context.Background()
	p, err := project.Create(ctx, filepath.Join(t.TempDir(), "od.ferry"), project.Options{Actor: "Tess"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	path := writeFile(t, "opendental.sql", openDentalDump)
	if _, err := ImportFile(ctx, p, path, Options{}, nil); err != nil {
		t.Fatal(err)
	}
	st := staging.NewStager(p)
	page, err := st.Page(ctx, "patient", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 4 || page.Rows[0].Cells[1] != "O'Neill" || page.Rows[1].Nulls == nil || !page.Rows[1].Nulls[6] {
		t.Errorf("staged patient page = %+v", page)
	}
	doc, err := st.Page(ctx, "document", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Total != 4 || doc.Rows[1].Cells[2] != b64("\x89PNG") {
		t.Errorf("staged document page = %+v", doc)
	}
}

func TestMySQLDumpDamagedAndOdd(t *testing.T) {
	// cut short inside a string: the rows read are kept, the last flagged
	path := writeFile(t, "cut.sql", "CREATE TABLE t (a int, b text);\nINSERT INTO t VALUES (1,'ok'),(2,'unfinish")
	sink, err := importForTest(t, mysqlDumpImporter{}, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tb := sink.Find("t")
	if len(tb.Rows) != 2 || tb.Rows[1].Cells[1] != "unfinish" || tb.Rows[1].Flags&staging.FlagParse == 0 || !hasIssue(tb.Issues, "truncated") {
		t.Errorf("cut dump = %+v", tb)
	}
	// wrong widths
	path = writeFile(t, "w.sql", "CREATE TABLE t (a int, b text);\nINSERT INTO t VALUES (1),(2,'b','c');")
	sink, err = importForTest(t, mysqlDumpImporter{}, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tb = sink.Find("t")
	if tb.Rows[0].Flags&staging.FlagMissingCells == 0 || tb.Rows[1].Flags&staging.FlagExtraCells == 0 ||
		!reflect.DeepEqual(tb.Rows[1].Overflow, []string{"c"}) {
		t.Errorf("widths = %+v", tb.Rows)
	}
	// no statements at all: a clear error naming the file
	path = writeFile(t, "empty.sql", "-- nothing here\nSET x=1;\n")
	if _, err := importForTest(t, mysqlDumpImporter{}, path, Options{}); err == nil || !strings.Contains(err.Error(), "empty.sql") {
		t.Errorf("empty dump err = %v", err)
	}
	// only some tables
	path = writeFile(t, "od.sql", openDentalDump)
	sink, err = importForTest(t, mysqlDumpImporter{}, path, Options{Tables: []string{"document"}})
	if err != nil || len(sink.Tables) != 1 || sink.Tables[0].Spec.Name != "document" {
		t.Errorf("Tables filter: %v %+v", err, sink.Tables)
	}
}

// mysqlQuote writes s as mysqldump does.
func mysqlQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "'", `\'`, "\"", `\"`, "\n", `\n`, "\r", `\r`, "\x1a", `\Z`, "\x00", `\0`)
	return "'" + r.Replace(s) + "'"
}

func FuzzMySQLDump(f *testing.F) {
	f.Add([]byte(openDentalDump), "x")
	f.Add([]byte("INSERT INTO t VALUES (1,'a'),(2,"), "O'Brien \\ \"q\"")
	f.Add([]byte("CREATE TABLE `a``b` (`c` int);/*"), "\x1a\r\n")
	f.Fuzz(func(t *testing.T, data []byte, value string) {
		dir := t.TempDir()
		path := filepath.Join(dir, "fuzz.sql")
		os.WriteFile(path, data, 0o644)
		if _, err := importForTest(t, mysqlDumpImporter{}, path, Options{}); err != nil && !strings.Contains(err.Error(), "fuzz.sql") {
			t.Fatalf("error without the file name: %v", err)
		}
		// Any text written as mysqldump writes it comes back exactly.
		if !utf8.ValidString(value) || strings.ContainsRune(value, 0) {
			return
		}
		dump := "CREATE TABLE `t` (`id` int, `v` text);\nINSERT INTO `t` VALUES (1," + mysqlQuote(value) + "),(2,NULL);\n"
		os.WriteFile(path, []byte(dump), 0o644)
		sink, err := importForTest(t, mysqlDumpImporter{}, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		tb := sink.Find("t")
		if len(tb.Rows) != 2 || tb.Rows[0].Cells[1] != value || !tb.Rows[1].Nulls[1] {
			t.Fatalf("round trip of %q: %+v", value, tb.Rows)
		}
	})
}
