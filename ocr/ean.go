package ocr

import "pandian/scan"

// validEAN13 reports whether s is 13 digits with a correct GS1 check digit
// (the barcode engine's rule).
func validEAN13(s string) bool { return len(s) == 13 && scan.ValidGTIN(s) }
