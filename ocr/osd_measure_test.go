package ocr

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"pandian/fixtures/documents/families"
	"pandian/ocr/realtruth"
)

// BenchmarkOSDMeasure logs, per page, the orientation detector's answer
// (q, conf) and, when it would turn the page, the quality of the turned
// reading (readingQuality, item lines) and of the upright one: the
// measurement behind the sure-turn check (sureTurnPoor). Pages: the
// shared POs, the real receipts' dev half, fresh family renders (seeds
// 500-520, tuning families and fonts) as they come and with their ink
// lightened, and some of them turned by 90, 180 or 270 degrees.
//
//	OCR_OSD_MEASURE=1 go test -run '^$' -bench OSDMeasure -benchtime 1x ./ocr/
func BenchmarkOSDMeasure(b *testing.B) {
	if os.Getenv("OCR_OSD_MEASURE") == "" {
		b.Skip("OCR_OSD_MEASURE not set")
	}
	type page struct {
		name string
		img  image.Image
	}
	var pages []page
	pos, _ := filepath.Glob("../../shared/data/purchase-orders/po*.jpg")
	for _, p := range pos {
		pages = append(pages, page{"po/" + filepath.Base(p), loadTestImage(b, p)})
	}
	docs, err := realtruth.Load("../../shared/data/real-documents")
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range docs {
		if d.Half != realtruth.Dev {
			continue
		}
		pages = append(pages, page{"real/" + d.ID, loadTestImage(b, d.Image)})
	}
	fams, fonts := tuningFamiliesFonts()
	for s := 500; s <= 520; s++ {
		fam, font := fams[s%len(fams)], fonts[(s/len(fams))%len(fonts)]
		r, err := families.Render(fam, font, int64(s))
		if err != nil {
			b.Fatal(err)
		}
		img, err := LoadImage(bytes.NewReader(r.JPEG), DefaultLimits)
		if err != nil {
			b.Fatal(err)
		}
		id := families.ID(fam, font, int64(s))
		pages = append(pages, page{"fam/" + id, img}, page{"famlight/" + id, lighten(img, 0.35)})
	}
	n := len(pages)
	for i := 0; i < n; i += 2 {
		k := 1 + (i/2)%3
		pages = append(pages, page{fmt.Sprintf("turned%d/%s", 90*k, pages[i].name), Turn(pages[i].img, k)})
	}
	e, err := NewEngine(Options{Workers: 1, Languages: debugLangs()})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	w := e.all[0]
	for _, p := range pages {
		g := preprocess(p.img, defaultPrep)
		q, conf, ok := e.detect(w, g)
		line := fmt.Sprintf("OSD %-44s q=%d conf=%6.2f ok=%v", p.name, q, conf, ok)
		if ok && q != 0 && conf >= osdMinConf {
			t, err := e.read(ctx, w, preprocess(Turn(p.img, q), defaultPrep))
			if err != nil {
				b.Fatal(err)
			}
			line += fmt.Sprintf(" turned: quality=%d words=%d lines=%d", readingQuality(t), len(t.Words), len(Extract([]*Page{t}).Lines))
			if conf >= osdSureConf {
				u, err := e.read(ctx, w, g)
				if err != nil {
					b.Fatal(err)
				}
				line += fmt.Sprintf(" | upright: quality=%d words=%d lines=%d", readingQuality(u), len(u.Words), len(Extract([]*Page{u}).Lines))
			}
		}
		fmt.Println(line)
	}
}

// lighten returns img in grey with its ink lightened: every pixel's
// darkness scaled by k.
func lighten(img image.Image, k float64) image.Image {
	bd := img.Bounds()
	out := image.NewGray(bd)
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			v := color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y
			out.SetGray(x, y, color.Gray{Y: uint8(255 - k*float64(255-int(v)))})
		}
	}
	return out
}

// BenchmarkOSDSearch looks for upright pages the detector is sure to turn:
// family renders (tuning families and fonts, seeds OCR_OSD_SEARCH_FROM on,
// OCR_OSD_SEARCH_N of them, 40 by default) as they come and with their ink
// lightened to 0.7, 0.5, 0.35, 0.2 and 0.1 of its darkness; detection only.
func BenchmarkOSDSearch(b *testing.B) {
	from, err := strconv.Atoi(os.Getenv("OCR_OSD_SEARCH_FROM"))
	if err != nil {
		b.Skip("OCR_OSD_SEARCH_FROM not set")
	}
	fams, fonts := tuningFamiliesFonts()
	count := 40
	if v, err := strconv.Atoi(os.Getenv("OCR_OSD_SEARCH_N")); err == nil && v > 0 {
		count = v
	}
	o, err := newOSD()
	if err != nil {
		b.Fatal(err)
	}
	defer o.close()
	for s := from; s < from+count; s++ {
		fam, font := fams[s%len(fams)], fonts[(s/len(fams))%len(fonts)]
		r, err := families.Render(fam, font, int64(s))
		if err != nil {
			b.Fatal(err)
		}
		img, err := LoadImage(bytes.NewReader(r.JPEG), DefaultLimits)
		if err != nil {
			b.Fatal(err)
		}
		for _, k := range []float64{1, 0.7, 0.5, 0.35, 0.2, 0.1} {
			q, conf, ok := o.orientation(preprocess(lighten(img, k), defaultPrep))
			mark := ""
			if ok && q != 0 && conf >= osdSureConf {
				mark = "  <- sure and wrong"
			}
			fmt.Printf("OSDSEARCH %s k=%.1f q=%d conf=%.2f%s\n", families.ID(fam, font, int64(s)), k, q, conf, mark)
		}
	}
}

// tuningFamiliesFonts lists the layout families and the fonts that are
// not held out, in their declared order.
func tuningFamiliesFonts() (fams, fonts []string) {
	for _, f := range families.All() {
		if !f.HeldOut {
			fams = append(fams, f.Name)
		}
	}
	for _, f := range families.Fonts() {
		if !f.HeldOut {
			fonts = append(fonts, f.Key)
		}
	}
	return fams, fonts
}
