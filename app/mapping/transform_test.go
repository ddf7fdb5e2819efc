package mapping

import (
	"testing"

	"github.com/ferry-migrate/ferry/app/target"
)

func TestParseDateReadsWhatItCanAndNeverGuessesTheOrder(t *testing.T) {
	for _, tc := range []struct {
		in, order, want, kind string
	}{
		{"2020-04-03", "", "2020-04-03", ""},
		{"2020/4/3", "", "2020-04-03", ""},
		{"20200403", "", "2020-04-03", ""},
		{"13/04/2020", "", "2020-04-13", ""},          // only day-first fits
		{"04/13/2020", "", "2020-04-13", ""},          // only month-first fits
		{"04/04/2020", "", "2020-04-04", ""},          // the same either way
		{"03/04/2020", "", "", KindAmbiguousDate},     // a person must say
		{"03/04/2020", OrderDMY, "2020-04-03", ""},    // and then it is no guess
		{"03/04/2020", OrderMDY, "2020-03-04", ""},    //
		{"13/04/2020", OrderMDY, "", KindBadDate},     // month 13
		{"03/04/20", OrderDMY, "", KindAmbiguousDate}, // 1920 or 2020?
		{"3 Apr 2020", "", "2020-04-03", ""},          //
		{"April 3, 2020", "", "2020-04-03", ""},       //
		{"31/02/2020", OrderDMY, "", KindBadDate},     // no such day
		{"00/00/0000", "", "", KindBadDate},           // a placeholder
		{"0001-01-01", "", "", KindBadDate},           // a placeholder
		{"N/A", "", "", KindBadDate},                  //
		{"03/04/2020", OrderYMD, "", KindBadDate},     // not year-first
		{"2020/04/03", OrderISO, "", KindBadDate},     // not ISO
		{"2020-04-03T16:17:47Z", OrderISO, "2020-04-03", ""},
	} {
		d, err := ParseDate(tc.in, tc.order)
		switch {
		case tc.kind != "":
			if err == nil || err.Kind != tc.kind {
				t.Errorf("ParseDate(%q, %q) = %v, %v; want a %s error", tc.in, tc.order, d, err, tc.kind)
			}
		case err != nil:
			t.Errorf("ParseDate(%q, %q): %v", tc.in, tc.order, err)
		case d.Time().Format("2006-01-02") != tc.want:
			t.Errorf("ParseDate(%q, %q) = %s; want %s", tc.in, tc.order, d.Time().Format("2006-01-02"), tc.want)
		}
	}
	d, err := ParseDate("02/04/2012 1:30 PM", OrderDMY)
	if err != nil || !d.HasTime || d.Time().Format("2006-01-02T15:04") != "2012-04-02T13:30" {
		t.Errorf("date and time: %v %v", d, err)
	}
}

func chain(t *testing.T, f target.Field, sources []string, steps ...Step) *Chain {
	t.Helper()
	c, err := Compile(FieldMap{Field: f.Name, Sources: sources, Steps: steps}, f, nil, "US")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestChainsTurnOldValuesIntoTheFieldsFormat(t *testing.T) {
	start := target.Field{Name: "start", Type: target.DateTime, Format: "YYYY-MM-DDThh:mm:ss"}
	c := chain(t, start, []string{"Date", "Time"}, Step{Op: OpTrim}, Step{Op: OpConcat, Sep: " "}, Step{Op: OpDate, From: OrderDMY})
	if v, err := c.Run([]string{" 02/04/2012", "13:00 "}); err != nil || v != "2012-04-02T13:00:00" || c.Check(v) != nil {
		t.Errorf("date + time: %q %v", v, err)
	}
	if _, err := c.Run([]string{"02/04/2012", ""}); err == nil || err.Kind != KindBadDate {
		t.Errorf("a date-time without a time of day: %v", err)
	}

	given := target.Field{Name: "given", Type: target.Text, MaxLength: 10}
	c = chain(t, given, []string{"LastName"}, Step{Op: OpSplit, Sep: ",", Part: 2}, Step{Op: OpCase, Mode: "name"})
	if v, _ := c.Run([]string{"O'NEILL, MARY-ANNE"}); v != "Mary-Anne" {
		t.Errorf("split and name case: %q", v)
	}
	if err := c.Check("Mary-Anne Elizabeth"); err == nil || err.Kind != KindTooLong {
		t.Errorf("max length: %v", err)
	}

	gender := target.Field{Name: "gender", Type: target.Code, Values: []string{"male", "female", "other", "unknown"}}
	c = chain(t, gender, []string{"Gender"}, Step{Op: OpTrim}, Step{Op: OpValueMap, Map: map[string]string{"M": "male", "F": "female"}})
	if v, err := c.Run([]string{"F "}); err != nil || v != "female" {
		t.Errorf("value map: %q %v", v, err)
	}
	if _, err := c.Run([]string{"X"}); err == nil || err.Kind != KindUnmappedValue {
		t.Errorf("an unmapped value: %v", err)
	}
	if v, err := c.Run([]string{""}); err != nil || v != "" || c.Check(v) != nil {
		t.Errorf("blank stays blank: %q %v", v, err)
	}
	if err := c.Check("Male"); err == nil || err.Kind != KindNotInList {
		t.Errorf("not in list: %v", err)
	}

	phone := target.Field{Name: "phone", Type: target.Phone, Format: target.PhoneE164}
	c = chain(t, phone, []string{"Phone"}, Step{Op: OpTrim}, Step{Op: OpPhone})
	if v, err := c.Run([]string{"1-508-821-5463"}); err != nil || v != "+15088215463" || c.Check(v) != nil {
		t.Errorf("phone: %q %v", v, err)
	}
	if _, err := c.Run([]string{"555-01"}); err == nil || err.Kind != KindBadPhone {
		t.Errorf("bad phone: %v", err)
	}
	if err := c.Check("(508) 821-5463"); err == nil || err.Kind != KindBadPhone {
		t.Errorf("a phone not in E.164 without a phone step: %v", err)
	}

	money := target.Field{Name: "amount", Type: target.Money, Required: true}
	c = chain(t, money, []string{"Amount"}, Step{Op: OpNumber, Mode: "money"})
	for in, want := range map[string]string{"$1,234.5": "1234.50", "(12.00)": "-12.00", "95": "95.00", " -$3.10 ": "-3.10"} {
		if v, err := c.Run([]string{in}); err != nil || v != want {
			t.Errorf("money %q = %q %v; want %s", in, v, err, want)
		}
	}
	for _, in := range []string{"n/a", "TBD", "1.005"} {
		if _, err := c.Run([]string{in}); err == nil || err.Kind != KindBadNumber {
			t.Errorf("money %q: %v", in, err)
		}
	}
	if err := c.Check(""); err == nil || err.Kind != KindRequiredMissing {
		t.Errorf("required: %v", err)
	}

	status := target.Field{Name: "status", Type: target.Code, Values: []string{"issued"}}
	c = chain(t, status, nil, Step{Op: OpConstant, Value: "issued"})
	if v, err := c.Run(nil); err != nil || v != "issued" {
		t.Errorf("constant: %q %v", v, err)
	}
	c = chain(t, target.Field{Name: "x", Type: target.Text}, []string{"a"}, Step{Op: OpRegex, Pattern: `\s+`, Replace: "@"}, Step{Op: OpDefault, Value: "none"})
	if v, _ := c.Run([]string{"ann gmail.com"}); v != "ann@gmail.com" {
		t.Errorf("regex: %q", v)
	}
	if v, _ := c.Run([]string{""}); v != "none" {
		t.Errorf("default: %q", v)
	}
	if err := CheckValue(target.Field{Name: "e", Type: target.Email}, "jesse@me", "US"); err == nil || err.Kind != KindBadEmail {
		t.Errorf("email: %v", err)
	}
	if err := CheckValue(target.Field{Name: "b", Type: target.Boolean, Format: "Y/N"}, "true", "US"); err == nil || err.Kind != KindBadBoolean {
		t.Errorf("boolean: %v", err)
	}
}

func TestStepsAreCheckedBeforeTheyRun(t *testing.T) {
	f := target.Field{Name: "birthDate", Type: target.Date}
	for _, s := range []Step{
		{Op: "shell", Value: "rm -rf /"},
		{Op: OpRegex, Pattern: "(unclosed"},
		{Op: OpDate, From: "DYM"},
		{Op: OpCase, Mode: "sarcastic"},
		{Op: OpSplit, Sep: ","},
		{Op: OpPhone, Region: "usa"},
	} {
		if _, err := Compile(FieldMap{Field: f.Name, Sources: []string{"a"}, Steps: []Step{s}}, f, nil, ""); err == nil {
			t.Errorf("%+v was accepted", s)
		}
	}
}

func TestNameCase(t *testing.T) {
	for in, want := range map[string]string{
		"O'NEILL":              "O'Neill",
		"mcdonald-smith":       "McDonald-Smith",
		"LUDWIG VAN BEETHOVEN": "Ludwig van Beethoven",
		"DeVries":              "DeVries",
		"JOHN SMITH III":       "John Smith III",
		"ZOË NGUYEN":           "Zoë Nguyen",
	} {
		if got := NameCase(in); got != want {
			t.Errorf("NameCase(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestSuggestValueFoldsCaseAndKnowsSpellings(t *testing.T) {
	d, err := target.Synonyms()
	if err != nil {
		t.Fatal(err)
	}
	status := target.Field{Name: "status", Type: target.Code, Values: []string{"proposed", "pending", "booked", "arrived",
		"fulfilled", "cancelled", "noshow", "entered-in-error", "checked-in", "waitlist"}}
	for _, tc := range []struct {
		in, want string
		certain  bool
	}{
		{"booked", "booked", true},
		{"NO-SHOW", "noshow", true},
		{"Checked in", "checked-in", true},
		{"Completed", "fulfilled", true},
		{"Canceled", "cancelled", true},
		{"Sched", "booked", true},
		{"Confirmed via carrier pigeon", "booked", false}, // a first word fits: a person looks
		{"Snow day", "", false},
	} {
		to, conf, _ := SuggestValue(d, status, tc.in)
		if to != tc.want || (conf >= CertainThreshold) != tc.certain {
			t.Errorf("%q → %q (%.2f); want %q certain=%v", tc.in, to, conf, tc.want, tc.certain)
		}
	}
	active := target.Field{Name: "active", Type: target.Boolean, Format: "Y/N"}
	if to, conf, _ := SuggestValue(d, active, "Inactive"); to != "N" || conf < CertainThreshold {
		t.Errorf("boolean Y/N: %q %.2f", to, conf)
	}
}
