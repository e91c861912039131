package ocr_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"pandian/fixtures/documents/families"
	"pandian/ocr"
	"pandian/ocr/realtruth"
)

// familyCase is one render of the families benchmark.
type familyCase struct {
	Family, Font string
	Seed         int64
	HeldOut      bool
}

// familySample returns perFamily renders of every layout family (seeds 1,
// 2, …), in a fixed order, chosen so that every family and every font
// appears on each side of the split it can be on: a tuning family is drawn
// alternately in a tuning font (a tuning case) and in a held-out font (a
// held-out case), the fonts of each kind taken in turn; a held-out family
// takes all fonts in turn. With perFamily = 2 that is 34 renders: 11
// tuning cases (every tuning family and tuning font) and 23 held-out
// (every held-out family and font, and every tuning family in a held-out
// font).
func familySample(perFamily int) []familyCase {
	var tf, hf []string
	for _, fo := range families.Fonts() {
		if fo.HeldOut {
			hf = append(hf, fo.Key)
		} else {
			tf = append(tf, fo.Key)
		}
	}
	all := append(append([]string(nil), tf...), hf...)
	var tuning, held []familyCase
	ti, hi := 0, 0
	for _, f := range families.All() {
		for i := range perFamily {
			var font string
			switch {
			case f.HeldOut:
				font = all[(hi*perFamily+i)%len(all)]
			case i%2 == 0:
				font = tf[(ti+i/2)%len(tf)]
			default:
				font = hf[(ti+i/2)%len(hf)]
			}
			c := familyCase{Family: f.Name, Font: font, Seed: int64(i + 1), HeldOut: families.HeldOut(f.Name, font)}
			if c.HeldOut {
				held = append(held, c)
			} else {
				tuning = append(tuning, c)
			}
		}
		if f.HeldOut {
			hi++
		} else {
			ti++
		}
	}
	return append(tuning, held...)
}

func TestFamilySampleCoversSplit(t *testing.T) {
	cases := familySample(2)
	if len(cases) != 2*len(families.All()) {
		t.Fatalf("%d cases, want %d", len(cases), 2*len(families.All()))
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if c.HeldOut != families.HeldOut(c.Family, c.Font) {
			t.Errorf("%v: split wrong", c)
		}
		seen[strconv.FormatBool(c.HeldOut)+"/fam/"+c.Family] = true
		seen[strconv.FormatBool(c.HeldOut)+"/font/"+c.Font] = true
	}
	for _, f := range families.All() {
		if !seen["true/fam/"+f.Name] {
			t.Errorf("family %s never held out", f.Name)
		}
		if !f.HeldOut && !seen["false/fam/"+f.Name] {
			t.Errorf("tuning family %s has no tuning case", f.Name)
		}
	}
	for _, fo := range families.Fonts() {
		if !seen["true/font/"+fo.Key] {
			t.Errorf("font %s never in a held-out case", fo.Key)
		}
		if !fo.HeldOut && !seen["false/font/"+fo.Key] {
			t.Errorf("tuning font %s has no tuning case", fo.Key)
		}
	}
}

// centsStr formats cents as a two-decimal string.
func centsStr(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// famLine is an extracted line as the families benchmark scores it.
type famLine struct {
	realtruth.Line
	Code string // SKU or barcode read, empty when none
}

// scoreFamilyLines matches extracted lines one to one with the truth items
// (greedily, in order), with the real-documents rule: a line is right when
// its money matches (qty and unit price, or the amount; realtruth) and it
// names the item, by its description (realtruth.Overlaps, against the
// description as printed) or, when the page prints a code column, by the
// code. The generator's truth names a catalog SKU even when no code is
// printed; that code is then never required.
func scoreFamilyLines(doc *families.Document, lines []famLine) realtruth.Score {
	s := realtruth.Score{Truth: len(doc.Items), Got: len(lines)}
	used := make([]bool, len(doc.Items))
	for _, l := range lines {
		switch {
		case matchFamilyLine(doc, l, used):
			s.Right++
		case !l.NeedsReview:
			s.WrongUnflagged++
		}
	}
	return s
}

// matchFamilyLine reports whether l is one of the truth items not yet
// used (scoreFamilyLines' rule), marking it used.
func matchFamilyLine(doc *families.Document, l famLine, used []bool) bool {
	codePrinted := slices.Contains(doc.Render.Columns, "code")
	for i, it := range doc.Items {
		if used[i] {
			continue
		}
		ti := realtruth.Item{Desc: it.Description, Qty: int64(it.Qty), UnitPrice: centsStr(int64(it.UnitPrice)), Amount: centsStr(int64(it.Amount))}
		money := l.Amount == ti.Amount || l.UnitPrice == ti.UnitPrice && l.Qty == ti.Qty
		named := realtruth.Overlaps(ti.Desc, l.Desc) || codePrinted && l.Code != "" && l.Code == it.SKU
		if money && named {
			used[i] = true
			return true
		}
	}
	return false
}

// famTally is one side of the split for the engine and the baseline.
type famTally struct {
	docs                           int
	ours, bare                     realtruth.Score
	number, date, total            int // engine, right
	bDate, bTotal                  int // baseline, right
	oursCPU, bareCPU, oursW, bareW []time.Duration
}

// BenchmarkFamilies renders a fixed sample of the generated layout
// families (fixtures/documents/families; familySample,
// OCR_FAMILIES_PER renders per family, default 2) and reads each photo
// with the engine (one worker) and, in the same run, with bare `tesseract
// --psm 6` and the real-documents benchmark's naive row rule
// (realtruth.Naive). It prints line-item precision, recall and F1 and the
// header fields (number, date, total) for TUNING and HELD-OUT renders
// separately (held-out: family or font held out; the figure that counts),
// and CPU and wall time per page against bare Tesseract. Skipped when a
// font is not installed. OCR_FAMILIES_ONLY=<substring>[,<substring>…] keeps the renders
// whose id contains one of them; OCR_FAMILIES_VERBOSE=1 prints each render's truth
// and the engine's lines; OCR_FAMILIES_HALF=tuning (or held-out) keeps one
// side of the split; OCR_FAMILIES_CACHE=<dir> keeps the pages read (a
// development aid, see familyRead). Run with -benchtime=1x.
func BenchmarkFamilies(b *testing.B) {
	if _, err := exec.LookPath("tesseract"); err != nil {
		b.Skip("tesseract CLI not installed")
	}
	per := 2
	if v, err := strconv.Atoi(os.Getenv("OCR_FAMILIES_PER")); err == nil && v > 0 {
		per = v
	}
	cases := familySample(per)
	only, verbose := os.Getenv("OCR_FAMILIES_ONLY"), os.Getenv("OCR_FAMILIES_VERBOSE") != ""
	half, cache := os.Getenv("OCR_FAMILIES_HALF"), os.Getenv("OCR_FAMILIES_CACHE")
	// OCR_FAMILIES_SHARD=k/n keeps every n-th render from the k-th (0-based):
	// n processes share one sample (with one OCR_FAMILIES_CACHE, a last
	// cached run adds them up). OCR_FAMILIES_SKIP_BARE=1 leaves out bare
	// Tesseract (its figures do not depend on the engine).
	shardK, shardN := 0, 1
	if k, n, ok := strings.Cut(os.Getenv("OCR_FAMILIES_SHARD"), "/"); ok {
		shardK, _ = strconv.Atoi(k)
		shardN, _ = strconv.Atoi(n)
		shardN = max(shardN, 1)
	}
	skipBare := os.Getenv("OCR_FAMILIES_SKIP_BARE") != ""
	// OCR_HEADER_CROPS=1 (0) turns the date's crop look on (off).
	defer ocr.HeaderCropsFromEnv()()
	defer ocr.InkSheetsFromEnv()()
	defer ocr.LeaningRuleCountFromEnv()()
	defer ocr.InkMarksFromEnv()()
	defer ocr.SlantedRulesFromEnv()()
	defer ocr.CellLooksFromEnv()()
	defer ocr.CloseSplitsFromEnv()()
	defer ocr.ClippedAmountsFromEnv()()
	defer ocr.Rcpt2RulesFromEnv()()
	dir := b.TempDir()
	ctx := context.Background()
	for n := 0; n < b.N; n++ {
		e, err := ocr.NewEngine(ocr.Options{Workers: 1, Languages: benchLangs()})
		if err != nil {
			b.Fatal(err)
		}
		// OCR_DEWARP=1: as in BenchmarkRealDocuments.
		defer ocr.DewarpFromEnv()()
		sides := map[bool]*famTally{false: {}, true: {}}
		perFam := map[string]*[2]realtruth.Score{} // engine, baseline
		fmt.Printf("%-42s %-5s %5s %5s %5s  %-3s %-3s %-3s | %5s %5s  %-3s %-3s | %6s %6s\n",
			"render", "split", "truth", "got", "right", "no", "dat", "tot", "b-got", "b-rgt", "dat", "tot", "cpu s", "bare s")
		for ci, c := range cases {
			if only != "" && !slices.ContainsFunc(strings.Split(only, ","), func(o string) bool { return strings.Contains(familyCaseID(c), o) }) {
				continue
			}
			if ci%shardN != shardK {
				continue
			}
			if half != "" && half != splitName(c.HeldOut) {
				continue
			}
			r, err := renderFamilyCase(c)
			if families.IsFontMissing(err) {
				b.Skip(err)
			}
			if err != nil {
				b.Fatalf("%v: %v", c, err)
			}
			path := filepath.Join(dir, r.Truth.ID+".jpg")
			if err := os.WriteFile(path, r.JPEG, 0o644); err != nil {
				b.Fatal(err)
			}
			img, err := ocr.LoadImage(bytes.NewReader(r.JPEG), ocr.DefaultLimits)
			if err != nil {
				b.Fatal(err)
			}
			c0, t0 := cpuTime(), time.Now()
			doc, err := familyRead(ctx, e, img, cache, r.Truth.ID)
			if err != nil {
				b.Fatalf("%s: %v", r.Truth.ID, err)
			}
			wall, cpu := time.Since(t0), cpuTime()-c0
			var text string
			var bw, bc time.Duration
			if !skipBare {
				text, bw, bc = familyBare(b, path, cache, r.Truth.ID)
			}
			os.Remove(path)

			var ours, bare []famLine
			for _, l := range doc.Lines {
				code := l.SKU
				if code == "" {
					code = l.Barcode
				}
				ours = append(ours, famLine{Line: ocr.TruthLine(l), Code: code})
			}
			naive := realtruth.Naive(text)
			for _, l := range naive.Lines {
				bare = append(bare, famLine{Line: l})
			}
			tr := r.Truth
			so, sb := scoreFamilyLines(tr, ours), scoreFamilyLines(tr, bare)
			total := centsStr(int64(tr.Total))
			hn, hd, ht := doc.Header.DocNumber == tr.DocNumber, doc.Header.Date == tr.Date, doc.Header.Total == total
			bd, bt := naive.Date == tr.Date, naive.Total == total

			t := sides[c.HeldOut]
			t.docs++
			t.ours.Add(so)
			t.bare.Add(sb)
			for _, x := range []struct {
				ok bool
				n  *int
			}{{hn, &t.number}, {hd, &t.date}, {ht, &t.total}, {bd, &t.bDate}, {bt, &t.bTotal}} {
				if x.ok {
					*x.n++
				}
			}
			t.oursCPU, t.oursW = append(t.oursCPU, cpu), append(t.oursW, wall)
			t.bareCPU, t.bareW = append(t.bareCPU, bc), append(t.bareW, bw)
			pf := perFam[c.Family]
			if pf == nil {
				pf = &[2]realtruth.Score{}
				perFam[c.Family] = pf
			}
			pf[0].Add(so)
			pf[1].Add(sb)
			if verbose {
				fmt.Printf("  truth: number %q date %s total %s; engine: number %q date %s total %s\n", tr.DocNumber, tr.Date, total, doc.Header.DocNumber, doc.Header.Date, doc.Header.Total)
				for _, it := range tr.Items {
					fmt.Printf("  truth  %-14s %4d %10s %10s %s\n", it.SKU, it.Qty, centsStr(int64(it.UnitPrice)), centsStr(int64(it.Amount)), it.Description)
				}
				for _, l := range ours {
					fmt.Printf("  engine %-14s %4d %10s %10s %s (review %v)\n", l.Code, l.Qty, l.UnitPrice, l.Amount, l.Desc, l.NeedsReview)
				}
			}
			fmt.Printf("%-42s %-5s %5d %5d %5d  %-3s %-3s %-3s | %5d %5d  %-3s %-3s | %6.2f %6.2f\n",
				r.Truth.ID, splitName(c.HeldOut)[:4], so.Truth, so.Got, so.Right, yn(hn), yn(hd), yn(ht),
				sb.Got, sb.Right, yn(bd), yn(bt), cpu.Seconds(), bc.Seconds())
		}
		e.Close()

		names := make([]string, 0, len(perFam))
		for k := range perFam {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			s := perFam[k]
			fmt.Printf("family %-22s engine P %.3f R %.3f F1 %.3f (%d/%d) | bare F1 %.3f (%d/%d)\n", k,
				s[0].Precision(), s[0].Recall(), s[0].F1(), s[0].Right, s[0].Truth, s[1].F1(), s[1].Right, s[1].Truth)
		}
		if r, k := ocr.CellLookCounts(); r > 0 {
			fmt.Printf("cell looks: %d cells read again, %d kept\n", r, k)
		}
		for _, held := range []bool{false, true} {
			t := sides[held]
			if t.docs == 0 {
				continue
			}
			name := splitName(held)
			nd := float64(t.docs)
			fmt.Printf("== %s (%d renders, %d truth lines)\n", strings.ToUpper(name), t.docs, t.ours.Truth)
			fmt.Printf("engine     lines P %.3f R %.3f F1 %.3f (%d right, %d read, %d wrong unflagged); number %d/%d (%.2f) date %d/%d (%.2f) total %d/%d (%.2f)\n",
				t.ours.Precision(), t.ours.Recall(), t.ours.F1(), t.ours.Right, t.ours.Got, t.ours.WrongUnflagged,
				t.number, t.docs, float64(t.number)/nd, t.date, t.docs, float64(t.date)/nd, t.total, t.docs, float64(t.total)/nd)
			fmt.Printf("bare+regex lines P %.3f R %.3f F1 %.3f (%d right, %d read); date %d/%d (%.2f) total %d/%d (%.2f)\n",
				t.bare.Precision(), t.bare.Recall(), t.bare.F1(), t.bare.Right, t.bare.Got,
				t.bDate, t.docs, float64(t.bDate)/nd, t.bTotal, t.docs, float64(t.bTotal)/nd)
			fmt.Printf("time per page (median): engine %.2f s CPU (%.2f s wall), bare %.2f s CPU (%.2f s wall); CPU total ratio %.2f, wall total ratio %.2f; load average %s\n",
				medianDur(t.oursCPU).Seconds(), medianDur(t.oursW).Seconds(), medianDur(t.bareCPU).Seconds(), medianDur(t.bareW).Seconds(),
				sumDur(t.oursCPU).Seconds()/sumDur(t.bareCPU).Seconds(), sumDur(t.oursW).Seconds()/sumDur(t.bareW).Seconds(), loadAvg())
			p := strings.ReplaceAll(name, "-", "")
			b.ReportMetric(t.ours.F1(), p+"-F1")
			b.ReportMetric(t.ours.Precision(), p+"-P")
			b.ReportMetric(t.bare.F1(), p+"-F1-bare")
			b.ReportMetric(float64(t.total)/nd, p+"-total")
			b.ReportMetric(float64(t.date)/nd, p+"-date")
			b.ReportMetric(float64(t.number)/nd, p+"-number")
			b.ReportMetric(sumDur(t.oursCPU).Seconds()/sumDur(t.bareCPU).Seconds(), p+"-cpu-x-bare")
		}
	}
}

// familyRead reads a render with the engine. With a cache directory (a
// development aid: OCR_FAMILIES_CACHE) the page Tesseract read is kept as
// JSON and later runs only extract from it (their times are then not
// Tesseract's).
func familyRead(ctx context.Context, e *ocr.Engine, img image.Image, cache, id string) (*ocr.Document, error) {
	if cache == "" {
		return e.ReadDocument(ctx, []image.Image{img})
	}
	file := filepath.Join(cache, id+".json")
	if data, err := os.ReadFile(file); err == nil {
		var p ocr.Page
		if err := json.Unmarshal(data, &p); err != nil {
			return nil, err
		}
		doc := ocr.Extract([]*ocr.Page{&p})
		if doc.Header.Date == "" || doc.Header.Total == "" || doc.Header.Confidence["total"] < 0.9 {
			// ReadDocument's second look reads the photo again for the
			// missing field or the unconfirmed total: not cached, read whole.
			return e.ReadDocument(ctx, []image.Image{img})
		}
		return doc, nil
	}
	p, err := e.ReadPage(ctx, img)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return nil, err
	}
	data, _ := json.Marshal(p)
	if err := os.WriteFile(file, data, 0o644); err != nil {
		return nil, err
	}
	return ocr.Extract([]*ocr.Page{p}), nil
}

// familyBare is bareText, kept in the cache directory beside the page when
// there is one (it does not depend on the engine: kept across engine
// changes, its time is then 0).
func familyBare(tb testing.TB, path, cache, id string) (string, time.Duration, time.Duration) {
	if cache == "" {
		return bareText(tb, path)
	}
	file := filepath.Join(cache, id+".bare.txt")
	if data, err := os.ReadFile(file); err == nil {
		return string(data), 0, 0
	}
	text, w, c := bareText(tb, path)
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
	return text, w, c
}

// harshFamilies reports OCR_FAMILIES_HARSH: render every case with the
// generator's harsher photo of the same page (families.RenderHarsh), fresh
// and harder material for tuning; OCR_FAMILIES_HARSH=mild takes the
// milder one (families.RenderMild) and mildFamilies is true.
func harshFamilies() bool { return os.Getenv("OCR_FAMILIES_HARSH") != "" }

// mildFamilies reports OCR_FAMILIES_HARSH=mild.
func mildFamilies() bool { return os.Getenv("OCR_FAMILIES_HARSH") == "mild" }

// renderFamilyCase renders c, harsh (or mild) under OCR_FAMILIES_HARSH.
func renderFamilyCase(c familyCase) (*families.Rendered, error) {
	if mildFamilies() {
		return families.RenderMild(c.Family, c.Font, c.Seed)
	}
	if harshFamilies() {
		return families.RenderHarsh(c.Family, c.Font, c.Seed)
	}
	return families.Render(c.Family, c.Font, c.Seed)
}

// familyCaseID is the id of c's render (its truth's id).
func familyCaseID(c familyCase) string {
	id := families.ID(c.Family, c.Font, c.Seed)
	if mildFamilies() {
		id += "-mild"
	} else if harshFamilies() {
		id += "-harsh"
	}
	return id
}

func splitName(held bool) string {
	if held {
		return "held-out"
	}
	return "tuning"
}
