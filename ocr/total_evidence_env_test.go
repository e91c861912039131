package ocr

// TotalEvidenceFromEnv turns the total's evidence vote (total_evidence.go)
// on (OCR_TOTAL_EVIDENCE=1) or off (0) in the benchmarks; it returns a
// function restoring the previous setting.
func TotalEvidenceFromEnv() (restore func()) {
	return switchFromEnv(&totalEvidence, "OCR_TOTAL_EVIDENCE")
}

// TotalVotes is the number of totals the evidence vote set since the
// process started.
func TotalVotes() int64 { return totalVotes.Load() }

// TaxIncludedFromEnv turns the reading of a tax row saying the tax is
// included as no tax to add (taxIncluded) on (OCR_TAX_INCLUDED=1) or off.
func TaxIncludedFromEnv() (restore func()) { return switchFromEnv(&includedTax, "OCR_TAX_INCLUDED") }

// WalletPaymentsFromEnv turns Octopus and the phone wallets as payments
// (walletWords) on (OCR_WALLET_PAYMENTS=1) or off.
func WalletPaymentsFromEnv() (restore func()) {
	return switchFromEnv(&walletPayments, "OCR_WALLET_PAYMENTS")
}

// evidenceRulesOn turns the three off-by-default rules of
// total_evidence.go on for a test; it returns a function restoring them.
func evidenceRulesOn() (restore func()) {
	v, t, w := totalEvidence, includedTax, walletPayments
	totalEvidence, includedTax, walletPayments = true, true, true
	return func() { totalEvidence, includedTax, walletPayments = v, t, w }
}
