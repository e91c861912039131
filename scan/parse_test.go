package scan

import (
	"reflect"
	"testing"
)

// parseCases cover the raw forms Parse understands. gtins nil means no
// GTIN; a non-empty err is the expected ParseError Reason.
var parseCases = []struct {
	name   string
	raw    string
	sym    string
	format string
	text   string // "" means raw itself when sym is ""; checked only without err
	gtins  []string
	err    string
}{
	// Plain digits, no symbology identifier.
	{name: "EAN-13", raw: "4006381333931", format: "EAN_13", gtins: []string{"04006381333931"}},
	{name: "EAN-13, wedge CR LF", raw: "4006381333931\r\n", format: "EAN_13", text: "4006381333931", gtins: []string{"04006381333931"}},
	{name: "EAN-13, spaces and tab", raw: " 4006381333931\t", format: "EAN_13", text: "4006381333931", gtins: []string{"04006381333931"}},
	{name: "EAN-13 bad check digit", raw: "4006381333937", err: "GTIN check digit is 7, expected 1"},
	{name: "Hong Kong EAN-13", raw: "4891234567898", format: "EAN_13", gtins: []string{"04891234567898"}},
	{name: "UPC-A", raw: "036000291452", format: "UPC_A", gtins: []string{"00036000291452"}},
	{name: "UPC-A bad check digit", raw: "036000291450", err: "GTIN check digit is 0, expected 2"},
	{name: "UPC-A as 13 digits", raw: "0036000291452", format: "UPC_A", gtins: []string{"00036000291452"}},
	{name: "GTIN-14 item", raw: "09501101530003", format: "ITF", gtins: []string{"09501101530003"}},
	{name: "GTIN-14 pack keeps its indicator digit", raw: "19501101530000", format: "ITF", gtins: []string{"19501101530000"}},
	{name: "GTIN-14 bad check digit", raw: "19501101530003", err: "GTIN check digit is 3, expected 0"},
	{name: "8 digits valid as UPC-E and EAN-8", raw: "01234565", format: "UPC_E", gtins: []string{"00012345000065", "00000001234565"}},
	{name: "EAN-8", raw: "95011011", format: "EAN_8", gtins: []string{"00000095011011"}},
	{name: "EAN-8 bad check digit", raw: "95011015", err: "EAN-8 check digit is 5, expected 1"},
	{name: "8 digits neither UPC-E nor EAN-8", raw: "01234567",
		err: "neither a valid UPC-E nor a valid EAN-8: UPC-E check digit is 7, expected 5; EAN-8 check digit is 7, expected 5"},
	{name: "variable measure, default layout", raw: "2012345012349", format: "EAN_13", gtins: []string{"02012345000001", "02012345012349"}},
	{name: "variable measure bad check digit", raw: "2012345012345", err: "GTIN check digit is 5, expected 9"},
	{name: "short internal number", raw: "12345"},
	{name: "16 digits starting 01 with a bad GTIN is an internal number", raw: "0109501101530004"},

	// AIM symbology identifiers.
	{name: "]E0 EAN-13", raw: "]E04006381333931", sym: "E0", format: "EAN_13", text: "4006381333931", gtins: []string{"04006381333931"}},
	{name: "]E0 UPC-A as 13 digits", raw: "]E00036000291452", sym: "E0", format: "UPC_A", text: "0036000291452", gtins: []string{"00036000291452"}},
	{name: "]E0 UPC-A", raw: "]E0036000291452", sym: "E0", format: "UPC_A", text: "036000291452", gtins: []string{"00036000291452"}},
	{name: "]E0 8 digits is UPC-E only", raw: "]E001234565", sym: "E0", format: "UPC_E", text: "01234565", gtins: []string{"00012345000065"}},
	{name: "]E0 UPC-E without check digit", raw: "]E00123456", sym: "E0", format: "UPC_E", text: "0123456", gtins: []string{"00012345000065"}},
	{name: "]E0 UPC-E bad number system", raw: "]E07012345", sym: "E0", text: "7012345", err: "UPC-E number system must be 0 or 1, got 7"},
	{name: "]E0 UPC-E bad check digit", raw: "]E001234566", sym: "E0", text: "01234566", err: "UPC-E check digit is 6, expected 5"},
	{name: "]E4 is EAN-8 only", raw: "]E401234565", sym: "E4", format: "EAN_8", text: "01234565", gtins: []string{"00000001234565"}},
	{name: "]E4 wrong length", raw: "]E41234567", sym: "E4", text: "1234567", err: "EAN-8 (]E4) needs 8 digits, got 7"},
	{name: "]E3 EAN-13 with 2-digit add-on", raw: "]E3400638133393112", sym: "E3", format: "EAN_13", text: "400638133393112", gtins: []string{"04006381333931"}},
	{name: "]E3 bad length", raw: "]E312345", sym: "E3", text: "12345", err: "EAN/UPC with add-on (]E3) cannot have 5 digits"},
	{name: "]E2 add-on alone", raw: "]E212345", sym: "E2", text: "12345"},
	{name: "]E0 letters", raw: "]E0ABC", sym: "E0", text: "ABC", err: `EAN/UPC data (]E0) must be digits, got "ABC"`},
	{name: "]E0 9 digits", raw: "]E0123456789", sym: "E0", text: "123456789", err: "EAN/UPC (]E0) sent 9 digits; expected 7, 8, 12 or 13"},
	{name: "]E0 nothing", raw: "]E0\r\n", sym: "E0", err: "nothing follows the symbology identifier ]E0"},
	{name: "]I1 ITF-14", raw: "]I119501101530000", sym: "I1", format: "ITF", text: "19501101530000", gtins: []string{"19501101530000"}},
	{name: "]I1 ITF-14 bad check digit", raw: "]I119501101530003", sym: "I1", format: "ITF", text: "19501101530003", err: "GTIN check digit is 3, expected 0"},
	{name: "]I0 ITF of another length", raw: "]I0123456", sym: "I0", format: "ITF", text: "123456"},
	{name: "]C0 Code 128 carrying an EAN-13", raw: "]C04006381333931", sym: "C0", format: "CODE_128", text: "4006381333931", gtins: []string{"04006381333931"}},
	{name: "]C0 Code 128 internal 13 digits", raw: "]C04006381333937", sym: "C0", format: "CODE_128", text: "4006381333937"},
	{name: "]C0 Code 128 GS1 data without FNC1", raw: "]C00109501101530003", sym: "C0", format: "CODE_128", text: "0109501101530003", gtins: []string{"09501101530003"}},
	{name: "]A0 Code 39", raw: "]A0SKU-00123", sym: "A0", format: "CODE_39", text: "SKU-00123"},
	{name: "Code 39 typed", raw: "SKU-00123"},
	{name: "]C1 GS1-128", raw: "]C1010950110153000317140704\x1d10AB-123", sym: "C1", format: "GS1_128", text: "010950110153000317140704\x1d10AB-123", gtins: []string{"09501101530003"}},
	{name: "]C1 bracketed", raw: "]C1(01)09501101530003", sym: "C1", format: "GS1_128", text: "(01)09501101530003", gtins: []string{"09501101530003"}},
	{name: "]d2 GS1 DataMatrix", raw: "]d20109501101530003\x1d", sym: "d2", format: "DATA_MATRIX", text: "0109501101530003\x1d", gtins: []string{"09501101530003"}},
	{name: "]Q3 GS1 QR", raw: "]Q30109501101530003", sym: "Q3", format: "QR_CODE", text: "0109501101530003", gtins: []string{"09501101530003"}},
	{name: "]e0 GS1 DataBar", raw: "]e00109501101530003", sym: "e0", format: "GS1_DATABAR", text: "0109501101530003", gtins: []string{"09501101530003"}},
	{name: "]e0 DataBar bad GTIN", raw: "]e00109501101530004", sym: "e0", format: "GS1_DATABAR", text: "0109501101530004", err: "AI 01: GTIN check digit is 4, expected 3"},
	{name: "]Q1 QR Digital Link", raw: "]Q1https://id.gs1.org/01/09506000134352", sym: "Q1", format: "DIGITAL_LINK", text: "https://id.gs1.org/01/09506000134352", gtins: []string{"09506000134352"}},
	{name: "]Q1 QR ordinary URL", raw: "]Q1https://example.com/menu", sym: "Q1", format: "QR_CODE", text: "https://example.com/menu"},
	{name: "]d1 Data Matrix text", raw: "]d1HELLO 123", sym: "d1", format: "DATA_MATRIX", text: "HELLO 123"},
	{name: "unknown symbology", raw: "]F0A12345B", sym: "F0", text: "A12345B"},
	{name: "lone ] is data", raw: "]", text: "]"},

	// GS1 data without symbology identifier.
	{name: "bracketed", raw: "(01)09501101530003(17)140704(10)AB-123", gtins: []string{"09501101530003"}},
	{name: "GS-separated", raw: "0109501101530003" + "10AB-123\x1d" + "17140704", gtins: []string{"09501101530003"}},
	{name: "<GS> substitute", raw: "0109501101530003" + "10AB-123<GS>" + "17140704", gtins: []string{"09501101530003"}},
	{name: "leading GS", raw: "\x1d0109501101530003", gtins: []string{"09501101530003"}},
	{name: "01 + GTIN-14", raw: "0109501101530003", gtins: []string{"09501101530003"}},
	{name: "SSCC alone", raw: "00009501101530000007"},
	{name: "bad date", raw: "(01)09501101530003(17)271301", err: "AI 17: month 13 is not a valid month"},
	{name: "GS in text not starting with digits", raw: "ABC\x1dDEF"},

	// Digital Link and URLs.
	{name: "Digital Link", raw: "https://id.gs1.org/01/09506000134352/10/ABC/21/123456", format: "DIGITAL_LINK", gtins: []string{"09506000134352"}},
	{name: "Digital Link bad GTIN", raw: "https://id.gs1.org/01/09506000134353", err: "AI 01: GTIN check digit is 3, expected 2"},
	{name: "ordinary URL", raw: "https://example.com/p/123"},

	// Empty input.
	{name: "empty", raw: "", err: "the scan is empty"},
	{name: "whitespace only", raw: " \r\n\t", err: "the scan is empty"},
}

func TestParse(t *testing.T) {
	p := testParser()
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := p.Parse(tc.raw)
			if tc.err != "" {
				wantReason(t, err, tc.err)
			} else if err != nil {
				t.Fatal(err)
			}
			if c.Raw != tc.raw || c.Symbology != tc.sym {
				t.Errorf("Raw %q Symbology %q; want %q %q", c.Raw, c.Symbology, tc.raw, tc.sym)
			}
			if text := tc.text; tc.err == "" {
				if text == "" && tc.sym == "" {
					text = tc.raw
				}
				if c.Text != text || c.Format != tc.format {
					t.Errorf("Text %q Format %q; want %q %q", c.Text, c.Format, text, tc.format)
				}
			}
			if !reflect.DeepEqual(c.GTINs, tc.gtins) {
				t.Errorf("GTINs = %q, want %q", c.GTINs, tc.gtins)
			}
			checkInvariants(t, p, tc.raw, c, err)
		})
	}
}

func TestParseAddOn(t *testing.T) {
	c, err := testParser().Parse("]E301234565" + "54321")
	if err != nil || c.AddOn != "54321" || c.Format != FormatUPCE || !reflect.DeepEqual(c.GTINs, []string{"00012345000065", "00000001234565"}) {
		t.Fatalf("%+v, %v", c, err)
	}
}

func TestParseErrorMessage(t *testing.T) {
	_, err := Parse("4006381333937")
	if got, want := err.Error(), `scan: cannot read "4006381333937": GTIN check digit is 7, expected 1`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// The package-level Parse uses the real clock; a far-past date must still
// come out in the right century.
func TestParseDefaultParser(t *testing.T) {
	c, err := Parse("(01)09501101530003(17)140704")
	if err != nil || c.GS1.Expiry != "2014-07-04" {
		t.Fatalf("%+v, %v", c.GS1, err)
	}
	var nilParser *Parser
	if c, err := nilParser.Parse("4006381333931"); err != nil || c.GTIN != "04006381333931" {
		t.Fatalf("nil Parser: %+v, %v", c, err)
	}
}
