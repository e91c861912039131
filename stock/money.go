package stock

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Money is an amount in ten-thousandths of the currency unit (HKD or MOP),
// so that unit costs with up to four decimals are exact. It is written as a
// decimal string with two to four decimals, never as a float.
type Money int64

// moneyScale is the number of Money units in one currency unit.
const moneyScale = 10000

// maxMoney bounds parsed amounts so that qty × cost cannot overflow.
const maxMoney = Money(1_000_000_000 * moneyScale)

// ParseMoney parses a decimal string with at most four decimals ("12.5",
// "12.50", "-3.1234"). Exponents, thousands separators and more than four
// decimals are rejected.
func ParseMoney(s string) (Money, error) {
	s = strings.TrimSpace(s)
	bad := func() (Money, error) {
		return 0, Errorf(EInvalid, "%q is not a money amount (a decimal with at most 4 decimals, like \"12.50\")", s)
	}
	if s == "" {
		return bad()
	}
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || len(frac) > 4 || (hasDot && frac == "") || len(whole) > 10 {
		return bad()
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return bad()
			}
		}
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt((frac + "000")[:4], 10, 64)
	}
	m := Money(w*moneyScale + f)
	if m > maxMoney {
		return bad()
	}
	if neg {
		m = -m
	}
	return m, nil
}

// String formats m with two decimals, or up to four when needed.
func (m Money) String() string {
	neg := m < 0
	if neg {
		m = -m
	}
	whole := int64(m) / moneyScale
	frac := int64(m) % moneyScale
	fs := strconv.FormatInt(frac+moneyScale, 10)[1:] // four digits
	fs = strings.TrimRight(fs, "0")
	for len(fs) < 2 {
		fs += "0"
	}
	s := strconv.FormatInt(whole, 10) + "." + fs
	if neg {
		s = "-" + s
	}
	return s
}

// Mul returns m × qty.
func (m Money) Mul(qty int64) Money { return m * Money(qty) }

// Abs returns |m|.
func (m Money) Abs() Money {
	if m < 0 {
		return -m
	}
	return m
}

// MarshalJSON writes m as a JSON string.
func (m Money) MarshalJSON() ([]byte, error) { return json.Marshal(m.String()) }

// UnmarshalJSON reads a JSON string (a JSON number is refused: money is
// never a float).
func (m *Money) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return Errorf(EInvalid, "money must be a decimal string like \"12.50\"")
	}
	v, err := ParseMoney(s)
	if err != nil {
		return err
	}
	*m = v
	return nil
}
