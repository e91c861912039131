package stock

import (
	"encoding/json"
	"strings"
	"testing"
)

// What ParseMoney accepts, decided here:
//   - a decimal with digits before the point and 0 to 4 after it: "12",
//     "12.5", "12.50", "0.0001";
//   - an optional sign ("-3.10", "+3.10") and surrounding spaces;
//   - leading zeros ("007.50");
//   - at most 1 000 000 000.0000 in absolute value.
//
// Refused: exponents ("1e3"), thousands separators ("1,000.00", "1 000",
// "1_000"), more than four decimals ("1.23456"), a bare point or sign ("",
// "-", "."), a missing whole part (".5") or fraction ("5."), non-ASCII
// digits, and anything else that is not plainly a decimal.
func TestParseMoney(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Money
	}{
		{"0", 0},
		{"0.00", 0},
		{"-0", 0},
		{"12", 120000},
		{"12.5", 125000},
		{"12.50", 125000},
		{"12.345", 123450},
		{"-3.1234", -31234},
		{"+7", 70000},
		{"0.0001", 1},
		{"-0.0001", -1},
		{"007.50", 75000},
		{" 1.5 ", 15000},
		{"\t2\n", 20000},
		{"1000000000", maxMoney},
		{"1000000000.0000", maxMoney},
		{"-1000000000", -maxMoney},
		{"999999999.9999", maxMoney - 1},
	} {
		got, err := ParseMoney(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{
		"", " ", "-", "+", ".", "-.", ".5", "-.5", "5.", "1e3", "1E3", "12.5e1", "1,000.00", "1,5", "1 000", "1_000",
		"1.23456", "0.00001", "1.2.3", "--5", "-+5", "- 5", "12 .5", "abc", "12a", "0x10", "NaN", "Inf", "-Inf",
		"１２", "12.５", "$12", "12HKD", "1000000000.0001", "-1000000000.0001", "9999999999", "99999999999", "123456789012345678901",
	} {
		got, err := ParseMoney(in)
		if err == nil {
			t.Errorf("ParseMoney(%q) = %d, want an error", in, got)
			continue
		}
		if ErrorCode(err) != EInvalid {
			t.Errorf("ParseMoney(%q) error code = %q, want invalid", in, ErrorCode(err))
		}
	}
}

func TestMoneyString(t *testing.T) {
	for _, c := range []struct {
		m    Money
		want string
	}{
		{0, "0.00"},
		{1, "0.0001"},
		{10, "0.001"},
		{100, "0.01"},
		{5000, "0.50"},
		{10000, "1.00"},
		{125000, "12.50"},
		{123450, "12.345"},
		{123456, "12.3456"},
		{-1, "-0.0001"},
		{-5000, "-0.50"},
		{-31234, "-3.1234"},
		{maxMoney, "1000000000.00"},
		{-maxMoney, "-1000000000.00"},
	} {
		if got := c.m.String(); got != c.want {
			t.Errorf("Money(%d).String() = %q, want %q", int64(c.m), got, c.want)
		}
		back, err := ParseMoney(c.want)
		if err != nil || back != c.m {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", c.want, back, err, c.m)
		}
	}
}

func TestMoneyArithmetic(t *testing.T) {
	cost := Money(33333) // 3.3333
	if got := cost.Mul(3); got != 99999 || got.String() != "9.9999" {
		t.Errorf("3.3333 × 3 = %s", got)
	}
	if got := cost.Mul(-2); got != -66666 {
		t.Errorf("3.3333 × -2 = %s", got)
	}
	if got := Money(-5).Abs(); got != 5 {
		t.Errorf("Abs(-5) = %d", got)
	}
	if got := Money(5).Abs(); got != 5 {
		t.Errorf("Abs(5) = %d", got)
	}
}

func TestMoneyJSON(t *testing.T) {
	type doc struct {
		Cost  Money  `json:"cost"`
		Limit *Money `json:"limit"`
	}
	b, err := json.Marshal(doc{Cost: 125000})
	if err != nil || string(b) != `{"cost":"12.50","limit":null}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	lim := Money(-1)
	b, _ = json.Marshal(doc{Cost: 1, Limit: &lim})
	if string(b) != `{"cost":"0.0001","limit":"-0.0001"}` {
		t.Fatalf("Marshal = %s", b)
	}

	var d doc
	if err := json.Unmarshal([]byte(`{"cost":"12.5","limit":"3"}`), &d); err != nil || d.Cost != 125000 || d.Limit == nil || *d.Limit != 30000 {
		t.Fatalf("Unmarshal = %+v, %v", d, err)
	}
	// A null limit is no limit.
	d = doc{}
	if err := json.Unmarshal([]byte(`{"cost":"1","limit":null}`), &d); err != nil || d.Limit != nil {
		t.Fatalf("Unmarshal null pointer = %+v, %v", d, err)
	}
	// Money is never a float, a bare number, or anything but a decimal
	// string. A null amount is refused too (use *Money for optional
	// amounts).
	for _, in := range []string{`12.5`, `12`, `1e3`, `"1e3"`, `"1,000.00"`, `"1.23456"`, `""`, `true`, `["1"]`, `{"v":"1"}`, `null`} {
		var m Money
		err := json.Unmarshal([]byte(in), &m)
		if err == nil {
			t.Errorf("Unmarshal(%s) = %d, want an error", in, m)
			continue
		}
		if ErrorCode(err) != EInvalid {
			t.Errorf("Unmarshal(%s) error code = %q (%v), want invalid", in, ErrorCode(err), err)
		}
		if m != 0 {
			t.Errorf("Unmarshal(%s) changed the value to %d", in, m)
		}
	}
	// Inside a document the domain error is what the caller gets.
	err = json.Unmarshal([]byte(`{"cost":12.5}`), &d)
	if ErrorCode(err) != EInvalid || !strings.Contains(ErrorMessage(err), "decimal string") {
		t.Fatalf("Unmarshal number in a document: %v", err)
	}
}

// FuzzParseMoney: ParseMoney never panics, stays within bounds, and what it
// parses formats back to itself.
func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"0", "12.50", "-3.1234", "+7", ".5", "5.", "1e3", "1,000.00", "1000000000", "1000000000.0001",
		"9999999999.9999", " 1.5 ", "-", "", "00.0000", "１２"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMoney(s)
		if err != nil {
			if ErrorCode(err) != EInvalid {
				t.Fatalf("ParseMoney(%q): error code %q", s, ErrorCode(err))
			}
			return
		}
		if m.Abs() > maxMoney {
			t.Fatalf("ParseMoney(%q) = %d, beyond the bound", s, m)
		}
		str := m.String()
		back, err := ParseMoney(str)
		if err != nil || back != m {
			t.Fatalf("ParseMoney(%q) = %d; String = %q; parsed back %d, %v", s, m, str, back, err)
		}
		whole, frac, ok := strings.Cut(str, ".")
		if !ok || len(frac) < 2 || len(frac) > 4 || whole == "" || whole == "-" {
			t.Fatalf("Money(%d).String() = %q: not a decimal with 2 to 4 decimals", m, str)
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var j Money
		if err := json.Unmarshal(b, &j); err != nil || j != m {
			t.Fatalf("JSON round trip of %d: %s → %d, %v", m, b, j, err)
		}
	})
}
