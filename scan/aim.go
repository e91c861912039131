package scan

import (
	"strings"
	"unicode"
)

// Values of Code.Format.
const (
	// FormatEAN13 is an EAN-13 symbol (13 digits not starting with 0).
	FormatEAN13 = "EAN_13"
	// FormatEAN8 is an EAN-8 symbol.
	FormatEAN8 = "EAN_8"
	// FormatUPCA is a UPC-A symbol (12 digits, or 13 starting with 0).
	FormatUPCA = "UPC_A"
	// FormatUPCE is a UPC-E symbol.
	FormatUPCE = "UPC_E"
	// FormatITF is an Interleaved 2 of 5 symbol, usually an ITF-14 carton code.
	FormatITF = "ITF"
	// FormatCode128 is a Code 128 symbol that is not GS1-128.
	FormatCode128 = "CODE_128"
	// FormatGS1128 is a GS1-128 symbol (Code 128 with FNC1 first).
	FormatGS1128 = "GS1_128"
	// FormatCode39 is a Code 39 symbol.
	FormatCode39 = "CODE_39"
	// FormatQRCode is a QR Code symbol (GS1 or not).
	FormatQRCode = "QR_CODE"
	// FormatDataMatrix is a Data Matrix symbol (GS1 or not).
	FormatDataMatrix = "DATA_MATRIX"
	// FormatGS1DataBar is any GS1 DataBar symbol.
	FormatGS1DataBar = "GS1_DATABAR"
	// FormatDigitalLink is a GS1 Digital Link URI, whatever symbol carried it.
	FormatDigitalLink = "DIGITAL_LINK"
)

// splitAIM separates an AIM symbology identifier "]cm" (']', a letter for
// the symbology, a letter or digit for the modifier) from the data. It
// returns the identifier without ']' ("" when there is none) and the data,
// trimmed again.
func splitAIM(s string) (sym, data string) {
	if len(s) >= 3 && s[0] == ']' && isASCIILetter(s[1]) && (isASCIILetter(s[2]) || s[2] >= '0' && s[2] <= '9') {
		return s[1:3], trimScan(s[3:])
	}
	return "", s
}

// aimFormat returns the Format implied by a symbology identifier alone; ""
// for none, for symbologies outside the Format list, and for EAN/UPC, whose
// exact format depends on the number of digits.
func aimFormat(sym string) string {
	if sym == "" {
		return ""
	}
	switch sym[0] {
	case 'A':
		return FormatCode39
	case 'C':
		if sym == "C1" {
			return FormatGS1128
		}
		return FormatCode128
	case 'd':
		return FormatDataMatrix
	case 'e':
		return FormatGS1DataBar
	case 'I':
		return FormatITF
	case 'Q':
		return FormatQRCode
	}
	return ""
}

// aimIsGS1 reports whether the symbology identifier says GS1 data follows:
// ]C1 GS1-128, ]e0 (any ]e) GS1 DataBar, ]d2/]d5 GS1 Data Matrix,
// ]Q3/]Q4 GS1 QR Code.
func aimIsGS1(sym string) bool {
	switch sym {
	case "C1", "d2", "d5", "Q3", "Q4":
		return true
	}
	return sym != "" && sym[0] == 'e'
}

// aimMayHoldGS1 reports whether a symbology that did not flag GS1 data may
// still carry an element string written without FNC1 (Code 128, Data Matrix
// and QR Code made by non-GS1 software), or none was sent.
func aimMayHoldGS1(sym string) bool {
	return sym == "" || sym[0] == 'C' || sym[0] == 'd' || sym[0] == 'Q'
}

// trimScan removes what scanners and keyboard wedges add around the data:
// spaces, CR, LF, tabs and other control characters, except GS (FNC1),
// which is meaningful at the start of GS1 data.
func trimScan(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return r != gs && (unicode.IsSpace(r) || unicode.IsControl(r))
	})
}

func isASCIILetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
