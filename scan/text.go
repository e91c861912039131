package scan

import (
	"unicode/utf8"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/common"
	"golang.org/x/text/transform"
)

// utf8Text returns the text of a read as valid UTF-8, decoded by the rules
// of its symbology (gozxing hands back some texts as raw bytes):
//
//   - Code 128: ISO/IEC 15417 data is ISO-8859-1 (characters 128–255 are
//     written with FNC4); there is no ECI in gozxing's reader.
//   - Data Matrix: ISO/IEC 16022 data is ISO-8859-1 unless an ECI
//     designator says otherwise. gozxing notes the ECI but decodes the
//     designator as an ASCII character and keeps the bytes raw; a
//     designator at the start of the data (after FNC1 for GS1) is
//     understood here: the character is dropped and the rest decoded in
//     the ECI's character set.
//   - QR Code: gozxing already decodes per ECI and the ISO/IEC 18004
//     defaults; like every other symbology, a text that is still not valid
//     UTF-8 is read as ISO-8859-1.
//
// raw is the symbol's data codewords (Data Matrix).
func utf8Text(f gozxing.BarcodeFormat, text string, raw []byte) string {
	switch f {
	case gozxing.BarcodeFormat_CODE_128:
		return latin1(text)
	case gozxing.BarcodeFormat_DATA_MATRIX:
		if t, ok := dataMatrixECI(text, raw); ok {
			return t
		}
		return latin1(text)
	}
	if utf8.ValidString(text) {
		return text
	}
	return latin1(text)
}

// latin1 decodes ISO-8859-1 bytes: each byte is the code point of the same
// value.
func latin1(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		ascii = ascii && s[i] < utf8.RuneSelf
	}
	if ascii {
		return s
	}
	out := make([]rune, 0, len(s))
	for i := 0; i < len(s); i++ {
		out = append(out, rune(s[i]))
	}
	return string(out)
}

// dataMatrixECI decodes a Data Matrix text whose data codewords raw start
// with an ECI designator (codeword 241 and one codeword ECI+1, for ECI
// 0–126), possibly after FNC1 (232): gozxing wrote the designator as the
// character ECI at that place in text. It reports false when there is no
// such designator or the character set is unknown.
func dataMatrixECI(text string, raw []byte) (string, bool) {
	i := 0
	if len(raw) > 0 && raw[0] == 232 {
		i = 1
	}
	if len(raw) < i+2 || raw[i] != 241 || raw[i+1] < 1 || raw[i+1] > 127 {
		return "", false
	}
	eci := int(raw[i+1]) - 1
	if len(text) <= i || int(text[i]) != eci {
		return "", false
	}
	cs, err := common.GetCharacterSetECIByValue(eci)
	if err != nil || cs == nil {
		return "", false
	}
	data := text[:i] + text[i+1:]
	out, _, err := transform.String(cs.GetCharset().NewDecoder(), data)
	if err != nil || !utf8.ValidString(out) {
		return "", false
	}
	return out, true
}
