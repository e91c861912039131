package scan

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestBlurDev(t *testing.T) {
	sets := os.Getenv("BLUR_SETS")
	if sets == "" {
		t.Skip()
	}
	for _, p := range tunePhotos(t) {
		if !strings.Contains(sets, p.set) {
			continue
		}
		data, err := os.ReadFile(p.path)
		if err != nil {
			t.Fatal(err)
		}
		g, err := loadGray(data, 1e9)
		if err != nil {
			t.Fatal(err)
		}
		box, found := barRegion(g)
		fmt.Println("region", box, found)
		if !found {
			continue
		}
		for _, fy := range []float64{0.3, 0.5, 0.7} {
			y := box[1] + int(fy*float64(box[3]-box[1]))
			hb := max(1, g.h/80)
			prof := make([]float64, g.w)
			for yy := y - hb; yy <= y+hb; yy++ {
				for x := range g.w {
					prof[x] += 255 - float64(g.pix[yy*g.w+x])
				}
			}
			for x := range prof {
				prof[x] /= float64(2*hb + 1)
			}
			rd := readBlurredEAN(prof, box[0]-g.w/20, box[2]+g.w/20)
			fmt.Printf("%s y=%.2f got %s want %s ok=%v fit=%.3f margin=%.3f worst=%.3f g=%+v\n", p.path[len(photosDir)+1:], fy, rd.text(), p.text, sameText(rd.text(), p.text, p.format),
				rd.cost/rd.winVar, (rd.second-rd.cost)/rd.cost, rd.worst, rd.g)
		}
	}
}

func TestBlurBrute(t *testing.T) {
	sets := os.Getenv("BLUR_BRUTE")
	if sets == "" {
		t.Skip()
	}
	for _, p := range tunePhotos(t) {
		if !strings.Contains(sets, p.set) {
			continue
		}
		data, _ := os.ReadFile(p.path)
		g, _ := loadGray(data, 1e9)
		for _, fy := range []float64{0.5} {
			y := int(fy * float64(g.h))
			hb := max(1, g.h/48)
			prof := make([]float64, g.w)
			for yy := y - hb; yy <= y+hb; yy++ {
				for x := range g.w {
					prof[x] += 255 - float64(g.pix[yy*g.w+x])
				}
			}
			for x := range prof {
				prof[x] /= float64(2*hb + 1)
			}
			var best eanRead
			bs := 1e18
			for x0 := 0; x0 < g.w; x0 += 2 {
				for wd := g.w / 3; x0+wd <= g.w+20; wd += 2 {
					m := float64(wd) / 95
					for _, k := range []float64{0.8, 1.3} {
						rd := newEANFit(prof, eanGeom{x0: float64(x0), m: m, sigma: k * m}).decode()
						if !rd.ok || rd.winVar <= 0 {
							continue
						}
						if s := rd.free / rd.winVar; s < bs {
							bs, best = s, rd
						}
					}
				}
			}
			fmt.Printf("BRUTE %s got %s want %s g=%+v score=%.1f\n", p.path[len(photosDir)+1:], best.text(), p.text, best.g, bs)
		}
	}
}
