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
		block := rsCodeword(t, rng, enc, k, nsym)
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

// TestRSDecodeErasuresBeyond: blocks with more errata than maxUsed
// allows. A block the decoder accepts is a codeword whose distance from
// the received block (erasures at one, errors at two) is within maxUsed,
// and the errors it reports are the codewords it changed outside the
// erasures: it never claims a codeword outside its radius.
func TestRSDecodeErasuresBeyond(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 1))
	enc := reedsolomon.NewReedSolomonEncoder(reedsolomon.GenericGF_QR_CODE_FIELD_256)
	accepted := 0
	for range 8000 {
		nsym := 4 + rng.IntN(27)
		k := 1 + rng.IntN(60)
		block := rsCodeword(t, rng, enc, k, nsym)
		maxUsed := nsym - rng.IntN(4)
		e := rng.IntN(min(maxUsed, len(block)) + 1)
		perm := rng.Perm(len(block))
		erased := perm[:e]
		nerr := min(len(block)-e, (maxUsed-e)/2+1+rng.IntN(3))
		for _, p := range perm[:e+nerr] {
			block[p] ^= byte(1 + rng.IntN(255))
		}
		recv := slices.Clone(block)
		got, good := rsDecodeErasures(block, nsym, erased, maxUsed)
		if !good {
			continue
		}
		accepted++
		changed := 0
		for p := range block {
			if block[p] != recv[p] && !slices.Contains(erased, p) {
				changed++
			}
		}
		if changed != got || 2*changed+e > maxUsed {
			t.Fatalf("nsym %d, maxUsed %d, %d erasures: accepted with %d changed outside them (reported %d)", nsym, maxUsed, e, changed, got)
		}
	}
	t.Logf("%d of 8000 accepted beyond the bound (each a codeword within its radius)", accepted)
}

// rsCodeword encodes k random data codewords with nsym check codewords.
func rsCodeword(t *testing.T, rng *rand.Rand, enc *reedsolomon.ReedSolomonEncoder, k, nsym int) []byte {
	t.Helper()
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
	return block
}
