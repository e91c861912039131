package scan

import (
	"strings"
	"testing"
)

// No AI may be a prefix of another, or element strings would be ambiguous.
func TestAITablePrefixFree(t *testing.T) {
	for a := range aiTable {
		for b := range aiTable {
			if a != b && strings.HasPrefix(b, a) {
				t.Errorf("AI %s is a prefix of AI %s", a, b)
			}
		}
	}
}

// Every AI whose first two digits are in GS1's predefined-length table must
// have that fixed length, since no separator follows it.
func TestAITableAgreesWithPredefinedLengths(t *testing.T) {
	for ai, sp := range aiTable {
		n, ok := predefinedLength[ai[:2]]
		if !ok {
			continue
		}
		if !sp.fixed() || sp.max != n || len(ai) != predefinedAILen(ai[:2]) {
			t.Errorf("AI %s: length %d..%d, AI length %d; predefined table says %d data digits", ai, sp.min, sp.max, len(ai), n)
		}
	}
}

func TestSpecFor(t *testing.T) {
	for _, ai := range []string{"01", "10", "3103", "3925", "8008", "414", "04", "14", "418", "3180"} {
		if _, err := specFor(ai); err != nil {
			t.Errorf("specFor(%s): %v", ai, err)
		}
	}
	for _, tc := range []struct{ ai, reason string }{
		{"3106", "AI 3106: decimal point indicator 6 is not valid for AI 310n (at most 5)"},
		{"3944", "AI 3944: decimal point indicator 4 is not valid for AI 394n (at most 3)"},
		{"7399", "AI 7399 is not a known Application Identifier"},
		{"05", "AI 05 is not a known Application Identifier"},
		{"041", "AI 041 is not a known Application Identifier"},
	} {
		_, err := specFor(tc.ai)
		wantReason(t, err, tc.reason)
	}
}

func TestGS1Year(t *testing.T) {
	for _, tc := range []struct{ yy, now, want int }{
		{25, 2025, 2025},
		{75, 2025, 2075}, // +50: same century
		{76, 2025, 1976}, // +51: previous century
		{99, 2025, 1999},
		{0, 2025, 2000},
		{30, 2080, 2130}, // -50: next century
		{31, 2080, 2031}, // -49: same century
		{50, 1999, 1950}, // -49: same century
		{49, 1999, 2049}, // -50: next century
	} {
		if got := gs1Year(tc.yy, tc.now); got != tc.want {
			t.Errorf("gs1Year(%02d, %d) = %d, want %d", tc.yy, tc.now, got, tc.want)
		}
	}
}

func TestGS1Date(t *testing.T) {
	for _, tc := range []struct {
		in      string
		day00   bool
		want    string
		problem string
	}{
		{"140704", true, "2014-07-04", ""},
		{"270200", true, "2027-02-28", ""},
		{"280200", true, "2028-02-29", ""},
		{"251200", true, "2025-12-31", ""},
		{"280229", true, "2028-02-29", ""},
		{"270229", true, "", "day 29 is not valid in February 2027"},
		{"270431", true, "", "day 31 is not valid in April 2027"},
		{"271301", true, "", "month 13 is not a valid month"},
		{"270001", true, "", "month 00 is not a valid month"},
		{"270100", false, "", "day 00 is not allowed here"},
	} {
		got, problem := gs1Date(tc.in, 2025, tc.day00)
		if got != tc.want || problem != tc.problem {
			t.Errorf("gs1Date(%s) = %q, %q; want %q, %q", tc.in, got, problem, tc.want, tc.problem)
		}
	}
}

func TestFormatDecimal(t *testing.T) {
	for _, tc := range []struct {
		v    string
		n    int
		want string
	}{
		{"001250", 3, "1.250"},
		{"001250", 0, "1250"},
		{"000000", 2, "0.00"},
		{"5", 2, "0.05"},
		{"123456", 5, "1.23456"},
		{"1250", 2, "12.50"},
		{"000000000000001", 9, "0.000000001"},
	} {
		if got := formatDecimal(tc.v, tc.n); got != tc.want {
			t.Errorf("formatDecimal(%q, %d) = %q, want %q", tc.v, tc.n, got, tc.want)
		}
	}
}
