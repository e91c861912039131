package scan

import (
	"sort"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/common"
	qrdecoder "github.com/makiuchi-d/gozxing/qrcode/decoder"
)

// decodeQRErasures decodes a sampled QR Code whose Reed–Solomon blocks
// have more errors than the check codewords correct as unknown errors,
// when the wrong modules are the ones sampled near the threshold (a
// crease, a module seen half on its neighbour, glare): each codeword
// gets its least sure module's distance from the threshold (conf, one
// per module, row by row), and the least sure codewords of a failing
// block are tried as erasures, which cost one check codeword each
// instead of two. At least qrSpare check codewords of every block are
// left unused, so that a decoded block is still checked.
func decodeQRErasures(bits *gozxing.BitMatrix, conf []float64) (*common.DecoderResult, error) {
	dim := bits.GetWidth()
	parser, err := qrdecoder.NewBitMatrixParser(copyBits(bits))
	if err != nil {
		return nil, err
	}
	version, err := parser.ReadVersion()
	if err != nil {
		return nil, err
	}
	fi, err := parser.ReadFormatInformation()
	if err != nil {
		return nil, err
	}
	raw, err := parser.ReadCodewords()
	if err != nil {
		return nil, err
	}
	if version.GetDimensionForVersion() != dim || len(conf) != dim*dim {
		return nil, gozxing.NewFormatException("dimension")
	}
	// Each codeword's least sure module, walked as ReadCodewords does.
	fp := qrFunctionPattern(version, dim)
	sure := make([]byte, len(raw))
	k, bitsRead, least := 0, 0, 1.0
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
				least = min(least, conf[i*dim+j-col])
				bitsRead++
				if bitsRead == 8 {
					if k < len(sure) {
						sure[k] = byte(min(255, least*255))
					}
					k++
					bitsRead, least = 0, 1.0
				}
			}
		}
		up = !up
	}
	if k != len(raw) {
		return nil, gozxing.NewFormatException("codewords")
	}
	ecLevel := fi.GetErrorCorrectionLevel()
	blocks, err := qrdecoder.DataBlock_GetDataBlocks(raw, version, ecLevel)
	if err != nil {
		return nil, err
	}
	sureBlocks, err := qrdecoder.DataBlock_GetDataBlocks(sure, version, ecLevel)
	if err != nil || len(sureBlocks) != len(blocks) {
		return nil, gozxing.NewFormatException("blocks")
	}
	var data []byte
	for b, blk := range blocks {
		cw := blk.GetCodewords()
		nd := blk.GetNumDataCodewords()
		nsym := len(cw) - nd
		maxUsed := nsym - qrSpare
		if maxUsed < 1 {
			return nil, gozxing.NewChecksumException()
		}
		sc := sureBlocks[b].GetCodewords()
		order := make([]int, len(cw))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(x, y int) bool { return sc[order[x]] < sc[order[y]] })
		ok := false
		for _, e := range []int{0, maxUsed / 4, maxUsed / 2, 3 * maxUsed / 4, maxUsed} {
			try := append([]byte(nil), cw...)
			if _, good := rsDecodeErasures(try, nsym, order[:e], maxUsed); good {
				copy(cw, try)
				ok = true
				break
			}
		}
		if !ok {
			return nil, gozxing.NewChecksumException()
		}
		data = append(data, cw[:nd]...)
	}
	return qrdecoder.DecodedBitStreamParser_Decode(data, version, ecLevel, nil)
}

// qrSpare is how many check codewords of each block the erasure decoding
// leaves unused (a check on what it decodes). TestQRErasuresNeverWrong's
// 3000 damaged symbols: 617 read wrong with none left, 1 with one, 0 with
// two and three (10000 symbols with three: 0).
const qrSpare = 3

// qrFunctionPattern marks the modules that hold no data (as gozxing's
// Version.buildFunctionPattern), row by row.
func qrFunctionPattern(v *qrdecoder.Version, dim int) []bool {
	fp := make([]bool, dim*dim)
	region := func(left, top, w, h int) {
		for y := top; y < top+h && y < dim; y++ {
			for x := left; x < left+w && x < dim; x++ {
				fp[y*dim+x] = true
			}
		}
	}
	region(0, 0, 9, 9)
	region(dim-8, 0, 8, 9)
	region(0, dim-8, 9, 8)
	c := v.GetAlignmentPatternCenters()
	n := len(c)
	for x := range n {
		for y := range n {
			if (x == 0 && (y == 0 || y == n-1)) || (x == n-1 && y == 0) {
				continue
			}
			region(c[y]-2, c[x]-2, 5, 5)
		}
	}
	region(6, 9, 1, dim-17)
	region(9, 6, dim-17, 1)
	if v.GetVersionNumber() > 6 {
		region(dim-11, 0, 3, 6)
		region(0, dim-11, 6, 3)
	}
	return fp
}

// copyBits copies a bit matrix (gozxing's decoder unmasks and mirrors the
// one it is given in place).
func copyBits(m *gozxing.BitMatrix) *gozxing.BitMatrix {
	w, h := m.GetWidth(), m.GetHeight()
	out, _ := gozxing.NewBitMatrix(w, h)
	for y := range h {
		for x := range w {
			if m.Get(x, y) {
				out.Set(x, y)
			}
		}
	}
	return out
}
