package ocr

// InkSheetsFromEnv turns the coloured ink's lightening on sheets
// (dropInkOnSheets, inksheet.go) on or off in the benchmarks:
// OCR_DROP_INK_SHEETS=1 on, 0 off. It returns a function restoring the
// previous setting.
func InkSheetsFromEnv() (restore func()) {
	return switchFromEnv(&dropInkOnSheets, "OCR_DROP_INK_SHEETS")
}

// SlantedRulesFromEnv turns the removal of leaning rules (slantedRules,
// rules_slant.go) on or off in the benchmarks: OCR_SLANTED_RULES=1 on, 0
// off. It returns a function restoring the previous setting.
func SlantedRulesFromEnv() (restore func()) { return switchFromEnv(&slantedRules, "OCR_SLANTED_RULES") }

// CloseSplitsFromEnv turns checkNameSplit's flags (namesplit.go) on or
// off in the benchmarks: OCR_CLOSE_SPLITS=1 on, 0 off.
func CloseSplitsFromEnv() (restore func()) {
	return switchFromEnv(&flagCloseSplits, "OCR_CLOSE_SPLITS")
}

// LeaningRuleCountFromEnv turns the tilt-tolerant rule count of
// inkOverTable's gate (leaningRuleCount, rules_lean_count.go) on or off
// in the benchmarks: OCR_LEANING_RULE_COUNT=1 on, 0 off.
func LeaningRuleCountFromEnv() (restore func()) {
	return switchFromEnv(&leaningRuleCount, "OCR_LEANING_RULE_COUNT")
}

// InkMarksFromEnv turns inkOverTable's hand-mark gate (inkMarksGate,
// inkmarks.go) on or off in the benchmarks: OCR_INK_MARKS=1 on, 0 off.
func InkMarksFromEnv() (restore func()) { return switchFromEnv(&inkMarksGate, "OCR_INK_MARKS") }
