package ocr

import "testing"

// TestDateSpacedAndGlued: a date read with spaces round its separators,
// or glued to the time printed after it, is still a date; numbers joined
// across spaces count only with a four-digit year.
func TestDateSpacedAndGlued(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Date : 19 / 11 / 2025", "2025-11-19"},
		{"Issued 2025 - 11 - 19", "2025-11-19"},
		{"19/11/ 2025 Cashier 4", "2025-11-19"},
		{"19-11-202508:41 T3", "2025-11-19"},
		{"2025-11-1908:41:07", "2025-11-19"},
		{"19.11.2025 08:41", "2025-11-19"},
		// Not dates: two-digit years joined across spaces, a quantity and
		// prices.
		{"Table 3 / 4 / 11 guests", ""},
		{"2 x 3.50 - 1.20", ""},
		{"32 / 11 / 2025", ""},
	}
	for _, c := range cases {
		got, _, ok := ParseDate(c.in)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("ParseDate(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}
