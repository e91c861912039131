package scan

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file holds the GS1 Application Identifier table (GS1 General
// Specifications section 3, "GS1 Application Identifier definitions") in
// GS1's own format notation: N = digits, X = GS1 AI encodable character set
// 82, Y = character set 39, Z = character set 64; "N14" is exactly 14,
// "X..20" is 1 to 20, "[…]" is an optional trailing component, "+" joins
// components.

// charset is a GS1 character set of an AI component.
type charset byte

const (
	setN charset = 'N' // digits
	setX charset = 'X' // GS1 AI encodable character set 82
	setY charset = 'Y' // GS1 AI encodable character set 39
	setZ charset = 'Z' // GS1 AI encodable character set 64 (base64url)
)

const (
	cset82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`
	cset39 = "#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	cset64 = "-0123456789=ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)

// allows reports whether c belongs to the character set.
func (cs charset) allows(c byte) bool {
	switch cs {
	case setN:
		return c >= '0' && c <= '9'
	case setX:
		return strings.IndexByte(cset82, c) >= 0
	case setY:
		return strings.IndexByte(cset39, c) >= 0
	case setZ:
		return strings.IndexByte(cset64, c) >= 0
	}
	return false
}

// component is one part of an AI's data field.
type component struct {
	set      charset
	min, max int
}

// aiKind selects the meaning Parse gives to an AI's value beyond its syntax.
type aiKind uint8

const (
	kindPlain     aiKind = iota
	kindDate             // YYMMDD, DD may be 00
	kindDateTime         // YYMMDDHH[MM[SS]]
	kindDateRange        // YYMMDD[YYMMDD]
	kindDecimal          // last AI digit = number of decimals
	kindCurrency         // ISO 4217 numeric code + decimal amount
	kindCount            // a count of items
)

// aiSpec describes one Application Identifier.
type aiSpec struct {
	ai       string
	title    string
	parts    []component
	min, max int    // total data length
	check    string // noun for a GS1 check digit ending the first component ("GTIN"), "" if none
	kind     aiKind
	decimals int    // kindDecimal, kindCurrency
	unit     string // measures (31nn–36nn)
}

// fixed reports whether the data field has one possible length.
func (sp *aiSpec) fixed() bool { return sp.min == sp.max }

// numeric reports whether the data field is digits only.
func (sp *aiSpec) numeric() bool {
	for _, p := range sp.parts {
		if p.set != setN {
			return false
		}
	}
	return true
}

type aiDef struct {
	ai, format, title string
	kind              aiKind
	check             string
}

// aiDefs lists the individual AIs known to the parser.
var aiDefs = []aiDef{
	{"00", "N18", "SSCC", kindPlain, "SSCC"},
	{"01", "N14", "GTIN", kindPlain, "GTIN"},
	{"02", "N14", "CONTENT", kindPlain, "GTIN"},
	{"03", "N14", "MTO GTIN", kindPlain, "GTIN"},
	{"10", "X..20", "BATCH/LOT", kindPlain, ""},
	{"11", "N6", "PROD DATE", kindDate, ""},
	{"12", "N6", "DUE DATE", kindDate, ""},
	{"13", "N6", "PACK DATE", kindDate, ""},
	{"15", "N6", "BEST BEFORE or BEST BY", kindDate, ""},
	{"16", "N6", "SELL BY", kindDate, ""},
	{"17", "N6", "USE BY OR EXPIRY", kindDate, ""},
	{"20", "N2", "VARIANT", kindPlain, ""},
	{"21", "X..20", "SERIAL", kindPlain, ""},
	{"22", "X..20", "CPV", kindPlain, ""},
	{"235", "X..28", "TPX", kindPlain, ""},
	{"240", "X..30", "ADDITIONAL ID", kindPlain, ""},
	{"241", "X..30", "CUST. PART No.", kindPlain, ""},
	{"242", "N..6", "MTO VARIANT", kindPlain, ""},
	{"243", "X..20", "PCN", kindPlain, ""},
	{"250", "X..30", "SECONDARY SERIAL", kindPlain, ""},
	{"251", "X..30", "REF. TO SOURCE", kindPlain, ""},
	{"253", "N13+[X..17]", "GDTI", kindPlain, "GDTI"},
	{"254", "X..20", "GLN EXTENSION COMPONENT", kindPlain, ""},
	{"255", "N13+[N..12]", "GCN", kindPlain, "GCN"},
	{"30", "N..8", "VAR. COUNT", kindCount, ""},
	{"37", "N..8", "COUNT", kindCount, ""},
	{"400", "X..30", "ORDER NUMBER", kindPlain, ""},
	{"401", "X..30", "GINC", kindPlain, ""},
	{"402", "N17", "GSIN", kindPlain, "GSIN"},
	{"403", "X..30", "ROUTE", kindPlain, ""},
	{"410", "N13", "SHIP TO LOC", kindPlain, "GLN"},
	{"411", "N13", "BILL TO", kindPlain, "GLN"},
	{"412", "N13", "PURCHASE FROM", kindPlain, "GLN"},
	{"413", "N13", "SHIP FOR LOC", kindPlain, "GLN"},
	{"414", "N13", "LOC No.", kindPlain, "GLN"},
	{"415", "N13", "PAY TO", kindPlain, "GLN"},
	{"416", "N13", "PROD/SERV LOC", kindPlain, "GLN"},
	{"417", "N13", "PARTY", kindPlain, "GLN"},
	{"420", "X..20", "SHIP TO POST", kindPlain, ""},
	{"421", "N3+X..9", "SHIP TO POST", kindPlain, ""},
	{"422", "N3", "ORIGIN", kindPlain, ""},
	{"423", "N3+[N..12]", "COUNTRY - INITIAL PROCESS.", kindPlain, ""},
	{"424", "N3", "COUNTRY - PROCESS.", kindPlain, ""},
	{"425", "N3+[N..12]", "COUNTRY - DISASSEMBLY", kindPlain, ""},
	{"426", "N3", "COUNTRY - FULL PROCESS", kindPlain, ""},
	{"427", "X..3", "ORIGIN SUBDIVISION", kindPlain, ""},
	{"4300", "X..35", "SHIP TO COMP", kindPlain, ""},
	{"4301", "X..35", "SHIP TO NAME", kindPlain, ""},
	{"4302", "X..70", "SHIP TO ADD1", kindPlain, ""},
	{"4303", "X..70", "SHIP TO ADD2", kindPlain, ""},
	{"4304", "X..70", "SHIP TO SUB", kindPlain, ""},
	{"4305", "X..70", "SHIP TO LOC", kindPlain, ""},
	{"4306", "X..70", "SHIP TO REG", kindPlain, ""},
	{"4307", "X2", "SHIP TO COUNTRY", kindPlain, ""},
	{"4308", "X..30", "SHIP TO PHONE", kindPlain, ""},
	{"4309", "N20", "SHIP TO GEO", kindPlain, ""},
	{"4310", "X..35", "RTN TO COMP", kindPlain, ""},
	{"4311", "X..35", "RTN TO NAME", kindPlain, ""},
	{"4312", "X..70", "RTN TO ADD1", kindPlain, ""},
	{"4313", "X..70", "RTN TO ADD2", kindPlain, ""},
	{"4314", "X..70", "RTN TO SUB", kindPlain, ""},
	{"4315", "X..70", "RTN TO LOC", kindPlain, ""},
	{"4316", "X..70", "RTN TO REG", kindPlain, ""},
	{"4317", "X2", "RTN TO COUNTRY", kindPlain, ""},
	{"4318", "X..20", "RTN TO POST", kindPlain, ""},
	{"4319", "X..30", "RTN TO PHONE", kindPlain, ""},
	{"4320", "X..35", "SRV DESCRIPTION", kindPlain, ""},
	{"4321", "N1", "DANGEROUS GOODS", kindPlain, ""},
	{"4322", "N1", "AUTH LEAVE", kindPlain, ""},
	{"4323", "N1", "SIG REQUIRED", kindPlain, ""},
	{"4324", "N10", "NBEF DEL DT", kindPlain, ""},
	{"4325", "N10", "NAFT DEL DT", kindPlain, ""},
	{"4326", "N6", "REL DATE", kindPlain, ""},
	{"7001", "N13", "NSN", kindPlain, ""},
	{"7002", "X..30", "MEAT CUT", kindPlain, ""},
	{"7003", "N10", "EXPIRY TIME", kindDateTime, ""},
	{"7004", "N..4", "ACTIVE POTENCY", kindPlain, ""},
	{"7005", "X..12", "CATCH AREA", kindPlain, ""},
	{"7006", "N6", "FIRST FREEZE DATE", kindDate, ""},
	{"7007", "N6+[N6]", "HARVEST DATE", kindDateRange, ""},
	{"7008", "X..3", "AQUATIC SPECIES", kindPlain, ""},
	{"7009", "X..10", "FISHING GEAR TYPE", kindPlain, ""},
	{"7010", "X..2", "PROD METHOD", kindPlain, ""},
	{"7020", "X..20", "REFURB LOT", kindPlain, ""},
	{"7021", "X..20", "FUNC STAT", kindPlain, ""},
	{"7022", "X..20", "REV STAT", kindPlain, ""},
	{"7023", "X..30", "GIAI - ASSEMBLY", kindPlain, ""},
	{"710", "X..20", "NHRN PZN", kindPlain, ""},
	{"711", "X..20", "NHRN CIP", kindPlain, ""},
	{"712", "X..20", "NHRN CN", kindPlain, ""},
	{"713", "X..20", "NHRN DRN", kindPlain, ""},
	{"714", "X..20", "NHRN AIM", kindPlain, ""},
	{"715", "X..20", "NHRN NDC", kindPlain, ""},
	{"716", "X..20", "NHRN AIC", kindPlain, ""},
	{"8001", "N14", "DIMENSIONS", kindPlain, ""},
	{"8002", "X..20", "CMT No.", kindPlain, ""},
	{"8003", "N14+[X..16]", "GRAI", kindPlain, "GRAI"},
	{"8004", "X..30", "GIAI", kindPlain, ""},
	{"8005", "N6", "PRICE PER UNIT", kindPlain, ""},
	{"8006", "N14+N2+N2", "ITIP", kindPlain, "GTIN"},
	{"8007", "X..34", "IBAN", kindPlain, ""},
	{"8008", "N8+[N..4]", "PROD TIME", kindDateTime, ""},
	{"8009", "X..50", "OPTSEN", kindPlain, ""},
	{"8010", "Y..30", "CPID", kindPlain, ""},
	{"8011", "N..12", "CPID SERIAL", kindPlain, ""},
	{"8012", "X..20", "VERSION", kindPlain, ""},
	{"8013", "X..25", "GMN", kindPlain, ""},
	{"8017", "N18", "GSRN - PROVIDER", kindPlain, "GSRN"},
	{"8018", "N18", "GSRN - RECIPIENT", kindPlain, "GSRN"},
	{"8019", "N..10", "SRIN", kindPlain, ""},
	{"8020", "X..25", "REF No.", kindPlain, ""},
	{"8026", "N14+N2+N2", "ITIP CONTENT", kindPlain, "GTIN"},
	{"8030", "Z..90", "DIGSIG", kindPlain, ""},
	{"8110", "X..70", "COUPON", kindPlain, ""},
	{"8111", "N4", "POINTS", kindPlain, ""},
	{"8112", "X..70", "COUPON", kindPlain, ""},
	{"8200", "X..70", "PRODUCT URL", kindPlain, ""},
	{"90", "X..30", "INTERNAL", kindPlain, ""},
	{"91", "X..90", "INTERNAL", kindPlain, ""},
	{"92", "X..90", "INTERNAL", kindPlain, ""},
	{"93", "X..90", "INTERNAL", kindPlain, ""},
	{"94", "X..90", "INTERNAL", kindPlain, ""},
	{"95", "X..90", "INTERNAL", kindPlain, ""},
	{"96", "X..90", "INTERNAL", kindPlain, ""},
	{"97", "X..90", "INTERNAL", kindPlain, ""},
	{"98", "X..90", "INTERNAL", kindPlain, ""},
	{"99", "X..90", "INTERNAL", kindPlain, ""},
}

// aiFamily is a group of AIs "pppn" whose last digit n is the number of
// implied decimals of the value.
type aiFamily struct {
	prefix, format, title string
	maxN                  int
	kind                  aiKind
	unit                  string
}

// aiFamilies lists the measure (31nn–36nn) and amount (39nn) families.
var aiFamilies = []aiFamily{
	{"310", "N6", "NET WEIGHT (kg)", 5, kindDecimal, "kg"},
	{"311", "N6", "LENGTH (m)", 5, kindDecimal, "m"},
	{"312", "N6", "WIDTH (m)", 5, kindDecimal, "m"},
	{"313", "N6", "HEIGHT (m)", 5, kindDecimal, "m"},
	{"314", "N6", "AREA (m2)", 5, kindDecimal, "m2"},
	{"315", "N6", "NET VOLUME (l)", 5, kindDecimal, "l"},
	{"316", "N6", "NET VOLUME (m3)", 5, kindDecimal, "m3"},
	{"320", "N6", "NET WEIGHT (lb)", 5, kindDecimal, "lb"},
	{"321", "N6", "LENGTH (in)", 5, kindDecimal, "in"},
	{"322", "N6", "LENGTH (ft)", 5, kindDecimal, "ft"},
	{"323", "N6", "LENGTH (yd)", 5, kindDecimal, "yd"},
	{"324", "N6", "WIDTH (in)", 5, kindDecimal, "in"},
	{"325", "N6", "WIDTH (ft)", 5, kindDecimal, "ft"},
	{"326", "N6", "WIDTH (yd)", 5, kindDecimal, "yd"},
	{"327", "N6", "HEIGHT (in)", 5, kindDecimal, "in"},
	{"328", "N6", "HEIGHT (ft)", 5, kindDecimal, "ft"},
	{"329", "N6", "HEIGHT (yd)", 5, kindDecimal, "yd"},
	{"330", "N6", "GROSS WEIGHT (kg)", 5, kindDecimal, "kg"},
	{"331", "N6", "LENGTH (m), log", 5, kindDecimal, "m"},
	{"332", "N6", "WIDTH (m), log", 5, kindDecimal, "m"},
	{"333", "N6", "HEIGHT (m), log", 5, kindDecimal, "m"},
	{"334", "N6", "AREA (m2), log", 5, kindDecimal, "m2"},
	{"335", "N6", "VOLUME (l), log", 5, kindDecimal, "l"},
	{"336", "N6", "VOLUME (m3), log", 5, kindDecimal, "m3"},
	{"337", "N6", "KG PER m2", 5, kindDecimal, "kg/m2"},
	{"340", "N6", "GROSS WEIGHT (lb)", 5, kindDecimal, "lb"},
	{"341", "N6", "LENGTH (in), log", 5, kindDecimal, "in"},
	{"342", "N6", "LENGTH (ft), log", 5, kindDecimal, "ft"},
	{"343", "N6", "LENGTH (yd), log", 5, kindDecimal, "yd"},
	{"344", "N6", "WIDTH (in), log", 5, kindDecimal, "in"},
	{"345", "N6", "WIDTH (ft), log", 5, kindDecimal, "ft"},
	{"346", "N6", "WIDTH (yd), log", 5, kindDecimal, "yd"},
	{"347", "N6", "HEIGHT (in), log", 5, kindDecimal, "in"},
	{"348", "N6", "HEIGHT (ft), log", 5, kindDecimal, "ft"},
	{"349", "N6", "HEIGHT (yd), log", 5, kindDecimal, "yd"},
	{"350", "N6", "AREA (in2)", 5, kindDecimal, "in2"},
	{"351", "N6", "AREA (ft2)", 5, kindDecimal, "ft2"},
	{"352", "N6", "AREA (yd2)", 5, kindDecimal, "yd2"},
	{"353", "N6", "AREA (in2), log", 5, kindDecimal, "in2"},
	{"354", "N6", "AREA (ft2), log", 5, kindDecimal, "ft2"},
	{"355", "N6", "AREA (yd2), log", 5, kindDecimal, "yd2"},
	{"356", "N6", "NET WEIGHT (t oz)", 5, kindDecimal, "t oz"},
	{"357", "N6", "NET VOLUME (oz)", 5, kindDecimal, "oz"},
	{"360", "N6", "NET VOLUME (qt)", 5, kindDecimal, "qt"},
	{"361", "N6", "NET VOLUME (gal.)", 5, kindDecimal, "gal"},
	{"362", "N6", "VOLUME (qt), log", 5, kindDecimal, "qt"},
	{"363", "N6", "VOLUME (gal.), log", 5, kindDecimal, "gal"},
	{"364", "N6", "VOLUME (in3)", 5, kindDecimal, "in3"},
	{"365", "N6", "VOLUME (ft3)", 5, kindDecimal, "ft3"},
	{"366", "N6", "VOLUME (yd3)", 5, kindDecimal, "yd3"},
	{"367", "N6", "VOLUME (in3), log", 5, kindDecimal, "in3"},
	{"368", "N6", "VOLUME (ft3), log", 5, kindDecimal, "ft3"},
	{"369", "N6", "VOLUME (yd3), log", 5, kindDecimal, "yd3"},
	{"390", "N..15", "AMOUNT", 9, kindDecimal, ""},
	{"391", "N3+N..15", "AMOUNT", 9, kindCurrency, ""},
	{"392", "N..15", "PRICE", 9, kindDecimal, ""},
	{"393", "N3+N..15", "PRICE", 9, kindCurrency, ""},
	{"394", "N4", "PRCNT OFF", 3, kindDecimal, ""},
	{"395", "N6", "PRICE/UoM", 6, kindDecimal, ""},
}

// predefinedLength is GS1's table of AIs with a predefined length, keyed by
// the first two digits of the AI, giving the data length. Only these need no
// FNC1 separator after them; every other AI is followed by FNC1 (GS) unless
// it ends the data.
var predefinedLength = map[string]int{
	"00": 18, "01": 14, "02": 14, "03": 14, "04": 16,
	"11": 6, "12": 6, "13": 6, "14": 6, "15": 6, "16": 6, "17": 6, "18": 6, "19": 6,
	"20": 2,
	"31": 6, "32": 6, "33": 6, "34": 6, "35": 6, "36": 6,
	"41": 13,
}

var (
	aiTable = map[string]*aiSpec{} // by AI
	aiMaxN  = map[string]int{}     // family prefix -> largest decimal indicator
)

func init() {
	for _, d := range aiDefs {
		addSpec(&aiSpec{ai: d.ai, title: d.title, parts: parseFormat(d.format), check: d.check, kind: d.kind})
	}
	for _, f := range aiFamilies {
		aiMaxN[f.prefix] = f.maxN
		for n := 0; n <= f.maxN; n++ {
			addSpec(&aiSpec{ai: f.prefix + strconv.Itoa(n), title: f.title, parts: parseFormat(f.format),
				kind: f.kind, decimals: n, unit: f.unit})
		}
	}
}

func addSpec(sp *aiSpec) {
	for i, p := range sp.parts {
		if i < len(sp.parts)-1 && p.min != p.max {
			panic("scan: only the last component of AI " + sp.ai + " may vary in length")
		}
		sp.min += p.min
		sp.max += p.max
	}
	if _, dup := aiTable[sp.ai]; dup {
		panic("scan: AI " + sp.ai + " defined twice")
	}
	aiTable[sp.ai] = sp
}

// parseFormat reads GS1 format notation such as "N13+[X..17]".
func parseFormat(f string) []component {
	var parts []component
	for _, p := range strings.Split(f, "+") {
		optional := strings.HasPrefix(p, "[")
		p = strings.Trim(p, "[]")
		c := component{set: charset(p[0])}
		lo, hi, ranged := strings.Cut(p[1:], "..")
		if !ranged {
			hi = lo
		} else if lo == "" {
			lo = "1"
		}
		var err1, err2 error
		c.min, err1 = strconv.Atoi(lo)
		c.max, err2 = strconv.Atoi(hi)
		if err1 != nil || err2 != nil || !c.set.allows('0') {
			panic("scan: bad AI format " + f)
		}
		if optional {
			c.min = 0
		}
		parts = append(parts, c)
	}
	return parts
}

// predefinedAILen is the length of the AIs starting with the predefined-length
// prefix p2.
func predefinedAILen(p2 string) int {
	switch {
	case p2 >= "31" && p2 <= "36":
		return 4
	case p2 == "41":
		return 3
	}
	return 2
}

// isPredefined reports whether ai belongs to the predefined-length table, so
// that no separator follows it.
func isPredefined(ai string) bool {
	_, ok := predefinedLength[ai[:2]]
	return ok
}

// specFor returns the spec of ai: from the table, or, for an AI not in the
// table whose first two digits are in the predefined-length table, a spec of
// that many digits (so unknown but well-formed AIs are kept).
func specFor(ai string) (*aiSpec, error) {
	if sp, ok := aiTable[ai]; ok {
		return sp, nil
	}
	if len(ai) == 4 && isDigits(ai) {
		if maxN, ok := aiMaxN[ai[:3]]; ok {
			return nil, fail("AI %s: decimal point indicator %c is not valid for AI %sn (at most %d)", ai, ai[3], ai[:3], maxN)
		}
	}
	if len(ai) >= 2 && isDigits(ai) {
		if n, ok := predefinedLength[ai[:2]]; ok && len(ai) == predefinedAILen(ai[:2]) {
			return &aiSpec{ai: ai, title: "UNKNOWN", parts: []component{{setN, n, n}}, min: n, max: n}, nil
		}
	}
	return nil, fail("AI %s is not a known Application Identifier", ai)
}

// aiAt finds the AI at the start of an element string.
func aiAt(s string) (string, error) {
	for l := 2; l <= 4 && l <= len(s); l++ {
		if _, ok := aiTable[s[:l]]; ok {
			return s[:l], nil
		}
	}
	if len(s) >= 4 && isDigits(s[:4]) {
		if _, ok := aiMaxN[s[:3]]; ok {
			return s[:4], nil // specFor explains what is wrong
		}
	}
	if len(s) >= 2 {
		if _, ok := predefinedLength[s[:2]]; ok {
			if l := predefinedAILen(s[:2]); len(s) >= l && isDigits(s[:l]) {
				return s[:l], nil
			}
		}
	}
	return "", fail("no known Application Identifier at %q", clip(s, 8))
}

// clip shortens s for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// validate checks value v of the AI against its format, check digit and
// meaning. For date AIs it returns the date as "2006-01-02".
func (sp *aiSpec) validate(v string, thisYear int) (date string, err error) {
	noun := "characters"
	if sp.numeric() {
		noun = "digits"
	}
	n := len(v)
	switch {
	case sp.fixed() && n != sp.max:
		return "", fail("AI %s needs %d %s, got %d", sp.ai, sp.max, plural(noun, sp.max), n)
	case n < sp.min:
		return "", fail("AI %s needs at least %d %s, got %d", sp.ai, sp.min, plural(noun, sp.min), n)
	case n > sp.max:
		return "", fail("AI %s allows at most %d %s, got %d", sp.ai, sp.max, plural(noun, sp.max), n)
	}
	pos := 0
	for i, p := range sp.parts {
		end := pos + p.max
		if i == len(sp.parts)-1 || end > n {
			end = n
		}
		for j := pos; j < end; j++ {
			if p.set.allows(v[j]) {
				continue
			}
			if p.set == setN {
				return "", fail("AI %s: character %s at position %d is not a digit", sp.ai, quoteChar(v[j:]), j+1)
			}
			return "", fail("AI %s: character %s at position %d is not allowed", sp.ai, quoteChar(v[j:]), j+1)
		}
		if p.set == setX {
			if k := indexFold(v[pos:end], "<GS>"); k >= 0 {
				return "", fail("AI %s: %q is read as a group separator and cannot be part of a value", sp.ai, v[pos+k:pos+k+4])
			}
		}
		pos = end
	}
	if sp.check != "" {
		if p := checkProblem(sp.check, v[:sp.parts[0].max]); p != "" {
			return "", fail("AI %s: %s", sp.ai, p)
		}
	}
	switch sp.kind {
	case kindDate:
		d, problem := gs1Date(v, thisYear, true)
		if problem != "" {
			return "", fail("AI %s: %s", sp.ai, problem)
		}
		return d, nil
	case kindDateRange:
		for _, part := range []string{v[:6], v[6:]} {
			if part == "" {
				break
			}
			if len(part) != 6 {
				return "", fail("AI %s: a date range needs 12 digits, got %d", sp.ai, n)
			}
			if _, problem := gs1Date(part, thisYear, true); problem != "" {
				return "", fail("AI %s: %s", sp.ai, problem)
			}
		}
	case kindDateTime:
		if problem := gs1DateTime(v, thisYear); problem != "" {
			return "", fail("AI %s: %s", sp.ai, problem)
		}
	}
	return "", nil
}

// plural returns noun ("digits", "characters") in the singular for n == 1.
func plural(noun string, n int) string {
	if n == 1 {
		return strings.TrimSuffix(noun, "s")
	}
	return noun
}

// quoteChar quotes the first character of s (a rune if valid UTF-8, else
// the byte) for an error message.
func quoteChar(s string) string {
	if r, _ := utf8.DecodeRuneInString(s); r != utf8.RuneError {
		return fmt.Sprintf("%q", r)
	}
	return fmt.Sprintf("%q", s[:1])
}
