package demo

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// The name pools are candidates: init keeps only names far enough apart (after folding case and
// accents) that random patients can never look like near-duplicates of each other. Every
// character must exist in Windows-1252, because patients.csv is written in it.

var femaleCandidates = []string{
	"Zoë", "Chloé", "Renée", "Inès", "Françoise", "Sofía", "Ángela", "Bérénice", "Žofie", "Noémie",
	"Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah",
	"Karen", "Nancy", "Margaret", "Lisa", "Betty", "Dorothy", "Sandra", "Ashley", "Kimberly",
	"Donna", "Emily", "Michelle", "Carol", "Amanda", "Melissa", "Deborah", "Stephanie", "Rebecca",
	"Laura", "Sharon", "Cynthia", "Kathleen", "Amy", "Shirley", "Angela", "Helen", "Brenda",
	"Pamela", "Nicole", "Samantha", "Katherine", "Christine", "Rachel", "Carolyn", "Janet",
	"Catherine", "Maria", "Heather", "Diane", "Virginia", "Julie", "Joyce", "Victoria", "Olivia",
	"Kelly", "Christina", "Lauren", "Joan", "Evelyn", "Judith", "Megan", "Cheryl", "Andrea",
	"Hannah", "Martha", "Jacqueline", "Frances", "Gloria", "Ann", "Teresa", "Kathryn", "Sara",
	"Janice", "Jean", "Alice", "Madison", "Doris", "Abigail", "Julia", "Judy", "Grace", "Denise",
	"Amber", "Marilyn", "Beverly", "Danielle", "Theresa", "Sophia", "Marie", "Diana", "Brittany",
	"Natalie", "Isabella", "Charlotte", "Rose", "Alexis", "Kayla", "Siobhan", "Aoife", "Niamh",
	"Ingrid", "Astrid", "Priya", "Ananya", "Mei", "Yuki", "Fatima", "Aisha", "Leticia", "Guadalupe",
	"Ximena", "Valentina", "Camila", "Lucía", "Beatriz", "Conceição", "Mónica", "Dagmar", "Brigitte",
	"Margarethe", "Wilhelmina", "Magdalena", "Agnieszka", "Katarzyna", "Thuy", "Huong", "Oksana",
	"Svetlana", "Tatiana", "Gwendolyn", "Mildred", "Eleanor", "Harriet", "Penelope", "Imogen",
	"Philippa", "Rosalind", "Tabitha", "Winifred", "Yolanda", "Zelda", "Esperanza", "Fiorella",
	"Giovanna", "Ornella", "Hyacinth", "Iolanthe", "Jocelyn", "Lucinda", "Marguerite", "Ottilie",
	"Paloma", "Queenie", "Rhiannon", "Scarlett", "Ulrike", "Vivienne", "Xiomara", "Yasmin",
}

var maleCandidates = []string{
	"José", "André", "Björn", "Søren", "Noël", "Raúl", "Ramón", "Jesús", "Joaquín", "Günther",
	"James", "Robert", "John", "Michael", "David", "William", "Richard", "Joseph", "Thomas",
	"Christopher", "Charles", "Daniel", "Matthew", "Anthony", "Mark", "Donald", "Steven", "Andrew",
	"Paul", "Joshua", "Kenneth", "Kevin", "Brian", "George", "Timothy", "Ronald", "Jason",
	"Edward", "Jeffrey", "Ryan", "Jacob", "Gary", "Nicholas", "Eric", "Jonathan", "Stephen",
	"Larry", "Justin", "Scott", "Brandon", "Benjamin", "Samuel", "Gregory", "Alexander", "Patrick",
	"Frank", "Raymond", "Jack", "Dennis", "Jerry", "Tyler", "Aaron", "Henry", "Adam", "Douglas",
	"Nathan", "Peter", "Zachary", "Kyle", "Walter", "Harold", "Jeremy", "Ethan", "Carl", "Keith",
	"Roger", "Gerald", "Christian", "Terry", "Sean", "Arthur", "Austin", "Noah", "Lawrence",
	"Jesse", "Joe", "Bryan", "Billy", "Jordan", "Albert", "Dylan", "Bruce", "Willie", "Gabriel",
	"Alan", "Juan", "Logan", "Wayne", "Ralph", "Roy", "Eugene", "Randy", "Vincent", "Russell",
	"Louis", "Philip", "Bobby", "Johnny", "Bradley", "Declan", "Cormac", "Padraig", "Lars",
	"Anders", "Rajesh", "Arjun", "Wei", "Hiroshi", "Omar", "Tariq", "Mateo", "Santiago", "Diego",
	"Alejandro", "Fernando", "Gonçalo", "Thiago", "Wolfgang", "Dietrich", "Krzysztof", "Tomasz",
	"Duc", "Minh", "Dmitri", "Sergei", "Bartholomew", "Cedric", "Desmond", "Ezekiel", "Fitzgerald",
	"Gideon", "Horatio", "Ignatius", "Jasper", "Leopold", "Mortimer", "Nigel", "Oswald",
	"Percival", "Quentin", "Reginald", "Sebastian", "Thaddeus", "Ulysses", "Vaughn", "Winston",
	"Xavier", "Yusuf", "Zebulon", "Ambrose", "Barnaby", "Cornelius", "Evander", "Florian",
}

var lastCandidates = []string{
	"Müller", "O'Brien", "McDonald", "van der Berg", "García", "Núñez", "Peña", "Schröder",
	"D'Angelo", "Lévesque", "Côté", "Gagné", "Østergaard", "Ødegaard", "Håkansson", "Fernández",
	"González", "Rodríguez", "Martínez", "Sánchez", "Pérez", "Gómez", "Jiménez", "Muñoz",
	"Álvarez", "Gutiérrez", "Ibáñez", "Dvořák", "Šimek", "Ó Súilleabháin", "Bélanger", "Thériault",
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
	"Taylor", "Thomas", "Moore", "Jackson", "Martin", "Thompson", "White", "Harris", "Clark",
	"Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green",
	"Adams", "Baker", "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Phillips", "Campbell",
	"Parker", "Evans", "Edwards", "Collins", "Stewart", "Morris", "Murphy", "Cook", "Rogers",
	"Morgan", "Cooper", "Peterson", "Reed", "Bailey", "Bell", "Kelly", "Howard", "Ward", "Cox",
	"Richardson", "Wood", "Watson", "Brooks", "Bennett", "Gray", "James", "Hughes", "Price",
	"Sanders", "Myers", "Long", "Ross", "Foster", "Powell", "Jenkins", "Perry", "Russell",
	"Sullivan", "Fitzpatrick", "Gallagher", "Kavanagh", "Flanagan", "Donnelly", "Callahan",
	"McCarthy", "McLaughlin", "MacKenzie", "Doherty", "Brennan", "Quinlan", "Rafferty",
	"Kowalski", "Wisniewski", "Nowakowski", "Zielinski", "Szymanski", "Wozniak", "Kaminski",
	"Lewandowski", "Nguyen", "Tran", "Pham", "Hoang", "Huynh", "Vuong", "Truong", "Dang",
	"Chen", "Wang", "Zhang", "Liu", "Yang", "Huang", "Zhao", "Zhou", "Xu", "Sun", "Ma", "Zhu",
	"Hu", "Guo", "Lin", "Kim", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim",
	"Patel", "Shah", "Mehta", "Iyer", "Reddy", "Krishnan", "Chatterjee", "Banerjee", "Mukherjee",
	"Bhattacharya", "Ramachandran", "Subramanian", "Venkatesan", "Yamamoto", "Tanaka",
	"Watanabe", "Kobayashi", "Nakamura", "Takahashi", "Yoshida", "Fujimoto", "Matsumoto",
	"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
	"Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo",
	"Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso",
	"Ferrara", "Galli", "Martini", "Leone", "Longo", "Gentile", "Martinelli", "Vitale",
	"Silva", "Santos", "Oliveira", "Souza", "Pereira", "Ferreira", "Almeida", "Carvalho",
	"Ribeiro", "Gonçalves", "Rocha", "Barbosa", "Cardoso", "Teixeira", "Moreira", "Cavalcanti",
	"Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
	"Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Zimmermann",
	"Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Krause", "Lehmann",
	"Köhler", "Jäger", "Böhm", "Vogel", "Friedrich", "Günther", "Kaiser", "Fuchs", "Scholz",
	"de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot",
	"Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra",
	"Lindqvist", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
	"Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jørgensen", "Rasmussen",
	"Christensen", "Sørensen", "Kristiansen", "Halvorsen", "Haugen", "Bakken", "Lindgren",
	"Dubois", "Lefebvre", "Moreau", "Laurent", "Girard", "Bonnet", "Dupont", "Lambert",
	"Fontaine", "Rousseau", "Vincent", "Muller", "Lefèvre", "Faure", "André", "Mercier",
	"Blanchard", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier",
	"Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Tremblay",
	"Bouchard", "Gauvin", "Pelletier", "Ouellet", "Bergeron", "Leblanc", "Paquette", "Poirier",
	"Cohen", "Levy", "Friedman", "Goldberg", "Rosenberg", "Katz", "Shapiro", "Weinstein",
	"Abramowitz", "Horowitz", "Kaplan", "Feldman", "Hernández", "López", "Ramírez", "Torres",
	"Flores", "Rivera", "Morales", "Ortiz", "Ramos", "Romero", "Herrera", "Medina", "Aguilar",
	"Vargas", "Castillo", "Mendoza", "Ruiz", "Vásquez", "Domínguez", "Castro", "Delgado",
	"Contreras", "Guerrero", "Figueroa", "Estrada", "Sandoval", "Salazar", "Espinoza",
	"Valenzuela", "Cervantes", "Villanueva", "Montgomery", "Washington", "Jefferson",
	"Armstrong", "Blackwell", "Crawford", "Fairbanks", "Hawthorne", "Kingsley", "Lockhart",
	"Merriweather", "Northcott", "Pemberton", "Rutherford", "Sutherland", "Thornbury",
	"Underwood", "Whitfield", "Ashworth", "Brightman", "Cartwright", "Dunmore", "Eastwood",
	"Fairweather", "Goodfellow", "Hollingsworth", "Isherwood", "Kettleborough", "Langford",
	"Mayweather", "Oakenfold", "Pickering", "Quartermaine", "Ravenscroft", "Stainforth",
	"Trelawney", "Uppington", "Vanderbilt", "Wetherby", "Yardley", "Abernathy", "Blackburn",
	"Chamberlain", "Drummond", "Ellsworth", "Fothergill", "Grimshaw", "Hargreaves",
	"Ingleby", "Jolliffe", "Kirkpatrick", "Ledbetter", "Macintosh", "Nettleship", "Ogilvie",
	"Postlethwaite", "Quigley", "Rowbotham", "Shackleton", "Tattersall", "Urquhart", "Venables",
	"Winterbottom", "Papadopoulos", "Georgiou", "Konstantinidis", "Nikolaidis", "Demetriou",
	"Yilmaz", "Kaya", "Demir", "Çelik", "Şahin", "Öztürk", "Aydın", "Okafor", "Adeyemi",
	"Mensah", "Boateng", "Kamara", "Diallo", "Haddad", "Khoury", "Nasser", "Saleh", "Mansour",
	"Farouk", "Novak", "Horvat", "Kovačević", "Babić", "Jurić", "Petrović", "Nikolić",
	"Ivanov", "Smirnov", "Kuznetsov", "Popov", "Sokolov", "Lebedev", "Kozlov", "Morozov",
	"Volkov", "Solovyov", "Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Hämäläinen",
	"Laine", "Heikkinen", "Koskinen", "Järvinen", "Lehtonen",
}

var (
	femaleNames []string
	maleNames   []string
	lastNames   []string
)

func init() {
	var kept []string
	femaleNames = keepApart(femaleCandidates, 2, &kept)
	maleNames = keepApart(maleCandidates, 2, &kept)
	firsts := kept
	var lastFolded []string // fold of each kept last name, computed once (fold allocates a transform chain)
	for _, c := range lastCandidates {
		if !windows1252(c) || strings.Contains(fold(c), "test") {
			continue
		}
		f := fold(c)
		ok := true
		for _, k := range lastFolded {
			if levenshtein(f, k) < 3 {
				ok = false
				break
			}
		}
		for _, k := range firsts {
			if ok && levenshtein(f, k) < 2 {
				ok = false
			}
		}
		if ok {
			lastNames = append(lastNames, c)
			lastFolded = append(lastFolded, f)
		}
	}
}

// keepApart returns the candidates whose folded form is at least min edits from every name kept
// so far (across calls, through kept).
func keepApart(cands []string, min int, kept *[]string) []string {
	var out []string
	for _, c := range cands {
		if !windows1252(c) || strings.Contains(fold(c), "test") {
			continue
		}
		f := fold(c)
		ok := true
		for _, k := range *kept {
			if levenshtein(f, k) < min {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, c)
			*kept = append(*kept, f)
		}
	}
	return out
}

// windows1252 reports whether every rune of s exists in Windows-1252.
func windows1252(s string) bool {
	for _, r := range s {
		if r < 0x80 || (r >= 0xA0 && r <= 0xFF) {
			continue
		}
		if !strings.ContainsRune("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ", r) {
			return false
		}
	}
	return true
}

// fold is the match key the fuzzy-duplicate rule uses: lower case, accents removed, letters only.
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	s, _, _ = transform.String(t, s)
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// asciiFold makes an e-mail local part: fold, then only a–z.
func asciiFold(s string) string {
	var b strings.Builder
	for _, r := range fold(s) {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
		case r == 'ø':
			b.WriteByte('o')
		case r == 'æ':
			b.WriteString("ae")
		case r == 'ß':
			b.WriteString("ss")
		case r == 'œ':
			b.WriteString("oe")
		case r == 'ı':
			b.WriteByte('i')
		}
	}
	return b.String()
}

// stripAccents removes combining marks but keeps case and punctuation: "José" → "Jose".
func stripAccents(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, _ := transform.String(t, s)
	return out
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// place is a city the practice draws patients from. Harbour View Dental is in Boston, so most
// ZIP codes start with 0 – the ones spreadsheets love to shorten.
type place struct {
	city, state string
	zips        []string
	weight      int
}

var places = []place{
	{"Boston", "MA", []string{"02108", "02110", "02114", "02115", "02116", "02118", "02122", "02124", "02125", "02127", "02128", "02129", "02130", "02134", "02135"}, 30},
	{"Cambridge", "MA", []string{"02138", "02139", "02140"}, 8},
	{"Somerville", "MA", []string{"02143", "02144", "02145"}, 6},
	{"Brookline", "MA", []string{"02445", "02446"}, 5},
	{"Newton", "MA", []string{"02458", "02459", "02460"}, 5},
	{"Quincy", "MA", []string{"02169", "02170", "02171"}, 6},
	{"Watertown", "MA", []string{"02472"}, 2},
	{"Medford", "MA", []string{"02155"}, 3},
	{"Malden", "MA", []string{"02148"}, 3},
	{"Chelsea", "MA", []string{"02150"}, 2},
	{"Revere", "MA", []string{"02151"}, 2},
	{"Milton", "MA", []string{"02186"}, 2},
	{"Waltham", "MA", []string{"02451", "02453"}, 2},
	{"Lexington", "MA", []string{"02420", "02421"}, 1},
	{"Salem", "MA", []string{"01970"}, 1},
	{"Lynn", "MA", []string{"01901", "01902"}, 1},
	{"Worcester", "MA", []string{"01602", "01603", "01609"}, 1},
	{"Lowell", "MA", []string{"01850", "01852"}, 1},
	{"Providence", "RI", []string{"02903", "02906", "02908"}, 2},
	{"Warwick", "RI", []string{"02886"}, 1},
	{"Nashua", "NH", []string{"03060", "03062"}, 1},
	{"Manchester", "NH", []string{"03101", "03103"}, 1},
	{"Portland", "ME", []string{"04101", "04102"}, 1},
	{"Burlington", "VT", []string{"05401"}, 1},
	{"Hartford", "CT", []string{"06103", "06106"}, 1},
	{"New Haven", "CT", []string{"06510", "06511"}, 1},
	{"Newark", "NJ", []string{"07102"}, 1},
	{"Princeton", "NJ", []string{"08540"}, 1},
	{"New York", "NY", []string{"10001", "10011", "10025"}, 2},
	{"Brooklyn", "NY", []string{"11201", "11215"}, 1},
	{"Albany", "NY", []string{"12207"}, 1},
	{"Philadelphia", "PA", []string{"19103"}, 1},
	{"Miami", "FL", []string{"33131"}, 1},
	{"Chicago", "IL", []string{"60614"}, 1},
	{"Austin", "TX", []string{"78701"}, 1},
	{"San Francisco", "CA", []string{"94110"}, 1},
}

var streets = []string{
	"Harbor St", "Main St", "Beacon St", "Commonwealth Ave", "Tremont St", "Elm St", "Maple Ave",
	"Washington St", "Centre St", "Boylston St", "Massachusetts Ave", "Summer St", "Hanover St",
	"Salem St", "Cambridge St", "Pleasant St", "Highland Ave", "Chestnut Hill Ave", "Park Dr",
	"Dorchester Ave", "Old Colony Rd", "Quincy Shore Dr", "Atlantic Ave", "Charles St",
	"Marlborough St", "Newbury St", "Pearl St", "Prospect St", "School St", "Spring St",
	"Union St", "Walnut St", "Water St", "Winter St", "Broadway", "Bay State Rd", "Cedar Ln",
	"Oak Ridge Rd", "Linden Pl", "Sea View Ter",
}

// Valid North American area codes for the region (and a few further away). Exchanges are drawn
// from 200–999, skipping N11 and 555, so every number is valid for libphonenumber's US metadata.
var areaCodes = []int{617, 857, 781, 339, 508, 774, 978, 351, 413, 603, 401, 860, 203, 212, 646, 917, 207, 802, 973, 201}

var emailDomains = []string{
	"gmail.com", "gmail.com", "gmail.com", "gmail.com", "yahoo.com", "yahoo.com", "hotmail.com",
	"outlook.com", "icloud.com", "aol.com", "comcast.net", "verizon.net", "me.com", "msn.com",
}

// emailTypos maps the misspelled providers planted as email_typo to what was meant.
var emailTypos = [][2]string{
	{"gmial.com", "gmail.com"}, {"gamil.com", "gmail.com"}, {"gmail.con", "gmail.com"},
	{"yaho.com", "yahoo.com"}, {"hotmial.com", "hotmail.com"}, {"outlok.com", "outlook.com"},
}

type procedure struct {
	code, desc string
	cents      int64
}

var procedures = []procedure{
	{"D0120", "Periodic oral evaluation - established patient", 6500},
	{"D0150", "Comprehensive oral evaluation - new or established patient", 11000},
	{"D0210", "Intraoral - complete series of radiographic images", 15000},
	{"D0274", "Bitewings - four radiographic images", 7500},
	{"D1110", "Prophylaxis - adult", 12000},
	{"D1120", "Prophylaxis - child", 8500},
	{"D1206", "Topical application of fluoride varnish", 4500},
	{"D2140", "Amalgam - one surface, primary or permanent", 15500},
	{"D2391", "Resin-based composite - one surface, posterior", 19500},
	{"D2740", "Crown - porcelain/ceramic", 125000},
	{"D2950", "Core buildup, including any pins when required", 28500},
	{"D3330", "Endodontic therapy, molar tooth (excluding final restoration)", 115000},
	{"D4341", "Periodontal scaling and root planing - four or more teeth per quadrant", 26000},
	{"D4910", "Periodontal maintenance", 15500},
	{"D7140", "Extraction, erupted tooth or exposed root", 18500},
	{"D7210", "Extraction, erupted tooth requiring removal of bone and/or sectioning of tooth", 32500},
	{"D8080", "Comprehensive orthodontic treatment of the adolescent dentition", 580000},
	{"D9110", "Palliative treatment of dental pain - per visit", 9500},
}

var payMethods = []string{"Cash", "Check", "Visa", "MasterCard", "Amex", "Discover", "Insurance - Delta Dental", "Insurance - MetLife", "Insurance - Cigna", "CareCredit"}

// Canonical appointment statuses and the free text the old system let people type for each.
var canonicalStatuses = []string{"scheduled", "confirmed", "arrived", "completed", "no_show", "cancelled_by_patient", "cancelled_by_practice", "rescheduled"}

var statusVariants = map[string][]string{
	"scheduled": {"Scheduled", "scheduled", "SCHEDULED", "Sched", "sched.", "Booked", "booked",
		"Appt made", "Pending", "pending", "Unconfirmed", "Sch"},
	"confirmed": {"Confirmed", "confirmed", "CONFIRMED", "Conf", "conf.", "Confirmed - text",
		"Confirmed by phone", "Conf via email", "Pt confirmed", "C/F", "Confirmed (VM)"},
	"arrived": {"Arrived", "arrived", "ARRIVED", "In office", "Checked in", "checked-in", "Here",
		"In chair", "Seated", "Waiting room"},
	"completed": {"Completed", "completed", "completed ", "COMPLETED", "Complete", "COMPLETE",
		"complete", "Done", "done", "DONE", "Finished", "Seen", "seen", "Checked out",
		"Checked Out", "Tx complete", "Treatment completed", "C", "Comp", "Cmp"},
	"no_show": {"No Show", "No show", "no show", " no show", "NO SHOW", "No-Show", "no-show",
		"noshow", "NS", "N/S", "Pt no show", "Patient did not show", "DNA", "Did not come", "FTA",
		"Failed appt", "Broken appt", "BA"},
	"cancelled_by_patient": {"Cancelled by patient", "cancelled by pt", "Canceled", "canceled",
		"Cancelled", "CANCELLED", "cxl", "CXL", "Cx", "Pt cancelled", "Pt canceled - sick",
		"Cancelled - pt request", "Canc. by patient", "Late cancel", "Short notice cxl",
		"Pt called to cancel"},
	"cancelled_by_practice": {"Cancelled by office", "Canceled by practice", "Office cancelled",
		"Dr out", "Dr. out sick", "Provider unavailable", "Cancelled - office closed", "Snow day",
		"Cxl by office", "Practice cxl"},
	"rescheduled": {"Rescheduled", "rescheduled", "RESCHEDULED", "Resched", "resched",
		"Re-scheduled", "Moved", "Moved to later date", "Rebooked", "R/S", "Reschd - pt request"},
}

// Notes: commas, straight and curly quotes, euro signs, accents, and line breaks inside fields.
// Patient notes end up in Windows-1252, so they stay inside it; "{f}" is a first name.
var patientNotes = []string{
	"Prefers morning appointments",
	"Allergic to penicillin, latex",
	"Anxious patient – likes “laughing gas”",
	"Paid €50 deposit while visiting from Dublin",
	"Mom’s insurance: Delta Dental PPO",
	"Spouse {f} — call before 5pm",
	"Referred by Dr. Müller",
	"Medical alert: diabetic\r\nCheck BP before treatment",
	"Said \"no more X-rays\" until next year",
	"Speaks Português; daughter translates",
	"Premedicate: amoxicillin 2g, 1 hr before",
	"Owes €12.50 from a 2019 visit (card declined)",
	"Sensitive to cold on #14\r\nUse Sensodyne sample",
	"Needs wheelchair access",
	"Text reminders only, no calls",
	"Guardian: {f} (aunt)\r\nSigned consent on file",
	"Prefers Dr. Núñez",
	"Pays cash, wants receipt “itemised”",
}

var appointmentNotes = []string{
	"Pt running late",
	"Needs pre-med (amoxicillin 2g)",
	"Crown seat, #14",
	"Called, left msg \"please confirm\"",
	"Pt says “tooth hurts on left”",
	"Interpreter needed: Français",
	"Bring insurance card\r\nNew employer plan",
	"Emergency, swelling lower right",
	"Ortho adjustment; bring retainer",
	"Follow-up from ER visit, see X-ray",
}
