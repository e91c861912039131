package scan

import "strings"

// code39FullASCII decodes Code 39 "full ASCII" shift pairs ($A → SOH,
// %A → ESC, /A → !, +A → a …) in s. ok is false when s has no shift pair or
// an invalid one, in which case s is plain Code 39 and stays as it is.
func code39FullASCII(s string) (string, bool) {
	if !strings.ContainsAny(s, "$%/+") {
		return s, false
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !strings.ContainsRune("$%/+", rune(c)) {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(s) {
			return s, false
		}
		i++
		n := s[i]
		var out byte
		switch c {
		case '+':
			if n < 'A' || n > 'Z' {
				return s, false
			}
			out = n + 32
		case '$':
			if n < 'A' || n > 'Z' {
				return s, false
			}
			out = n - 64
		case '%':
			switch {
			case n >= 'A' && n <= 'E':
				out = n - 38
			case n >= 'F' && n <= 'J':
				out = n - 11
			case n >= 'K' && n <= 'O':
				out = n + 16
			case n >= 'P' && n <= 'T':
				out = n + 43
			case n == 'U':
				out = 0
			case n == 'V':
				out = '@'
			case n == 'W':
				out = '`'
			case n >= 'X' && n <= 'Z':
				out = 127
			default:
				return s, false
			}
		case '/':
			switch {
			case n >= 'A' && n <= 'O':
				out = n - 32
			case n == 'Z':
				out = ':'
			default:
				return s, false
			}
		}
		b.WriteByte(out)
	}
	return b.String(), true
}
