package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// role is the one planted defect a generated person carries. Roles are exclusive, so a row never
// holds two defects by accident and every count stays simple to state.
type role int

const (
	roleNormal role = iota
	roleExactDup
	roleKeyCollision
	roleFuzzy
	roleLastFirst
	rolePlaceholder
	roleImpossible
	roleBadPhone
	roleBadEmail
	roleEmailTypo
	roleZip4
	roleUntrimmedCity
	roleBalanceText
	roleGap // forced only: a deleted patient, with orphaned rows, just before this person
	numRoles
)

// Share of people carrying each role (about 13%).
var roleRates = [numRoles]float64{
	roleExactDup: 0.010, roleKeyCollision: 0.005, roleFuzzy: 0.010, roleLastFirst: 0.005,
	rolePlaceholder: 0.015, roleImpossible: 0.0075, roleBadPhone: 0.015, roleBadEmail: 0.010,
	roleEmailTypo: 0.010, roleZip4: 0.030, roleUntrimmedCity: 0.010, roleBalanceText: 0.0075,
}

const (
	birthSpan      = 34000 // birth dates: 1 to ~94 years before the reference date
	gapRate        = 0.008 // patient ids skipped (deleted patients)
	gapOrphanRate  = 0.6   // deleted patients who left rows behind
	futureDOBShift = 36600 // days added for a "future" birth date
	oldDOBShift    = 45000 // days taken for a "born before 1906" birth date
)

var (
	placeholderDates = []string{"", "0001-01-01", "N/A", "00/00/0000"}
	badPhones        = []string{"123", "555-01", "n/a", "(617) 123-4567", "617-555-012", "000-000-0000", "555-1234"}
	moneyTexts       = []string{"n/a", "TBD"}
	paymentTexts     = []string{"see EOB", "n/a"}
	testNames        = [][2]string{{"TEST", "PATIENT"}, {"Mouse", "Mickey"}, {"ZZTEST", "Zztest"}, {"Duck", "Donald"},
		{"Test", "Test"}, {"DO NOT USE", "Test"}, {"Testpatient", "Demo"}, {"Mouse", "Minnie"}}
)

const (
	dobISO = iota
	dobMDY
	dobPlaceholder
)

type person struct {
	last, first, middle string
	female              bool
	dob                 int // days since 1970-01-01
	phone               string
	phoneShape          int
	emailShape          int // -1: no e-mail
	emailDomain         string
	street              string
	city, state, zip    string
	status              string
	balance             int64
	created             int
	notes               string
}

type patientRow struct {
	f                                                  [16]string
	dobFmt, dobD, dobM                                 int
	impossible, typo                                   string
	badPhone, badEmail, lastFirst, zip4, untrimmedCity bool
	test                                               bool
	balance                                            money
}

type money struct {
	text          string
	cents         int64
	ok, formatted bool
}

type moneyAcc struct {
	sum                           int64
	parsed, formatted, nonNumeric int
}

type dupGroup struct {
	rows  []int
	exact bool
}

type pending struct {
	due  int
	emit func()
}

type gen struct {
	ctx context.Context
	cfg Config
	r   *rand.Rand
	ref int
	m   *Manifest

	tabs                           []*table
	pat, prov, appt, inv, pay, rec *table

	providerIDs                                     []string
	nextPatient, nextAppt, nextInv, nextPay, nextRc int

	personSeq, pA, pB, pM uint64
	phoneSeq, hA, hB, hM  uint64
	exchanges             []int
	pending               []pending
	statusSeen            map[string]int
	statusCounts          map[string]int
	dupGroups             []*dupGroup
	clusters              [][]string
	mixISO, mixMDY        int
	birthAmb, apptAmb     [3]int // ambiguous, same_day_month, proves_order
	money                 [3]moneyAcc
	missing               [3]string         // last missing parent id written per orphan defect
	step                  int               // index of the person being generated
	folds                 map[string]string // asciiFold results by name

	exact, dupKey, fuzzy, lastFirst, dateMixed, birthAmbD, apptAmbD, placeholder, impossible,
	badPhone, badEmail, typo, zip4, orphanAppt, orphanInv, orphanPay, picklist, untrimCity,
	untrimStatus, moneyBal, moneyInv, moneyPay, tests *Defect
	defects []*Defect
}

func newGen(ctx context.Context, dir string, cfg Config) (*gen, error) {
	g := &gen{
		ctx: ctx, cfg: cfg,
		r:            rand.New(rand.NewPCG(cfg.Seed, 0x4861726272)),
		ref:          int(ReferenceDate.Unix() / 86400),
		statusSeen:   map[string]int{},
		statusCounts: map[string]int{},
		folds:        map[string]string{},
		nextPatient:  1001, nextAppt: 50001, nextInv: 1, nextPay: 700001, nextRc: 1,
	}
	g.m = &Manifest{
		Generator: "ferry demo 1", Practice: PracticeName, Seed: cfg.Seed, Patients: cfg.Patients,
		ReferenceDate: ReferenceDate.Format("2006-01-02"),
		Files: []File{
			{Name: "patients.csv", Table: "patients", Encoding: "windows-1252", Columns: []string{"PatientID", "LastName", "FirstName", "MiddleInitial", "BirthDate", "Gender", "Phone", "Email", "Address", "City", "State", "Zip", "Status", "Balance", "Notes", "CreatedDate"}},
			{Name: "providers.csv", Table: "providers", Encoding: "utf-8", Columns: []string{"ProviderID", "LastName", "FirstName", "Credentials", "Specialty", "NPI", "Phone", "Email", "Active"}},
			{Name: "appointments.csv", Table: "appointments", Encoding: "utf-8", Columns: []string{"AppointmentID", "PatientID", "ProviderID", "Date", "Time", "Duration", "Status", "Notes"}},
			{Name: "invoices.csv", Table: "invoices", Encoding: "utf-8", BOM: true, Columns: []string{"InvoiceID", "PatientID", "AppointmentID", "Date", "ProcedureCode", "Description", "Amount"}},
			{Name: "payments.csv", Table: "payments", Encoding: "utf-8", Columns: []string{"PaymentID", "PatientID", "InvoiceID", "Date", "Amount", "Method"}},
			{Name: "recalls.csv", Table: "recalls", Encoding: "utf-8", Columns: []string{"RecallID", "PatientID", "RecallType", "IntervalMonths", "DueDate", "Status"}},
		},
		Tables: []Table{
			{Name: "patients", Key: "PatientID"},
			{Name: "providers", Key: "ProviderID"},
			{Name: "appointments", Key: "AppointmentID", Relationships: []Relationship{{"PatientID", "patients", "PatientID"}, {"ProviderID", "providers", "ProviderID"}}},
			{Name: "invoices", Key: "InvoiceID", Relationships: []Relationship{{"PatientID", "patients", "PatientID"}, {"AppointmentID", "appointments", "AppointmentID"}}},
			{Name: "payments", Key: "PaymentID", Relationships: []Relationship{{"PatientID", "patients", "PatientID"}, {"InvoiceID", "invoices", "InvoiceID"}}},
			{Name: "recalls", Key: "RecallID", Relationships: []Relationship{{"PatientID", "patients", "PatientID"}}},
		},
	}
	for i := range g.m.Files {
		t, err := newTable(dir, &g.m.Files[i])
		if err != nil {
			g.close()
			return nil, err
		}
		g.tabs = append(g.tabs, t)
	}
	g.pat, g.prov, g.appt, g.inv, g.pay, g.rec = g.tabs[0], g.tabs[1], g.tabs[2], g.tabs[3], g.tabs[4], g.tabs[5]

	// Every person is a distinct point of (birth date × last name), visited in a scrambled order
	// by an affine permutation: no two generated people share both, so only planted clusters
	// look like the same person.
	g.pM = birthSpan * uint64(len(lastNames))
	if uint64(cfg.Patients)*11/10+1000 > g.pM {
		g.close()
		return nil, fmt.Errorf("too many patients for the name pool (%d)", cfg.Patients)
	}
	g.pA, g.pB = g.affine(g.pM)
	for ex := 200; ex <= 999; ex++ {
		if ex%100 != 11 && ex != 555 {
			g.exchanges = append(g.exchanges, ex)
		}
	}
	g.hM = uint64(len(areaCodes)*len(g.exchanges)) * 10000 // phones are unique the same way
	g.hA, g.hB = g.affine(g.hM)

	d := func(kind, table, column, note string) *Defect {
		x := &Defect{Kind: kind, Table: table, Column: column, Note: note}
		g.defects = append(g.defects, x)
		return x
	}
	g.exact = d(KindDuplicateExact, "patients", "", "rows identical in every column to an earlier row; count = rows beyond the first of each group; groups = record numbers")
	g.dupKey = d(KindDuplicateKey, "patients", "PatientID", "rows whose PatientID appeared earlier; count = rows beyond the first per PatientID, exact duplicates included; groups = record numbers")
	g.fuzzy = d(KindDuplicateFuzzy, "patients", "", "different PatientIDs, same birth date, same folded last name and folded first names within one edit (fold: lower case, no accents, letters only; 'Last, First' in LastName with blank FirstName is read as last/first); test records, placeholder and unparseable birth dates never match; count = rows beyond the first per cluster")
	g.lastFirst = d(KindNameLastFirst, "patients", "LastName", "LastName holds 'Last, First' (a comma) and FirstName is blank")
	g.dateMixed = d(KindDateMixed, "patients", "BirthDate", "values per format, placeholders excluded; count = values not in the majority format")
	g.birthAmbD = d(KindDateAmbiguous, "patients", "BirthDate", "slash dates whose first two parts are both <= 12 and differ; values.same_day_month = equal parts (same date either way), values.proves_order = parts that only fit the true order")
	g.apptAmbD = d(KindDateAmbiguous, "appointments", "Date", "slash dates whose first two parts are both <= 12 and differ; values.same_day_month = equal parts (same date either way), values.proves_order = parts that only fit the true order")
	g.placeholder = d(KindPlaceholder, "patients", "BirthDate", "values standing for unknown: blank, 0001-01-01, N/A, 00/00/0000; values = rows per placeholder")
	g.impossible = d(KindDateImpossible, "patients", "BirthDate", "real dates after the reference date (future) or more than 120 years before it (over_120); placeholders excluded")
	g.badPhone = d(KindInvalidPhone, "patients", "Phone", "non-blank values libphonenumber does not accept as valid for region US; blanks are missing, not invalid")
	g.badEmail = d(KindInvalidEmail, "patients", "Email", "non-blank values that are not local@domain.tld: exactly one @, no spaces or commas, a dot in the domain and a letters-only TLD of 2+; blanks are missing")
	g.typo = d(KindEmailTypo, "patients", "Email", "well-formed addresses at a misspelled provider domain; values = rows per domain, mapping = intended domain")
	g.zip4 = d(KindZipLeadingZero, "patients", "Zip", "4-digit ZIP codes: 5-digit ZIPs that lost their leading 0")
	g.orphanAppt = d(KindOrphan, "appointments", "PatientID", "rows whose PatientID is not any patients.PatientID; missing = distinct missing ids")
	g.orphanInv = d(KindOrphan, "invoices", "PatientID", "rows whose PatientID is not any patients.PatientID; missing = distinct missing ids")
	g.orphanPay = d(KindOrphan, "payments", "PatientID", "rows whose PatientID is not any patients.PatientID; missing = distinct missing ids")
	g.picklist = d(KindPicklistFreetext, "appointments", "Status", "count = distinct raw values (byte-exact, spaces kept); values = rows per raw value; mapping = raw value to one of scheduled, confirmed, arrived, completed, no_show, cancelled_by_patient, cancelled_by_practice, rescheduled")
	g.untrimCity = d(KindUntrimmed, "patients", "City", "values with leading or trailing spaces")
	g.untrimStatus = d(KindUntrimmed, "appointments", "Status", "values with leading or trailing spaces")
	const moneyNote = "non-blank values that do not parse as money (optional '-', optional '$', digits with optional thousands commas, '.', two digits); values = rows per text"
	g.moneyBal = d(KindMoneyText, "patients", "Balance", moneyNote)
	g.moneyInv = d(KindMoneyText, "invoices", "Amount", moneyNote)
	g.moneyPay = d(KindMoneyText, "payments", "Amount", moneyNote)
	g.tests = d(KindTestRecord, "patients", "", "test patients: folded first or last name contains 'test', or the name is Mickey Mouse, Minnie Mouse or Donald Duck")
	return g, nil
}

// affine picks a, b for x = (a*i + b) mod m, a permutation of [0, m) because gcd(a, m) = 1.
func (g *gen) affine(m uint64) (a, b uint64) {
	for {
		a = m/3 + g.r.Uint64N(m/3)
		if gcd(a, m) == 1 {
			return a, g.r.Uint64N(m)
		}
	}
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func (g *gen) close() error {
	var first error
	for _, t := range g.tabs {
		if err := t.close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (g *gen) run() (*Manifest, error) {
	g.providers()
	n := g.cfg.Patients
	k := int(numRoles) - 1
	forced := map[int]role{}
	if n >= 3*k {
		for r := 1; r <= k; r++ {
			forced[(2*(r-1)+1)*n/(2*k)] = role(r)
		}
	}
	nTests := 6 + n/100000
	nextTest := 0
	testPos := func(t int) int { return (t + 1) * n / (nTests + 1) }
	for i := range n {
		if i%1024 == 0 {
			if err := g.ctx.Err(); err != nil {
				return nil, err
			}
		}
		g.step = i
		g.flush(i)
		for nextTest < nTests && i >= testPos(nextTest) {
			g.testRecord(nextTest)
			nextTest++
		}
		r, ok := forced[i]
		if !ok {
			r = g.randomRole()
		}
		if r == roleGap {
			g.gap(true)
			r = roleNormal
		}
		g.emitPerson(r)
	}
	g.flush(-1)
	for ; nextTest < nTests; nextTest++ {
		g.testRecord(nextTest)
	}
	for _, t := range g.tabs {
		if t.err != nil {
			return nil, t.err
		}
	}
	return g.finish(), nil
}

func (g *gen) randomRole() role {
	u := g.r.Float64()
	for r := role(1); r < numRoles; r++ {
		if u < roleRates[r] {
			return r
		}
		u -= roleRates[r]
	}
	return roleNormal
}

// later queues rows the old system created after this one (duplicate charts, re-keyed records).
func (g *gen) later(delay int, emit func()) {
	due := g.step + delay
	i := len(g.pending)
	for i > 0 && g.pending[i-1].due > due {
		i--
	}
	g.pending = slices.Insert(g.pending, i, pending{due, emit})
}

// flush emits pending rows due by now (all of them for now < 0).
func (g *gen) flush(now int) {
	for len(g.pending) > 0 && (now < 0 || g.pending[0].due <= now) {
		p := g.pending[0]
		g.pending = g.pending[1:]
		p.emit()
	}
}

// newPatientID hands out the next id, sometimes skipping ids of patients deleted long ago –
// whose appointments, invoices and payments may still be in the export.
func (g *gen) newPatientID() string {
	for g.r.Float64() < gapRate {
		g.gap(false)
	}
	id := g.nextPatient
	g.nextPatient++
	return strconv.Itoa(id)
}

func (g *gen) gap(full bool) {
	id := strconv.Itoa(g.nextPatient)
	g.nextPatient++
	if !full && g.r.Float64() >= gapOrphanRate {
		return
	}
	created := g.ref - 400 - g.r.IntN(3000)
	k := 1 + g.r.IntN(3)
	for j := range k {
		d := created + g.r.IntN(g.ref-created)
		c := g.pastStatus()
		if full && j == 0 {
			c = "completed"
		}
		aid := g.writeAppointment(id, d, c, true)
		if c == "completed" {
			g.billing(id, aid, d, true, full && j == 0)
		}
	}
}

func (g *gen) person() person {
	j := g.personSeq
	g.personSeq++
	x := (g.pA*j + g.pB) % g.pM
	nL := uint64(len(lastNames))
	p := person{last: lastNames[x%nL], dob: g.ref - 365 - int(x/nL)}
	p.female = g.r.IntN(2) == 0
	if p.female {
		p.first = femaleNames[g.r.IntN(len(femaleNames))]
	} else {
		p.first = maleNames[g.r.IntN(len(maleNames))]
	}
	if g.r.Float64() < 0.55 {
		p.middle = string(rune('A' + g.r.IntN(26)))
	}
	if g.r.Float64() < 0.9 {
		p.phone = g.phone()
	}
	p.phoneShape = pick(g.r, []int{35, 25, 10, 15, 10, 5})
	p.emailShape = -1
	if g.r.Float64() < 0.7 {
		p.emailShape = g.r.IntN(4)
		p.emailDomain = emailDomains[g.r.IntN(len(emailDomains))]
	}
	p.street = strconv.Itoa(1+g.r.IntN(400)) + " " + streets[g.r.IntN(len(streets))]
	switch u := g.r.Float64(); {
	case u < 0.08:
		p.street += ", Apt " + strconv.Itoa(1+g.r.IntN(30))
	case u < 0.11:
		p.street += ", Unit " + strconv.Itoa(1+g.r.IntN(9)) + string(rune('A'+g.r.IntN(4)))
	case u < 0.13:
		p.street = "PO Box " + strconv.Itoa(100+g.r.IntN(9000))
	}
	g.setPlace(&p, false)
	switch u := g.r.Float64(); {
	case u < 0.8:
		p.status = "Active"
	case u < 0.95:
		p.status = "Inactive"
	default:
		p.status = "Archived"
	}
	switch u := g.r.Float64(); {
	case u < 0.20:
		p.balance = int64(500 + g.r.IntN(250000))
	case u < 0.25:
		p.balance = -int64(500 + g.r.IntN(30000))
	}
	start := max(p.dob, dayOf(2008, 1, 1))
	p.created = start + g.r.IntN(max(1, g.ref-30-start))
	if g.r.Float64() < 0.25 {
		p.notes = patientNotes[g.r.IntN(len(patientNotes))]
		if strings.Contains(p.notes, "{f}") {
			p.notes = strings.ReplaceAll(p.notes, "{f}", femaleNames[g.r.IntN(len(femaleNames))])
		}
	}
	return p
}

func (g *gen) setPlace(p *person, leadingZero bool) {
	total := 0
	for _, pl := range places {
		if !leadingZero || pl.zips[0][0] == '0' {
			total += pl.weight
		}
	}
	u := g.r.IntN(total)
	for _, pl := range places {
		if leadingZero && pl.zips[0][0] != '0' {
			continue
		}
		if u < pl.weight {
			p.city, p.state, p.zip = pl.city, pl.state, pl.zips[g.r.IntN(len(pl.zips))]
			return
		}
		u -= pl.weight
	}
}

// phone returns a valid, never-before-used US number as 10 digits.
func (g *gen) phone() string {
	x := (g.hA*g.phoneSeq + g.hB) % g.hM
	g.phoneSeq++
	line := x % 10000
	x /= 10000
	ex := g.exchanges[x%uint64(len(g.exchanges))]
	area := areaCodes[x/uint64(len(g.exchanges))]
	return fmt.Sprintf("%03d%03d%04d", area, ex, line)
}

func shapePhone(d string, shape int) string {
	a, e, l := d[:3], d[3:6], d[6:]
	switch shape {
	case 0:
		return "(" + a + ") " + e + "-" + l
	case 1:
		return a + "-" + e + "-" + l
	case 2:
		return a + "." + e + "." + l
	case 3:
		return d
	case 4:
		return "+1 " + a + " " + e + " " + l
	default:
		return "1-" + a + "-" + e + "-" + l
	}
}

// asciiFold caches the package function: names repeat, and folding runs a transform chain.
func (g *gen) asciiFold(s string) string {
	f, ok := g.folds[s]
	if !ok {
		f = asciiFold(s)
		g.folds[s] = f
	}
	return f
}

func (g *gen) emailLocal(p *person, id string) string {
	f, l := g.asciiFold(p.first), g.asciiFold(p.last)
	switch p.emailShape {
	case 0:
		return f + "." + l + id
	case 1:
		return f[:1] + l + id
	case 2:
		return l + "." + f + id
	default:
		return f + id
	}
}

// render turns a person into a patients.csv row with the ordinary, defect-free shapes.
func (g *gen) render(p *person, id string) *patientRow {
	row := &patientRow{}
	f := &row.f
	f[0], f[1], f[2], f[3] = id, p.last, p.first, p.middle
	g.setDOB(row, p.dob)
	switch u := g.r.Float64(); {
	case u < 0.9 && p.female:
		f[5] = "F"
	case u < 0.9:
		f[5] = "M"
	}
	if p.phone != "" {
		f[6] = shapePhone(p.phone, p.phoneShape)
	}
	if p.emailShape >= 0 {
		f[7] = g.emailLocal(p, id) + "@" + p.emailDomain
	}
	f[8], f[9], f[10], f[11], f[12] = p.street, p.city, p.state, p.zip, p.status
	row.balance = g.moneyShape(p.balance, 0.15)
	f[13] = row.balance.text
	f[14] = p.notes
	f[15] = iso(p.created)
	return row
}

func (g *gen) setDOB(row *patientRow, d int) {
	y, m, dd := civil(d)
	row.dobD, row.dobM = dd, m
	if g.r.Float64() < 0.7 {
		row.dobFmt = dobISO
		row.f[4] = iso(d)
	} else {
		row.dobFmt = dobMDY
		row.f[4] = two(m) + "/" + two(dd) + "/" + strconv.Itoa(y)
	}
}

func (g *gen) moneyShape(c int64, formatted float64) money {
	if c > 0 && g.r.Float64() < formatted {
		return money{text: "$" + commas(c), cents: c, ok: true, formatted: true}
	}
	return money{text: plainMoney(c), cents: c, ok: true}
}

func (g *gen) emitPerson(r role) {
	p := g.person()
	switch r {
	case roleZip4:
		g.setPlace(&p, true)
	case roleBadEmail, roleEmailTypo:
		if p.emailShape < 0 {
			p.emailShape, p.emailDomain = g.r.IntN(4), "gmail.com"
		}
	case roleFuzzy:
		if p.phone == "" {
			p.phone = g.phone()
		}
	case roleBalanceText:
		p.balance = 0
	}
	id := g.newPatientID()
	row := g.render(&p, id)
	f := &row.f
	switch r {
	case roleLastFirst:
		f[1], f[2], row.lastFirst = p.last+", "+p.first, "", true
	case rolePlaceholder:
		row.dobFmt = dobPlaceholder
		f[4] = placeholderDates[g.r.IntN(len(placeholderDates))]
	case roleImpossible:
		if g.r.IntN(2) == 0 {
			g.setDOB(row, p.dob+futureDOBShift)
			row.impossible = "future"
		} else {
			g.setDOB(row, p.dob-oldDOBShift)
			row.impossible = "over_120"
		}
	case roleBadPhone:
		f[6], row.badPhone = badPhones[g.r.IntN(len(badPhones))], true
	case roleBadEmail:
		local, dom := g.emailLocal(&p, id), p.emailDomain
		switch g.r.IntN(4) {
		case 0:
			f[7] = local + "@@" + dom
		case 1:
			f[7] = local + "@" + dom[:strings.IndexByte(dom, '.')]
		case 2:
			f[7] = local + " " + dom
		default:
			f[7] = local + "." + dom
		}
		row.badEmail = true
	case roleEmailTypo:
		t := emailTypos[g.r.IntN(len(emailTypos))]
		f[7], row.typo = g.emailLocal(&p, id)+"@"+t[0], t[0]
	case roleZip4:
		f[11], row.zip4 = p.zip[1:], true
	case roleUntrimmedCity:
		if g.r.IntN(2) == 0 {
			f[9] = " " + p.city
		} else {
			f[9] = p.city + " "
		}
		row.untrimmedCity = true
	case roleBalanceText:
		row.balance = money{text: moneyTexts[g.r.IntN(len(moneyTexts))]}
		f[13] = row.balance.text
	}
	rn := g.writePatient(row)

	switch r {
	case roleExactDup:
		grp := &dupGroup{rows: []int{rn}, exact: true}
		g.dupGroups = append(g.dupGroups, grp)
		copies := 1
		if g.r.Float64() < 0.2 {
			copies = 2
		}
		for c := range copies {
			emit := func() {
				n := g.writePatient(row)
				grp.rows = append(grp.rows, n)
				g.exact.add(id, n)
				g.dupKey.add(id, n)
			}
			if c == 0 && g.r.Float64() < 0.3 {
				emit() // exported twice in a row
			} else {
				g.later(1+g.r.IntN(30), emit)
			}
		}
	case roleKeyCollision:
		grp := &dupGroup{rows: []int{rn}}
		g.dupGroups = append(g.dupGroups, grp)
		g.later(1+g.r.IntN(50), func() {
			q := g.person()
			n := g.writePatient(g.render(&q, id))
			grp.rows = append(grp.rows, n)
			g.dupKey.add(id, n)
			g.normalChildren(id, &q)
		})
	case roleFuzzy:
		ci := len(g.clusters)
		g.clusters = append(g.clusters, []string{id})
		var variants []int
		if len([]rune(p.first)) >= 4 {
			variants = append(variants, varTypo)
		}
		if stripAccents(p.first+p.last) != p.first+p.last {
			variants = append(variants, varAccent)
		}
		variants = append(variants, varUpper, varLastFirst)
		g.r.Shuffle(len(variants), func(i, j int) { variants[i], variants[j] = variants[j], variants[i] })
		size := 2
		if g.r.Float64() < 0.25 {
			size = 3
		}
		base := p
		for _, v := range variants[:size-1] {
			g.later(1+g.r.IntN(200), func() { g.member(&base, f[7], ci, v) })
		}
	}
	g.normalChildren(id, &p)
}

const (
	varUpper = iota
	varLastFirst
	varTypo
	varAccent
)

// member writes a near-duplicate of base: another chart for the same person, typed differently.
func (g *gen) member(base *person, baseEmail string, cluster, variant int) {
	q := *base
	q.notes, q.balance = "", 0
	if g.r.IntN(2) == 0 {
		q.middle = ""
	}
	q.status = "Active"
	q.created = base.created + g.r.IntN(max(1, g.ref-base.created))
	q.phoneShape = (base.phoneShape + 1 + g.r.IntN(5)) % 6
	if g.r.Float64() < 0.2 {
		q.phone = ""
	}
	switch variant {
	case varUpper:
		q.first, q.last = strings.ToUpper(q.first), strings.ToUpper(q.last)
	case varTypo:
		rs := []rune(q.first)
		i := 1 + g.r.IntN(len(rs)-2)
		q.first = string(append(rs[:i:i], rs[i+1:]...))
	case varAccent:
		q.first, q.last = stripAccents(q.first), stripAccents(q.last)
	}
	id := g.newPatientID()
	row := g.render(&q, id)
	row.f[7] = ""
	if g.r.Float64() < 0.4 {
		row.f[7] = baseEmail
	}
	if variant == varLastFirst {
		name := q.last + ", " + q.first
		if g.r.IntN(2) == 0 {
			name = strings.ToUpper(name)
		}
		row.f[1], row.f[2], row.lastFirst = name, "", true
	}
	n := g.writePatient(row)
	g.clusters[cluster] = append(g.clusters[cluster], id)
	g.fuzzy.add(id, n)
	g.children(id, q.created, g.r.IntN(3))
}

func (g *gen) testRecord(k int) {
	last, first := "TEST", "PATIENT"+strconv.Itoa(k)
	if k < len(testNames) {
		last, first = testNames[k][0], testNames[k][1]
	}
	id := g.newPatientID()
	row := &patientRow{test: true}
	d := dayOf(1950, 1, 1) + 97*k
	row.f = [16]string{id, last, first, "", iso(d), "", "", "", "1 Harbor St", "Boston", "MA", "02110", "Active", "0.00", "Test patient – do not bill", iso(dayOf(2012, 3, 5) + k)}
	row.dobFmt, row.balance = dobISO, money{text: "0.00", ok: true}
	g.writePatient(row)
}

// writePatient writes a row and counts what it carries.
func (g *gen) writePatient(row *patientRow) int {
	n := g.pat.write(row.f[:])
	id := row.f[0]
	switch row.dobFmt {
	case dobISO:
		g.mixISO++
	case dobMDY:
		g.mixMDY++
		countAmbiguous(&g.birthAmb, row.dobM, row.dobD)
	case dobPlaceholder:
		g.placeholder.add(id, n)
		g.placeholder.value(row.f[4])
	}
	if row.impossible != "" {
		g.impossible.add(id, n)
		g.impossible.value(row.impossible)
	}
	if row.badPhone {
		g.badPhone.add(id, n)
	}
	if row.badEmail {
		g.badEmail.add(id, n)
	}
	if row.typo != "" {
		g.typo.add(id, n)
		g.typo.value(row.typo)
	}
	if row.zip4 {
		g.zip4.add(id, n)
	}
	if row.untrimmedCity {
		g.untrimCity.add(id, n)
	}
	if row.lastFirst {
		g.lastFirst.add(id, n)
	}
	if row.test {
		g.tests.add(id, n)
	}
	g.countMoney(0, g.moneyBal, row.balance, id, n)
	return n
}

// countAmbiguous sorts a slash date by its first two parts: ambiguous (both <= 12 and different,
// so the two readings are two dates), same_day_month (one date either way), or proves_order (a
// part above 12: only one reading is a date).
func countAmbiguous(c *[3]int, first, second int) {
	switch {
	case first <= 12 && second <= 12 && first != second:
		c[0]++
	case first == second:
		c[1]++
	default:
		c[2]++
	}
}

func (g *gen) countMoney(i int, d *Defect, m money, key string, n int) {
	a := &g.money[i]
	if !m.ok {
		a.nonNumeric++
		d.add(key, n)
		d.value(m.text)
		return
	}
	a.parsed++
	a.sum += m.cents
	if m.formatted {
		a.formatted++
	}
}

func (g *gen) normalChildren(pid string, p *person) {
	g.children(pid, p.created, pick(g.r, []int{8, 10, 12, 14, 14, 12, 10, 8, 7, 5}))
}

// children writes k appointments from created on, billing the completed ones, and a recall.
func (g *gen) children(pid string, created, k int) {
	var days [10]int
	end := g.ref + 180
	for j := range k {
		lo := created
		if g.r.Float64() < 0.35 {
			lo = max(created, g.ref-365)
		}
		days[j] = lo + g.r.IntN(end-lo+1)
	}
	slices.Sort(days[:k])
	last := -1
	for _, d := range days[:k] {
		var c string
		switch {
		case d > g.ref && g.r.Float64() < 0.65:
			c = "scheduled"
		case d > g.ref:
			c = "confirmed"
		case d == g.ref:
			c = "arrived"
		default:
			c = g.pastStatus()
		}
		aid := g.writeAppointment(pid, d, c, false)
		if c == "completed" {
			last = d
			g.billing(pid, aid, d, false, false)
		}
	}
	if last >= 0 && g.r.Float64() < 0.65 {
		g.writeRecall(pid, last)
	}
}

func (g *gen) pastStatus() string {
	switch u := g.r.Float64(); {
	case u < 0.775:
		return "completed"
	case u < 0.845:
		return "no_show"
	case u < 0.915:
		return "cancelled_by_patient"
	case u < 0.94:
		return "cancelled_by_practice"
	case u < 0.985:
		return "rescheduled"
	default:
		return "arrived" // never checked out
	}
}

var appointmentTimes = func() []string {
	var t []string
	for m := 8 * 60; m <= 16*60+30; m += 30 {
		t = append(t, two(m/60)+":"+two(m%60))
	}
	return t
}()

func (g *gen) writeAppointment(pid string, d int, canon string, orphan bool) string {
	id := strconv.Itoa(g.nextAppt)
	g.nextAppt++
	y, m, dd := civil(d)
	vs := statusVariants[canon]
	seen := g.statusSeen[canon]
	g.statusSeen[canon] = seen + 1
	status := vs[g.r.IntN(len(vs))]
	if seen < len(vs) {
		status = vs[seen] // every variant appears at least once
	}
	notes := ""
	if g.r.Float64() < 0.12 {
		notes = appointmentNotes[g.r.IntN(len(appointmentNotes))]
	}
	dur := []string{"30", "45", "60", "90"}[pick(g.r, []int{40, 20, 30, 10})]
	n := g.appt.write([]string{id, pid, g.providerIDs[g.r.IntN(len(g.providerIDs))],
		two(dd) + "/" + two(m) + "/" + strconv.Itoa(y), appointmentTimes[g.r.IntN(len(appointmentTimes))],
		dur, status, notes})
	countAmbiguous(&g.apptAmb, dd, m)
	g.statusCounts[status]++
	if status != strings.TrimSpace(status) {
		g.untrimStatus.add(id, n)
	}
	if orphan {
		g.orphan(0, g.orphanAppt, pid, id, n)
	}
	return id
}

func (g *gen) orphan(i int, d *Defect, pid, key string, n int) {
	d.add(key, n)
	if g.missing[i] != pid {
		g.missing[i] = pid
		d.Missing = append(d.Missing, pid)
	}
}

// billing writes the invoice for a completed appointment and the payments against it.
func (g *gen) billing(pid, aid string, d int, orphan, full bool) {
	id := fmt.Sprintf("INV-%06d", g.nextInv)
	g.nextInv++
	pr := procedures[g.r.IntN(len(procedures))]
	amt := g.moneyShape(pr.cents, 0.3)
	if !full && g.r.Float64() < 0.006 {
		amt = money{text: moneyTexts[g.r.IntN(len(moneyTexts))]}
	}
	n := g.inv.write([]string{id, pid, aid, iso(d), pr.code, pr.desc, amt.text})
	g.countMoney(1, g.moneyInv, amt, id, n)
	if orphan {
		g.orphan(1, g.orphanInv, pid, id, n)
	}
	if !amt.ok {
		return
	}
	switch u := g.r.Float64(); {
	case full || u < 0.70:
		g.writePayment(pid, id, d, pr.cents, orphan, full)
	case u < 0.85:
		ins := pr.cents * int64(60+g.r.IntN(21)) / 100
		g.writePayment(pid, id, d, ins, orphan, false)
		g.writePayment(pid, id, d, pr.cents-ins, orphan, false)
	}
}

func (g *gen) writePayment(pid, inv string, d int, cents int64, orphan, full bool) {
	id := strconv.Itoa(g.nextPay)
	g.nextPay++
	amt := g.moneyShape(cents, 0.2)
	if !full && g.r.Float64() < 0.004 {
		amt = money{text: paymentTexts[g.r.IntN(len(paymentTexts))]}
	}
	day := min(g.ref, d+g.r.IntN(46))
	n := g.pay.write([]string{id, pid, inv, iso(day), amt.text, payMethods[g.r.IntN(len(payMethods))]})
	g.countMoney(2, g.moneyPay, amt, id, n)
	if orphan {
		g.orphan(2, g.orphanPay, pid, id, n)
	}
}

func (g *gen) writeRecall(pid string, last int) {
	id := strconv.Itoa(g.nextRc)
	g.nextRc++
	typ, months := "Prophy", 6
	switch u := g.r.Float64(); {
	case u < 0.15:
		typ, months = "Perio maintenance", 3
	case u < 0.3:
		typ, months = "Bitewings", 12
	}
	due := last + months*30 + months/2
	status := "Due"
	switch {
	case g.r.Float64() < 0.1:
		status = "Scheduled"
	case due < g.ref:
		status = "Overdue"
	}
	g.rec.write([]string{id, pid, typ, strconv.Itoa(months), iso(due), status})
}

// providers writes the practice's dentists and hygienists; bigger practices have more dentists.
func (g *gen) providers() {
	type prov struct{ id, last, first, cred, spec string }
	list := []prov{
		{"DR01", "O'Neill", "Margaret", "DMD", "General Dentistry"},
		{"DR02", "Núñez", "Rafael", "DDS", "Endodontics"},
		{"DR03", "Nguyen", "Zoë", "DMD", "Pediatric Dentistry"},
		{"HYG01", "Kelly", "Siobhan", "RDH", "Dental Hygiene"},
		{"HYG02", "Lefèvre", "André", "RDH", "Dental Hygiene"},
		{"HYG03", "Raman", "Priya", "RDH", "Dental Hygiene"},
	}
	for k := range g.cfg.Patients / 2500 {
		first := femaleNames[g.r.IntN(len(femaleNames))]
		if g.r.IntN(2) == 0 {
			first = maleNames[g.r.IntN(len(maleNames))]
		}
		list = append(list, prov{fmt.Sprintf("DR%02d", k+4), lastNames[g.r.IntN(len(lastNames))], first,
			[]string{"DDS", "DMD"}[g.r.IntN(2)], "General Dentistry"})
	}
	for k, p := range list {
		npi := npiNumber(g.r)
		email := asciiFold(p.first)[:1] + asciiFold(p.last)
		if k >= 6 {
			email += strconv.Itoa(k)
		}
		active := "Y"
		if k >= 6 && g.r.Float64() < 0.1 {
			active = "N"
		}
		g.prov.write([]string{p.id, p.last, p.first, p.cred, p.spec, npi,
			shapePhone(g.phone(), 0), email + "@harbourviewdental.com", active})
		g.providerIDs = append(g.providerIDs, p.id)
	}
}

// npiNumber is a 10-digit NPI with a valid Luhn check digit (computed with the 80840 prefix).
func npiNumber(r *rand.Rand) string {
	digits := make([]byte, 9, 10)
	digits[0] = '1'
	for i := 1; i < 9; i++ {
		digits[i] = byte('0' + r.IntN(10))
	}
	sum := 24 // the 80840 prefix's contribution
	for i := 8; i >= 0; i-- {
		v := int(digits[i] - '0')
		if (8-i)%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return string(append(digits, byte('0'+(10-sum%10)%10)))
}

func (d *Defect) add(key string, row int) {
	d.Count++
	d.Keys = append(d.Keys, key)
	d.Rows = append(d.Rows, row)
}

func (d *Defect) value(v string) {
	if d.Values == nil {
		d.Values = map[string]int{}
	}
	d.Values[v]++
}

// finish fills in the column-wide findings and drops defects that did not occur.
func (g *gen) finish() *Manifest {
	for _, grp := range g.dupGroups {
		if grp.exact {
			g.exact.Groups = append(g.exact.Groups, grp.rows)
		}
		g.dupKey.Groups = append(g.dupKey.Groups, grp.rows)
	}
	for _, c := range g.clusters {
		g.fuzzy.Clusters = append(g.fuzzy.Clusters, c)
	}
	if g.mixISO > 0 && g.mixMDY > 0 {
		g.dateMixed.Count = min(g.mixISO, g.mixMDY)
		g.dateMixed.Values = map[string]int{"YYYY-MM-DD": g.mixISO, "MM/DD/YYYY": g.mixMDY}
	}
	amb := func(d *Defect, c [3]int, order string) {
		d.Count, d.Order = c[0], order
		d.Values = map[string]int{"ambiguous": c[0], "same_day_month": c[1], "proves_order": c[2]}
	}
	amb(g.birthAmbD, g.birthAmb, "MDY")
	amb(g.apptAmbD, g.apptAmb, "DMY")
	if len(g.statusCounts) > 1 {
		g.picklist.Count = len(g.statusCounts)
		g.picklist.Values = g.statusCounts
		g.picklist.Mapping = map[string]string{}
		for _, c := range canonicalStatuses {
			for _, v := range statusVariants[c] {
				if g.statusCounts[v] > 0 {
					g.picklist.Mapping[v] = c
				}
			}
		}
	}
	if g.typo.Count > 0 {
		g.typo.Mapping = map[string]string{}
		for _, t := range emailTypos {
			if g.typo.Values[t[0]] > 0 {
				g.typo.Mapping[t[0]] = t[1]
			}
		}
	}
	for _, d := range []*Defect{g.orphanAppt, g.orphanInv, g.orphanPay} {
		d.Parent = "patients.PatientID"
	}
	for _, d := range g.defects {
		if d.Count > 0 {
			g.m.Defects = append(g.m.Defects, *d)
		}
	}
	for i, c := range [][2]string{{"patients", "Balance"}, {"invoices", "Amount"}, {"payments", "Amount"}} {
		a := g.money[i]
		g.m.Money = append(g.m.Money, MoneyColumn{Table: c[0], Column: c[1], Sum: plainMoney(a.sum),
			Parsed: a.parsed, Formatted: a.formatted, NonNumeric: a.nonNumeric})
	}
	return g.m
}

// pick returns an index with probability proportional to its weight.
func pick(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	u := r.IntN(total)
	for i, w := range weights {
		if u < w {
			return i
		}
		u -= w
	}
	return len(weights) - 1
}
