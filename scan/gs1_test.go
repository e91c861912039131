package scan

import (
	"reflect"
	"testing"
)

// gs1Cases are element strings (in every accepted spelling) with the GS1
// data expected from them. They also seed the fuzzers.
var gs1Cases = []struct {
	name string
	raw  string
	want GS1
}{
	{
		name: "GS1 General Specifications example, bracketed",
		raw:  "(01)09501101530003(17)140704(10)AB-123",
		want: GS1{
			Elements: []Element{{"01", "09501101530003"}, {"17", "140704"}, {"10", "AB-123"}},
			GTIN:     "09501101530003", Expiry: "2014-07-04", Lot: "AB-123",
		},
	},
	{
		name: "same, GS1-128 with AIM prefix, no separator needed after fixed-length AIs",
		raw:  "]C1010950110153000317140704" + "10AB-123\r\n",
		want: GS1{
			Elements: []Element{{"01", "09501101530003"}, {"17", "140704"}, {"10", "AB-123"}},
			GTIN:     "09501101530003", Expiry: "2014-07-04", Lot: "AB-123",
		},
	},
	{
		name: "GS separators, lot before expiry, serial",
		raw:  "]d201095011015300031012AB\x1d17270200" + "21XYZ-9",
		want: GS1{
			Elements: []Element{{"01", "09501101530003"}, {"10", "12AB"}, {"17", "270200"}, {"21", "XYZ-9"}},
			GTIN:     "09501101530003", Lot: "12AB", Expiry: "2027-02-28", Serial: "XYZ-9",
		},
	},
	{
		name: "keyboard-wedge <GS> and ~1 substitutes, leading FNC1, no AIM",
		raw:  "~10109501101530003" + "10LOT7<gs>" + "2112<GS>" + "15280200",
		want: GS1{
			Elements: []Element{{"01", "09501101530003"}, {"10", "LOT7"}, {"21", "12"}, {"15", "280200"}},
			GTIN:     "09501101530003", Lot: "LOT7", Serial: "12", BestBefore: "2028-02-29",
		},
	},
	{
		name: "leading GS, production and packaging dates, net weight",
		raw:  "\x1d0109501101530003" + "11250101" + "13250102" + "3103001250",
		want: GS1{
			Elements: []Element{{"01", "09501101530003"}, {"11", "250101"}, {"13", "250102"}, {"3103", "001250"}},
			GTIN:     "09501101530003", ProductionDate: "2025-01-01", PackagingDate: "2025-01-02",
			Measures: []Quantity{{"3103", "kg", "1.250"}},
		},
	},
	{
		name: "measures in several units",
		raw:  "(01)09501101530003(3150)000750(3162)000125(3202)000150(3300)000012",
		want: GS1{
			Elements: []Element{{"01", "09501101530003"}, {"3150", "000750"}, {"3162", "000125"}, {"3202", "000150"}, {"3300", "000012"}},
			GTIN:     "09501101530003",
			Measures: []Quantity{{"3150", "l", "750"}, {"3162", "m3", "1.25"}, {"3202", "lb", "1.50"}, {"3300", "kg", "12"}},
		},
	},
	{
		name: "logistic unit: SSCC, content, count",
		raw:  "]C1" + "00009501101530000007" + "0209501101530003" + "3724",
		want: GS1{
			Elements: []Element{{"00", "009501101530000007"}, {"02", "09501101530003"}, {"37", "24"}},
			SSCC:     "009501101530000007", Content: "09501101530003", GTIN: "09501101530003", Count: 24,
		},
	},
	{
		name: "variable count, price, variant",
		raw:  "(01)99501101530006(30)12(20)07(3922)1250",
		want: GS1{
			Elements: []Element{{"01", "99501101530006"}, {"30", "12"}, {"20", "07"}, {"3922", "1250"}},
			GTIN:     "99501101530006", Count: 12, Price: "12.50",
		},
	},
	{
		name: "price with ISO currency (HKD)",
		raw:  "(01)09501101530003(3932)3441250",
		want: GS1{
			Elements: []Element{{"01", "09501101530003"}, {"3932", "3441250"}},
			GTIN:     "09501101530003", Price: "12.50", Currency: "344",
		},
	},
	{
		name: "additional ID, order number, GLNs, production time",
		raw:  "(01)09501101530003(240)A-1(400)PO-7/1(414)9501101530003(410)9501101530003(8008)2506151230",
		want: GS1{
			Elements: []Element{{"01", "09501101530003"}, {"240", "A-1"}, {"400", "PO-7/1"}, {"414", "9501101530003"}, {"410", "9501101530003"}, {"8008", "2506151230"}},
			GTIN:     "09501101530003",
		},
	},
	{
		name: "unknown AI of the predefined-length table is kept",
		raw:  "]C1" + "041234567890123456" + "17271231",
		want: GS1{
			Elements: []Element{{"04", "1234567890123456"}, {"17", "271231"}},
			Expiry:   "2027-12-31",
		},
	},
	{
		name: "bracketed with spaces and an escaped bracket",
		raw:  `(01) 09501101530003 (10) A\(1)`,
		want: GS1{
			Elements: []Element{{"01", "09501101530003"}, {"10", "A(1)"}},
			GTIN:     "09501101530003", Lot: "A(1)",
		},
	},
	{
		name: "no AIM: 01 with a valid GTIN starts an element string",
		raw:  "010950110153000317271231",
		want: GS1{
			Elements: []Element{{"01", "09501101530003"}, {"17", "271231"}},
			GTIN:     "09501101530003", Expiry: "2027-12-31",
		},
	},
	{
		name: "same AI twice with the same value",
		raw:  "(10)A(10)A",
		want: GS1{Elements: []Element{{"10", "A"}, {"10", "A"}}, Lot: "A"},
	},
}

func TestGS1ElementStrings(t *testing.T) {
	p := testParser()
	for _, tc := range gs1Cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := p.Parse(tc.raw)
			if err != nil {
				t.Fatal(err)
			}
			if c.GS1 == nil || !reflect.DeepEqual(*c.GS1, tc.want) {
				t.Fatalf("GS1 = %+v\n want %+v", c.GS1, tc.want)
			}
			if c.GTIN != tc.want.GTIN {
				t.Errorf("Code.GTIN = %q, want %q", c.GTIN, tc.want.GTIN)
			}
			checkRoundTrip(t, p, c)
		})
	}
}

func TestGS1Errors(t *testing.T) {
	p := testParser()
	for _, tc := range []struct{ raw, reason string }{
		{"(17)271301", "AI 17: month 13 is not a valid month"},
		{"(17)270229", "AI 17: day 29 is not valid in February 2027"},
		{"(01)09501101530007", "AI 01: GTIN check digit is 7, expected 3"},
		{"(00)009501101530000000", "AI 00: SSCC check digit is 0, expected 7"},
		{"(414)9501101530000", "AI 414: GLN check digit is 0, expected 3"},
		{"]C101095011015\x1d10ABC", "AI 01 needs 14 digits, got 9"},
		{"]C1010950110153000317140", "AI 17 needs 6 digits, got 3"},
		{"(01)0950110153000X", "AI 01: character 'X' at position 14 is not a digit"},
		{"(10)ABCDEFGHIJKLMNOPQRSTU", "AI 10 allows at most 20 characters, got 21"},
		{"(10)(21)X", "AI 10 needs at least 1 character, got 0"},
		{"(10)AB C", "AI 10: character ' ' at position 3 is not allowed"},
		{"(10)AB\u00e9", "AI 10: character 'é' at position 3 is not allowed"},
		{"(10)AB<GS>C", `AI 10: "<GS>" is read as a group separator and cannot be part of a value`},
		{"(30)123456789", "AI 30 allows at most 8 digits, got 9"},
		{"(30)12a", "AI 30: character 'a' at position 3 is not a digit"},
		{"(7399)x", "AI 7399 is not a known Application Identifier"},
		{"]C17399x", `no known Application Identifier at "7399x"`},
		{"]C1ABCDEFGHIJK", `no known Application Identifier at "ABCDEFGH…"`},
		{"]C1\x1d", "no GS1 element string found"},
		{"(3106)000001", "AI 3106: decimal point indicator 6 is not valid for AI 310n (at most 5)"},
		{"(10)A(10)B", `AI 10 appears twice with different values ("A" and "B")`},
		{"(01)09501101530003(02)09501101530003", "AI 02 cannot be used together with AI 01"},
		{"(8008)25061524", "AI 8008: hour 24 is not a valid hour"},
		{"(8008)2506151260", "AI 8008: minute 60 is not a valid minute"},
		{"(8008)250615123", "AI 8008: date and time must be YYMMDDHH, YYMMDDHHMM or YYMMDDHHMMSS, got 9 digits"},
		{"(8008)25060012", "AI 8008: day 00 is not allowed here"},
		{"(7007)2501012501", "AI 7007: a date range needs 12 digits, got 10"},
		{"(4307)H", "AI 4307 needs 2 characters, got 1"},
		{"0109501101530003" + "1", `no known Application Identifier at "1"`},
		{"]Q3(01)09501101530003x", "AI 01 needs 14 digits, got 15"},
	} {
		c, err := p.Parse(tc.raw)
		if c.GTIN != "" || c.GS1 != nil {
			t.Errorf("%q: failed parse kept GTIN %q / GS1 %v", tc.raw, c.GTIN, c.GS1)
		}
		t.Run(tc.raw, func(t *testing.T) { wantReason(t, err, tc.reason) })
	}
}

func TestGS1Formatters(t *testing.T) {
	g := &GS1{Elements: []Element{{"01", "09501101530003"}, {"10", "A(1"}, {"3103", "001250"}, {"21", "X"}, {"17", "270331"}}}
	if got, want := g.String(), `(01)09501101530003(10)A\(1(3103)001250(21)X(17)270331`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := g.ElementString(), "0109501101530003"+"10A(1\x1d"+"3103001250"+"21X\x1d"+"17270331"; got != want {
		t.Errorf("ElementString() = %q, want %q", got, want)
	}
	var nilG *GS1
	if nilG.String() != "" || nilG.ElementString() != "" {
		t.Error("nil GS1 must format as empty")
	}
}
