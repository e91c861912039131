package scan

import (
	"math/rand/v2"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
)

// TestQRErasuresEveryVersion: for every version (1–40) and error
// correction level, a symbol with nsym−qrSpare codewords of every block
// damaged and their modules marked unsure (the most decodeQRErasures
// takes as erasures) reads right. This checks the module walk, the
// codewords' interleaving into blocks (one block size or two) and the
// data and check codeword counts of every block: a codeword put in the
// wrong block or place is an unknown error, which a block with
// nsym−qrSpare erasures has no check codeword left for.
func TestQRErasuresEveryVersion(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 2))
	levels := []decoder.ErrorCorrectionLevel{decoder.ErrorCorrectionLevel_L, decoder.ErrorCorrectionLevel_M,
		decoder.ErrorCorrectionLevel_Q, decoder.ErrorCorrectionLevel_H}
	const text = "PANDIAN 42"
	for v := 1; v <= 40; v++ {
		ver, _ := decoder.Version_GetVersionForNumber(v)
		dim := ver.GetDimensionForVersion()
		fp := qrFunctionPattern(ver, dim)
		// Each module's raw codeword (−1: none), in ReadCodewords' order.
		cwOf := make([]int, dim*dim)
		for i := range cwOf {
			cwOf[i] = -1
		}
		k, nb := 0, 0
		up := true
		for j := dim - 1; j > 0; j -= 2 {
			if j == 6 {
				j--
			}
			for count := range dim {
				i := count
				if up {
					i = dim - 1 - count
				}
				for col := range 2 {
					if fp[i*dim+j-col] {
						continue
					}
					if k < ver.GetTotalCodewords() {
						cwOf[i*dim+j-col] = k
					}
					if nb++; nb == 8 {
						k, nb = k+1, 0
					}
				}
			}
			up = !up
		}
		total := ver.GetTotalCodewords()
		lo, hi := make([]byte, total), make([]byte, total)
		for i := range total {
			lo[i], hi[i] = byte(i), byte(i>>8)
		}
		for _, lev := range levels {
			m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0,
				map[gozxing.EncodeHintType]interface{}{
					gozxing.EncodeHintType_ERROR_CORRECTION: lev,
					gozxing.EncodeHintType_MARGIN:           0,
					gozxing.EncodeHintType_QR_VERSION:       v,
				})
			if err != nil || m.GetWidth() != dim {
				t.Fatalf("version %d %v: encode: %v", v, lev, err)
			}
			bl, _ := decoder.DataBlock_GetDataBlocks(lo, ver, lev)
			bh, _ := decoder.DataBlock_GetDataBlocks(hi, ver, lev)
			damaged := make([]bool, total)
			for b := range bl {
				cl, ch := bl[b].GetCodewords(), bh[b].GetCodewords()
				nsym := len(cl) - bl[b].GetNumDataCodewords()
				for _, p := range rng.Perm(len(cl))[:nsym-qrSpare] {
					damaged[int(cl[p])|int(ch[p])<<8] = true
				}
			}
			conf := make([]float64, dim*dim)
			flipped := make([]bool, total)
			for y := range dim {
				for x := range dim {
					conf[y*dim+x] = 0.9
					c := cwOf[y*dim+x]
					if c < 0 || !damaged[c] {
						continue
					}
					conf[y*dim+x] = 0.05
					if !flipped[c] {
						m.Flip(x, y)
						flipped[c] = true
					}
				}
			}
			res, err := decodeQRErasures(m, conf)
			if err != nil || res.GetText() != text {
				t.Errorf("version %d, level %v: %v, %v", v, lev, res, err)
			}
		}
	}
}
