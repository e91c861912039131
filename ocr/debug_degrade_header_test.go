package ocr

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"pandian/ocr/realtruth"
)

// BenchmarkDebugDegradedHeader scores the header's total and date on the
// dev half's documents (all of them, header-truth scans included) and on
// their degraded copies (degradeVariant, variants 0..2), from cached
// readings: the page's reading (ReadPage) and the second look's reading
// as it came (readAsIs), both kept in OCR_DEGRADE_HCACHE (read once). The
// header is what ReadDocument returns (Extract, then the second look when
// a field is missing). It prints each page's total and date beside the
// truth with right / wrong / empty, and the counts; wrong and empty are
// counted apart. Dev material only. A development aid:
//
//	OCR_DEGRADE_DIR=/tmp/degraded OCR_DEGRADE_HCACHE=/tmp/deghdr go test -run '^$' -bench DebugDegradedHeader -benchtime 1x ./ocr/
//
// OCR_VERBOSE=1 prints, for the pages whose total or date is not right,
// the rows holding amounts, dates and total words.
func BenchmarkDebugDegradedHeader(b *testing.B) {
	dir, cdir := os.Getenv("OCR_DEGRADE_DIR"), os.Getenv("OCR_DEGRADE_HCACHE")
	if dir == "" || cdir == "" {
		b.Skip("OCR_DEGRADE_DIR and OCR_DEGRADE_HCACHE not set")
	}
	if h := os.Getenv("OCR_REAL_HALF"); h != "" && h != realtruth.Dev {
		b.Fatal("dev material only")
	}
	for _, d := range []string{dir, cdir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			b.Fatal(err)
		}
	}
	engine := lazyEngine(b)
	load := func(path string) *Page {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		var p Page
		if err := json.Unmarshal(data, &p); err != nil {
			b.Fatal(err)
		}
		return &p
	}
	store := func(path string, p *Page) {
		data, _ := json.Marshal(p)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	verbose := os.Getenv("OCR_VERBOSE") != ""
	var curName string
	if os.Getenv("OCR_CROP_TRACE") != "" {
		n := 0
		cropTrace = func(before, after []Word, strip *grayImg) {
			txt := func(ws []Word) string {
				var s []string
				for _, w := range ws {
					s = append(s, w.Text)
				}
				return strings.Join(s, " ")
			}
			n++
			path := filepath.Join(cdir, fmt.Sprintf("crop-%s-%d.pgm", curName, n))
			_ = os.WriteFile(path, strip.pgm(), 0o644)
			fmt.Printf("   crop %s: %q -> %q (%s)\n", curName, txt(before), txt(after), path)
		}
		defer func() { cropTrace = nil }()
	}
	if os.Getenv("OCR_TOTAL_CROP_TRACE") != "" {
		totalCropTrace = func(before, after []Word, strip *grayImg) {
			txt := func(ws []Word) string {
				var s []string
				for _, w := range ws {
					s = append(s, w.Text)
				}
				return strings.Join(s, " ")
			}
			fmt.Printf("   total crop %s: %q -> %q\n", curName, txt(before), txt(after))
		}
		defer func() { totalCropTrace = nil }()
	}
	if os.Getenv("OCR_TC_BIN") == "1" {
		totalCropBinarize = true
		defer func() { totalCropBinarize = false }()
	}
	if hs := strings.Split(os.Getenv("OCR_TC_H"), ","); len(hs) == 2 {
		saved := totalCropHeights
		totalCropHeights[0], _ = strconv.Atoi(hs[0])
		totalCropHeights[1], _ = strconv.Atoi(hs[1])
		defer func() { totalCropHeights = saved }()
	}
	variants := []int{-1, 0, 1, 2}
	if s := os.Getenv("OCR_DEGRADE_ONLY"); s != "" {
		variants = nil
		for _, f := range strings.Split(s, ",") {
			v, _ := strconv.Atoi(f)
			variants = append(variants, v)
		}
	}
	for b.Loop() {
		type cnt struct{ right, wrong, empty, n int }
		var tot, dat [4]cnt
		looks := 0
		for _, d := range debugRealDocs(b) {
			if ids := os.Getenv("OCR_DEGRADE_DOCS"); ids != "" && !strings.Contains(","+ids+",", ","+d.ID+",") {
				continue
			}
			img := loadTestImage(b, d.Image)
			for _, v := range variants {
				name := d.ID + "-orig"
				pimg := img
				if v >= 0 {
					name = fmt.Sprintf("%s-v%d", d.ID, v)
					pimg, _ = degradedImage(b, dir, d.ID, img, v)
				}
				curName = name
				pp := filepath.Join(cdir, name+".json")
				p := load(pp)
				if p == nil {
					var err error
					if p, err = engine().ReadPage(context.Background(), pimg); err != nil {
						b.Fatal(err)
					}
					store(pp, p)
				}
				doc := Extract([]*Page{p})
				if headerMissing(&doc.Header) {
					looks++
					rp := filepath.Join(cdir, name+".raw.json")
					raw := load(rp)
					if raw == nil {
						var err error
						if raw, err = engine().readAsIs(context.Background(), pimg, p.Turned); err != nil {
							b.Fatal(err)
						}
						store(rp, raw)
					}
					mergeHeader(&doc.Header, []*Page{p}, Extract([]*Page{raw}).Header, []*Page{raw})
					if os.Getenv("OCR_HEADER_CROPS") != "0" {
						if err := engine().cropLook(context.Background(), pimg, nil, raw, &doc.Header); err != nil {
							b.Fatal(err)
						}
					}
					if p.Turned != 0 {
						p.gray = preprocess(Turn(pimg, p.Turned), defaultPrep)
					} else {
						p.gray = preprocess(pimg, defaultPrep)
					}
					if err := engine().totalCropLook(context.Background(), pimg, nil, raw, p, doc); err != nil {
						b.Fatal(err)
					}
				}
				h := doc.Header
				k := v + 1
				mark := func(c *cnt, truth string, got string, ok bool) string {
					if truth == "" {
						return "-"
					}
					c.n++
					switch {
					case ok:
						c.right++
						return "right"
					case got == "":
						c.empty++
						return "EMPTY"
					default:
						c.wrong++
						return "WRONG"
					}
				}
				mt := mark(&tot[k], d.Total, h.Total, d.TotalMatches(h.Total))
				md := mark(&dat[k], d.Date, h.Date, d.DateMatches(h.Date))
				fmt.Printf("%-14s total %-9q %.2f (truth %-8s) %-5s | date %-12q %.2f amb %-5v (truth %s %q) %s\n", name,
					h.Total, h.Confidence["total"], d.Total, mt, h.Date, h.Confidence["date"], h.DateAmbiguous, d.Date, d.DateText, md)
				if verbose && (mt == "WRONG" || mt == "EMPTY" || md == "WRONG" || md == "EMPTY") {
					for _, q := range []*Page{p, load(filepath.Join(cdir, name+".raw.json"))} {
						if q == nil {
							continue
						}
						rows := groupRows(wholeUnitWords(q.Words))
						s := readSummary(rows)
						fmt.Printf("   summary: totals %+v taxes %v sub %v/%d cash %v/%d change %v/%d sums %v\n", s.totals, s.taxes, s.hasSub, s.subtotal, s.hasCash, s.cash, s.hasChange, s.change, s.sums)
						for i, r := range rows {
							if !reDebugHeaderRow.MatchString(r.text()) {
								continue
							}
							var ws []string
							for _, w := range r.words {
								ws = append(ws, fmt.Sprintf("%s(%.0f)", w.Text, w.Conf))
							}
							fmt.Printf("   %3d %s\n", i, strings.Join(ws, " "))
						}
						fmt.Println("   ----")
					}
				}
			}
		}
		var at, ad cnt
		for k := range tot {
			name := "original"
			if k > 0 {
				name = fmt.Sprintf("variant %d", k-1)
			}
			t, dd := tot[k], dat[k]
			fmt.Printf("%-9s totals right %d wrong %d empty %d of %d | dates right %d wrong %d empty %d of %d\n", name,
				t.right, t.wrong, t.empty, t.n, dd.right, dd.wrong, dd.empty, dd.n)
			if k > 0 {
				at.right, at.wrong, at.empty, at.n = at.right+t.right, at.wrong+t.wrong, at.empty+t.empty, at.n+t.n
				ad.right, ad.wrong, ad.empty, ad.n = ad.right+dd.right, ad.wrong+dd.wrong, ad.empty+dd.empty, ad.n+dd.n
			}
		}
		fmt.Printf("DEGRADED totals right %d wrong %d empty %d of %d | dates right %d wrong %d empty %d of %d (second looks %d)\n",
			at.right, at.wrong, at.empty, at.n, ad.right, ad.wrong, ad.empty, ad.n, looks)
	}
}
