package scan

// Reed–Solomon decoding with erasures over GF(256) (x⁸+x⁴+x³+x²+1, roots
// α⁰…α^(n−k−1): QR Code's code). A codeword whose modules were sampled
// near the threshold is an erasure: its position is known, so it costs
// one check symbol where an unknown error costs two. gozxing's decoder
// has no erasures.

var rsExp, rsLog = rsTables()

func rsTables() (exp [512]byte, log [256]int) {
	x := 1
	for i := range 255 {
		exp[i] = byte(x)
		log[x] = i
		x <<= 1
		if x&0x100 != 0 {
			x ^= 0x11d
		}
	}
	for i := 255; i < 512; i++ {
		exp[i] = exp[i-255]
	}
	return exp, log
}

func rsMul(a, b byte) byte {
	if a == 0 || b == 0 {
		return 0
	}
	return rsExp[rsLog[a]+rsLog[b]]
}

func rsInv(a byte) byte { return rsExp[255-rsLog[a]] }

// rsPow is α^i.
func rsPow(i int) byte { return rsExp[((i%255)+255)%255] }

// rsEval evaluates p (p[0] the constant term) at x.
func rsEval(p []byte, x byte) byte {
	var y byte
	for i := len(p) - 1; i >= 0; i-- {
		y = rsMul(y, x) ^ p[i]
	}
	return y
}

// rsPolyMul multiplies polynomials (constant term first).
func rsPolyMul(a, b []byte) []byte {
	out := make([]byte, len(a)+len(b)-1)
	for i, x := range a {
		for j, y := range b {
			out[i+j] ^= rsMul(x, y)
		}
	}
	return out
}

// rsDecodeErasures corrects block (data then nsym check codewords, first
// codeword the highest power) in place, given the indexes of erased
// codewords. It returns the number of unknown errors corrected and false
// when the block cannot be decoded with 2·errors + erasures ≤ maxUsed
// (maxUsed ≤ nsym). A decoded block is checked: every syndrome zero.
func rsDecodeErasures(block []byte, nsym int, erased []int, maxUsed int) (int, bool) {
	n := len(block)
	if n > 255 || nsym <= 0 || len(erased) > maxUsed || maxUsed > nsym {
		return 0, false
	}
	// Codeword i is the coefficient of x^(n−1−i).
	synd := make([]byte, nsym)
	zero := true
	for j := range nsym {
		x := rsPow(j)
		var s byte
		for _, c := range block {
			s = rsMul(s, x) ^ c
		}
		synd[j] = s
		zero = zero && s == 0
	}
	if zero {
		return 0, true
	}
	e := len(erased)
	// Erasure locator Γ(x) = Π (1 + X_i x), X_i = α^(n−1−pos).
	gamma := []byte{1}
	for _, p := range erased {
		gamma = rsPolyMul(gamma, []byte{1, rsPow(n - 1 - p)})
	}
	// Berlekamp–Massey started from the erasure locator (Blahut): the
	// errata locator Λ, with L = e at the start.
	lambda := append([]byte{}, gamma...)
	b := append([]byte{}, gamma...)
	L := e
	for r := e; r < nsym; r++ {
		var delta byte
		for j := 0; j < len(lambda) && j <= r; j++ {
			delta ^= rsMul(lambda[j], synd[r-j])
		}
		b = append([]byte{0}, b...) // x·B
		if delta == 0 {
			continue
		}
		t := make([]byte, max(len(lambda), len(b)))
		copy(t, lambda)
		for j, c := range b {
			t[j] ^= rsMul(delta, c)
		}
		if 2*L <= r+e {
			L = r + 1 + e - L
			inv := rsInv(delta)
			b = make([]byte, len(lambda))
			for j, c := range lambda {
				b[j] = rsMul(c, inv)
			}
		}
		lambda = t
	}
	for len(lambda) > 1 && lambda[len(lambda)-1] == 0 {
		lambda = lambda[:len(lambda)-1]
	}
	deg := len(lambda) - 1
	errs := deg - e
	if deg != L || errs < 0 || 2*errs+e > maxUsed {
		return 0, false
	}
	// Roots: position p is in error when Λ(X_p⁻¹) = 0.
	var pos []int
	for p := range n {
		if rsEval(lambda, rsPow(-(n-1-p))) == 0 {
			pos = append(pos, p)
		}
	}
	if len(pos) != deg {
		return 0, false
	}
	// Forney: Ω = S·Λ mod x^nsym; magnitude at X: X·Ω(X⁻¹)/Λ'(X⁻¹)
	// (roots from α⁰).
	omega := rsPolyMul(synd, lambda)
	if len(omega) > nsym {
		omega = omega[:nsym]
	}
	dl := make([]byte, len(lambda))
	for j := 1; j < len(lambda); j += 2 {
		dl[j-1] = lambda[j]
	}
	for _, p := range pos {
		x := rsPow(n - 1 - p)
		xi := rsInv(x)
		den := rsEval(dl, xi)
		if den == 0 {
			return 0, false
		}
		block[p] ^= rsMul(x, rsMul(rsEval(omega, xi), rsInv(den)))
	}
	for j := range nsym {
		x := rsPow(j)
		var s byte
		for _, c := range block {
			s = rsMul(s, x) ^ c
		}
		if s != 0 {
			return 0, false
		}
	}
	return errs, true
}
