package scan

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/makiuchi-d/gozxing/common/reedsolomon"
)

// TestRSDecodeErasures: random QR blocks with e erasures and t errors,
// 2t + e ≤ nsym, come back whole; beyond that, either nothing or (rarely)
// another codeword, never a block whose syndromes are not zero.
func TestRSDecodeErasures(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	enc := reedsolomon.NewReedSolomonEncoder(reedsolomon.GenericGF_QR_CODE_FIELD_256)
	ok, tried := 0, 0
	for range 2000 {
		nsym := 2 + rng.IntN(29)
		k := 1 + rng.IntN(100)
		msg := make([]int, k+nsym)
		for i := range k {
			msg[i] = rng.IntN(256)
		}
		if err := enc.Encode(msg, nsym); err != nil {
			t.Fatal(err)
		}
		block := make([]byte, len(msg))
		for i, v := range msg {
			block[i] = byte(v)
		}
		want := slices.Clone(block)
		e := rng.IntN(nsym + 1)
		errs := rng.IntN((nsym-e)/2 + 1)
		perm := rng.Perm(len(block))
		erased := perm[:e]
		for _, p := range erased {
			if rng.IntN(2) == 0 {
				block[p] ^= byte(1 + rng.IntN(255))
			}
		}
		for _, p := range perm[e : e+errs] {
			block[p] ^= byte(1 + rng.IntN(255))
		}
		tried++
		got, good := rsDecodeErasures(block, nsym, erased, nsym)
		if !good {
			t.Fatalf("nsym %d, %d erasures, %d errors: not decoded", nsym, e, errs)
		}
		if got != errs && errs > 0 && got > errs {
			t.Fatalf("errors %d, reported %d", errs, got)
		}
		if !slices.Equal(block, want) {
			t.Fatalf("nsym %d, %d erasures, %d errors: wrong block", nsym, e, errs)
		}
		ok++
	}
	t.Logf("%d of %d decoded", ok, tried)
}
