package scan

import (
	"reflect"
	"testing"
)

// dlCases are GS1 Digital Link URIs and the GS1 data expected from them;
// a nil want means "an ordinary URL: no GTIN, no error".
var dlCases = []struct {
	name string
	raw  string
	want *GS1
}{
	{
		name: "GS1 Digital Link standard example",
		raw:  "https://id.gs1.org/01/09506000134352/10/ABC/21/123456",
		want: &GS1{
			Elements: []Element{{"01", "09506000134352"}, {"10", "ABC"}, {"21", "123456"}},
			GTIN:     "09506000134352", Lot: "ABC", Serial: "123456",
		},
	},
	{
		name: "any host, path prefix, query attributes, percent-decoding, other parameters ignored",
		raw:  "https://shop.example.hk/p/x/01/09506000134352/10/AB%2F1%2B2?17=270200&3103=001250&linkType=gs1:pip#top",
		want: &GS1{
			Elements: []Element{{"01", "09506000134352"}, {"10", "AB/1+2"}, {"17", "270200"}, {"3103", "001250"}},
			GTIN:     "09506000134352", Lot: "AB/1+2", Expiry: "2027-02-28",
			Measures: []Quantity{{"3103", "kg", "1.250"}},
		},
	},
	{
		name: "GTIN-13 in the path is padded to 14 digits, CPV qualifier, upper-case scheme",
		raw:  "HTTPS://id.example.com/01/4006381333931/22/2A/10/L1?15=251200",
		want: &GS1{
			Elements: []Element{{"01", "04006381333931"}, {"22", "2A"}, {"10", "L1"}, {"15", "251200"}},
			GTIN:     "04006381333931", Lot: "L1", BestBefore: "2025-12-31",
		},
	},
	{
		name: "GTIN-8 in the path, http",
		raw:  "http://example.com/01/95011011/",
		want: &GS1{Elements: []Element{{"01", "00000095011011"}}, GTIN: "00000095011011"},
	},
	{
		name: "SSCC primary key",
		raw:  "https://example.com/00/009501101530000007",
		want: &GS1{Elements: []Element{{"00", "009501101530000007"}}, SSCC: "009501101530000007"},
	},
	{
		name: "GLN with extension",
		raw:  "https://example.com/414/9501101530003/254/5",
		want: &GS1{Elements: []Element{{"414", "9501101530003"}, {"254", "5"}}},
	},
	{name: "ordinary URL", raw: "https://example.com/menu?table=5"},
	{name: "01 followed by a non-GTIN", raw: "https://example.com/01/abc"},
	{name: "blog date archive", raw: "https://example.com/2024/01/15/post"},
	{name: "not http", raw: "ftp://example.com/01/09506000134352"},
}

func TestDigitalLink(t *testing.T) {
	p := testParser()
	for _, tc := range dlCases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := p.Parse(tc.raw)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == nil {
				if c.GS1 != nil || c.GTIN != "" || c.Format != "" {
					t.Fatalf("ordinary URL parsed as %+v", c)
				}
				return
			}
			if !reflect.DeepEqual(c.GS1, tc.want) {
				t.Fatalf("GS1 = %+v\n want %+v", c.GS1, tc.want)
			}
			if c.Format != FormatDigitalLink || c.GTIN != tc.want.GTIN {
				t.Errorf("Format %q GTIN %q", c.Format, c.GTIN)
			}
			checkRoundTrip(t, p, c)
		})
	}
}

func TestDigitalLinkErrors(t *testing.T) {
	p := testParser()
	for _, tc := range []struct{ raw, reason string }{
		{"https://id.gs1.org/01/09506000134353", "AI 01: GTIN check digit is 3, expected 2"},
		{"https://id.gs1.org/01/09506000134352/21/1/10/A", "Digital Link path: AI 10 must come before AI 21"},
		{"https://id.gs1.org/01/09506000134352/17/270331", `Digital Link path: "17" is not a key qualifier of AI 01`},
		{"https://id.gs1.org/01/09506000134352/10", "Digital Link path ends with AI 10, which has no value"},
		{"https://id.gs1.org/01/09506000134352/some-product", `Digital Link path: "some-product" is not a key qualifier of AI 01`},
		{"https://id.gs1.org/01/09506000134352?17=271301", "AI 17: month 13 is not a valid month"},
		{"https://id.gs1.org/01/09506000134352?10=%ZZ", `Digital Link query: bad percent-encoding in "10=%ZZ"`},
		{"https://id.gs1.org/01/09506000134352/10/A?10=B", `AI 10 appears twice with different values ("A" and "B")`},
		{"https://id.gs1.org/01/09506000134352/10/A%20B", "AI 10: character ' ' at position 2 is not allowed"},
		{"https://id.gs1.org/01/09506000134352?7399=1", "AI 7399 is not a known Application Identifier"},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			_, err := p.Parse(tc.raw)
			wantReason(t, err, tc.reason)
		})
	}
}
