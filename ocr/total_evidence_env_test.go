package ocr

// TotalEvidenceFromEnv turns the total's evidence vote (total_evidence.go)
// off (OCR_TOTAL_EVIDENCE=0) or on (1) in the benchmarks; it returns a
// function restoring the previous setting.
func TotalEvidenceFromEnv() (restore func()) {
	return switchFromEnv(&totalEvidence, "OCR_TOTAL_EVIDENCE")
}

// TotalVotes is the number of totals the evidence vote set since the
// process started.
func TotalVotes() int64 { return totalVotes.Load() }

// TaxIncludedFromEnv turns the reading of a tax row saying the tax is
// included as no tax to add (taxIncluded) off (OCR_TAX_INCLUDED=0) or on.
func TaxIncludedFromEnv() (restore func()) { return switchFromEnv(&includedTax, "OCR_TAX_INCLUDED") }
