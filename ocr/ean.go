package ocr

// validEAN13 reports whether s is 13 digits with a correct GS1 check digit.
func validEAN13(s string) bool {
	if len(s) != 13 || !allDigits(s) {
		return false
	}
	sum := 0
	for i := 0; i < 12; i++ {
		d := int(s[i] - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return (10-sum%10)%10 == int(s[12]-'0')
}
