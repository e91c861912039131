package stock

import (
	"strings"
	"unicode"
)

// matchLines matches each line to a catalog SKU: by barcode, then by SKU
// code, then by description. A line matched by description only, or not at
// all, needs review.
func (s *Service) matchLines(tx CatalogStore, lines []DocLine) error {
	var names []SKU // loaded when a description is needed
	for i := range lines {
		l := &lines[i]
		if sku, ok, err := s.matchCode(tx, l.Barcode); err != nil {
			return err
		} else if ok {
			l.MatchedSKU, l.MatchedBy, l.MatchConfirmed = sku, "barcode", true
			continue
		}
		if l.SKU != "" {
			m, err := tx.SKUInfo([]string{l.SKU})
			if err != nil {
				return err
			}
			if _, ok := m[l.SKU]; ok {
				l.MatchedSKU, l.MatchedBy, l.MatchConfirmed = l.SKU, "sku", true
				continue
			}
			// Some suppliers key their lines by barcode in the code column.
			if sku, ok, err := s.matchCode(tx, l.SKU); err != nil {
				return err
			} else if ok {
				l.MatchedSKU, l.MatchedBy, l.MatchConfirmed = sku, "barcode", true
				continue
			}
		}
		if strings.TrimSpace(l.Description) == "" {
			l.NeedsReview = true
			l.Problems = append(l.Problems, "no catalog match")
			continue
		}
		if names == nil {
			var err error
			if names, err = tx.CatalogNames(); err != nil {
				return err
			}
		}
		if sku, ok := matchDescription(l.Description, names); ok {
			l.MatchedSKU, l.MatchedBy = sku, "description"
			l.NeedsReview = true
			l.Problems = append(l.Problems, "matched by description only")
		} else {
			l.NeedsReview = true
			l.Problems = append(l.Problems, "no catalog match")
		}
	}
	return nil
}

// matchCode finds the SKU of a barcode ("" or unknown: false).
func (s *Service) matchCode(tx CatalogStore, code string) (string, bool, error) {
	if code == "" || s.codes == nil {
		return "", false, nil
	}
	key, err := s.codes.Key(code)
	if err != nil {
		return "", false, nil
	}
	m, err := tx.LookupBarcodes([]string{key})
	if err != nil {
		return "", false, err
	}
	if b, ok := m[key]; ok && b.PackQty <= 1 {
		return b.SKU, true, nil
	}
	return "", false, nil
}

// matchDescription returns the SKU whose name is clearly the most like
// desc: a similarity of at least 0.6, and 0.15 ahead of the next.
func matchDescription(desc string, catalog []SKU) (string, bool) {
	want := grams(desc)
	if len(want) == 0 {
		return "", false
	}
	best, second, bestSKU := 0.0, 0.0, ""
	for _, k := range catalog {
		sim := max(similarity(want, grams(k.NameZh+" "+k.Name)), similarity(want, grams(k.NameZh)), similarity(want, grams(k.Name)))
		if sim > best {
			best, second, bestSKU = sim, best, k.SKU
		} else if sim > second {
			second = sim
		}
	}
	if best >= 0.6 && best-second >= 0.15 {
		return bestSKU, true
	}
	return "", false
}

// grams returns the character bigrams of s's Han characters and the
// lower-cased words of its other letters and digits.
func grams(s string) map[string]bool {
	out := map[string]bool{}
	var prev rune
	var word strings.Builder
	flush := func() {
		if word.Len() > 0 {
			out[word.String()] = true
			word.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			flush()
			if prev != 0 {
				out[string([]rune{prev, r})] = true
			} else {
				out[string(r)] = true
			}
			prev = r
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word.WriteRune(unicode.ToLower(r))
		default:
			flush()
		}
		prev = 0
	}
	flush()
	return out
}

// similarity is the Dice coefficient of two gram sets.
func similarity(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	n := 0
	for g := range a {
		if b[g] {
			n++
		}
	}
	return 2 * float64(n) / float64(len(a)+len(b))
}
