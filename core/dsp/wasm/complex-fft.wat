;; Complex FFT of a power-of-two size in single precision with WebAssembly SIMD:
;; Stockham autosort (no bit reversal; each pass reads one buffer and writes the
;; other), two interleaved complex numbers (re, im, re, im) per f32x4. A radix-2
;; first pass, then radix-4 passes (half the passes over memory of radix 2, and
;; a quarter of the twiddle loads), and one radix-2 pass when a factor 2 is left.
;; X[k] = sum_n x[n] e^(-2 pi i k n / N) forward, e^(+...) inverse, unscaled.
;;
;; The caller lays out memory: a twiddle table of N/2 pairs (cos, -sin)(2 pi k / N);
;; a first-pass table of N/4 entries, each two vectors (c_p, c_p, c_p+1, c_p+1) and
;; (sin_p, -sin_p, sin_p+1, -sin_p+1) for p = 2j; and two buffers of N complex.
(module
  (memory (export "memory") 1)

  ;; Complex products d * w of two numbers at once are written out inline (V8
  ;; does not inline small wasm functions): with w as (wr, wr, ..) and
  ;; (-wi, wi, ..), d * w = d * wr + swap(d) * wi, where swap exchanges re and im
  ;; (the shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11).

  ;; Pass with stride 1: butterflies of x[p] and x[p + m], twiddle per p.
  (func $firstPass (param $x i32) (param $y i32) (param $m i32) (param $table i32) (param $dir v128)
    (local $p i32) (local $a v128) (local $b v128) (local $s v128) (local $r v128) (local $t i32)
    (loop $butterflies
      (local.set $a (v128.load (i32.add (local.get $x) (i32.shl (local.get $p) (i32.const 3)))))
      (local.set $b (v128.load (i32.add (local.get $x) (i32.shl (i32.add (local.get $p) (local.get $m)) (i32.const 3)))))
      (local.set $s (f32x4.add (local.get $a) (local.get $b)))
      (local.set $t (i32.add (local.get $table) (i32.shl (local.get $p) (i32.const 4))))
      (local.set $r (f32x4.sub (local.get $a) (local.get $b)))
      (local.set $r (f32x4.add (f32x4.mul (local.get $r) (v128.load (local.get $t)))
        (f32x4.mul (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $r) (local.get $r))
          (f32x4.mul (v128.load offset=16 (local.get $t)) (local.get $dir)))))
      ;; y[2p] = s_p, y[2p+1] = r_p, y[2p+2] = s_p+1, y[2p+3] = r_p+1
      (v128.store (i32.add (local.get $y) (i32.shl (local.get $p) (i32.const 4)))
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s) (local.get $r)))
      (v128.store offset=16 (i32.add (local.get $y) (i32.shl (local.get $p) (i32.const 4)))
        (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s) (local.get $r)))
      (local.set $p (i32.add (local.get $p) (i32.const 2)))
      (br_if $butterflies (i32.lt_u (local.get $p) (local.get $m)))))

  ;; Pass with stride s >= 2: for each p, the s butterflies share one twiddle.
  (func $pass (param $x i32) (param $y i32) (param $s i32) (param $m i32) (param $twiddles i32) (param $sign v128)
    (local $p i32) (local $q i32) (local $wr v128) (local $wi v128) (local $tw i32)
    (local $src i32) (local $dst i32) (local $half i32) (local $span i32) (local $a v128) (local $b v128)
    ;; byte distances: x[q + s(p + m)] is half bytes after x[q + sp]; y[q + s(2p + 1)] is span after y[q + 2sp]
    (local.set $half (i32.shl (i32.mul (local.get $s) (local.get $m)) (i32.const 3)))
    (local.set $span (i32.shl (local.get $s) (i32.const 3)))
    (loop $twiddle
      (local.set $tw (i32.add (local.get $twiddles) (i32.shl (i32.mul (local.get $p) (local.get $s)) (i32.const 3))))
      (local.set $wr (f32x4.splat (f32.load (local.get $tw))))
      (local.set $wi (f32x4.mul (f32x4.splat (f32.load offset=4 (local.get $tw))) (local.get $sign)))
      (local.set $src (i32.add (local.get $x) (i32.mul (local.get $p) (local.get $span))))
      (local.set $dst (i32.add (local.get $y) (i32.shl (i32.mul (local.get $p) (local.get $span)) (i32.const 1))))
      (local.set $q (i32.const 0))
      (loop $butterflies
        (local.set $a (v128.load (local.get $src)))
        (local.set $b (v128.load (i32.add (local.get $src) (local.get $half))))
        (v128.store (local.get $dst) (f32x4.add (local.get $a) (local.get $b)))
        (local.set $a (f32x4.sub (local.get $a) (local.get $b)))
        (v128.store (i32.add (local.get $dst) (local.get $span))
          (f32x4.add (f32x4.mul (local.get $a) (local.get $wr))
            (f32x4.mul (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $a) (local.get $a)) (local.get $wi))))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 2)))
        (br_if $butterflies (i32.lt_u (local.get $q) (local.get $s))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br_if $twiddle (i32.lt_u (local.get $p) (local.get $m)))))

  ;; Radix-4 pass with stride s >= 2 (n = 4 s m): with a_k = x[q + s(p + k m)],
  ;; y[q + s(4p + j)] = w^(jp) Σ_k a_k W4^(jk), w = e^(∓2πi s / n), W4 = ∓i.
  ;; Twiddle w^(3p) may lie past the table's n/2 entries: e^(-iπ) = -1 folds it back.
  (func $pass4 (param $x i32) (param $y i32) (param $s i32) (param $m i32) (param $twiddles i32) (param $halfN i32) (param $sign v128)
    (local $p i32) (local $q i32) (local $tw i32) (local $k i32) (local $src i32) (local $dst i32)
    (local $quarter i32) (local $span i32)
    (local $w1r v128) (local $w1i v128) (local $w2r v128) (local $w2i v128) (local $w3r v128) (local $w3i v128)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local $apc v128) (local $amc v128) (local $bpd v128) (local $jbmd v128) (local $t v128)
    (local.set $quarter (i32.shl (i32.mul (local.get $s) (local.get $m)) (i32.const 3)))
    (local.set $span (i32.shl (local.get $s) (i32.const 3)))
    (loop $twiddle
      (local.set $k (i32.mul (local.get $p) (local.get $s)))
      (local.set $tw (i32.add (local.get $twiddles) (i32.shl (local.get $k) (i32.const 3))))
      (local.set $w1r (f32x4.splat (f32.load (local.get $tw))))
      (local.set $w1i (f32x4.mul (f32x4.splat (f32.load offset=4 (local.get $tw))) (local.get $sign)))
      (local.set $tw (i32.add (local.get $twiddles) (i32.shl (local.get $k) (i32.const 4))))
      (local.set $w2r (f32x4.splat (f32.load (local.get $tw))))
      (local.set $w2i (f32x4.mul (f32x4.splat (f32.load offset=4 (local.get $tw))) (local.get $sign)))
      (local.set $k (i32.mul (local.get $k) (i32.const 3)))
      (if (i32.lt_u (local.get $k) (local.get $halfN))
        (then
          (local.set $tw (i32.add (local.get $twiddles) (i32.shl (local.get $k) (i32.const 3))))
          (local.set $w3r (f32x4.splat (f32.load (local.get $tw))))
          (local.set $w3i (f32x4.mul (f32x4.splat (f32.load offset=4 (local.get $tw))) (local.get $sign))))
        (else
          (local.set $tw (i32.add (local.get $twiddles) (i32.shl (i32.sub (local.get $k) (local.get $halfN)) (i32.const 3))))
          (local.set $w3r (f32x4.splat (f32.neg (f32.load (local.get $tw)))))
          (local.set $w3i (f32x4.mul (f32x4.splat (f32.neg (f32.load offset=4 (local.get $tw)))) (local.get $sign)))))
      (local.set $src (i32.add (local.get $x) (i32.mul (local.get $p) (local.get $span))))
      (local.set $dst (i32.add (local.get $y) (i32.shl (i32.mul (local.get $p) (local.get $span)) (i32.const 2))))
      (local.set $q (i32.const 0))
      (loop $butterflies
        (local.set $a (v128.load (local.get $src)))
        (local.set $b (v128.load (i32.add (local.get $src) (local.get $quarter))))
        (local.set $c (v128.load (i32.add (local.get $src) (i32.shl (local.get $quarter) (i32.const 1)))))
        (local.set $d (v128.load (i32.add (local.get $src) (i32.mul (local.get $quarter) (i32.const 3)))))
        (local.set $apc (f32x4.add (local.get $a) (local.get $c)))
        (local.set $amc (f32x4.sub (local.get $a) (local.get $c)))
        (local.set $bpd (f32x4.add (local.get $b) (local.get $d)))
        (local.set $t (f32x4.sub (local.get $b) (local.get $d)))
        ;; ±i (b - d): the sign vector is (-1, 1) forward, (1, -1) inverse
        (local.set $jbmd (f32x4.mul (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $t) (local.get $t)) (local.get $sign)))
        (v128.store (local.get $dst) (f32x4.add (local.get $apc) (local.get $bpd)))
        (local.set $t (f32x4.sub (local.get $amc) (local.get $jbmd)))
        (v128.store (i32.add (local.get $dst) (local.get $span))
          (f32x4.add (f32x4.mul (local.get $t) (local.get $w1r))
            (f32x4.mul (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $t) (local.get $t)) (local.get $w1i))))
        (local.set $t (f32x4.sub (local.get $apc) (local.get $bpd)))
        (v128.store (i32.add (local.get $dst) (i32.shl (local.get $span) (i32.const 1)))
          (f32x4.add (f32x4.mul (local.get $t) (local.get $w2r))
            (f32x4.mul (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $t) (local.get $t)) (local.get $w2i))))
        (local.set $t (f32x4.add (local.get $amc) (local.get $jbmd)))
        (v128.store (i32.add (local.get $dst) (i32.mul (local.get $span) (i32.const 3)))
          (f32x4.add (f32x4.mul (local.get $t) (local.get $w3r))
            (f32x4.mul (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $t) (local.get $t)) (local.get $w3i))))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 2)))
        (br_if $butterflies (i32.lt_u (local.get $q) (local.get $s))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br_if $twiddle (i32.lt_u (local.get $p) (local.get $m)))))

  ;; Transforms the n complex numbers at $x (n >= 4, a power of two), using $y as
  ;; scratch; $dir is 1 forward, -1 inverse. Returns where the result lies ($x or $y).
  (func (export "transform") (param $x i32) (param $y i32) (param $n i32) (param $twiddles i32) (param $firstTable i32)
    (param $dir f32) (result i32)
    (local $s i32) (local $m i32) (local $t i32) (local $sign v128)
    (call $firstPass (local.get $x) (local.get $y) (i32.shr_u (local.get $n) (i32.const 1)) (local.get $firstTable)
      (f32x4.splat (local.get $dir)))
    (local.set $t (local.get $x)) (local.set $x (local.get $y)) (local.set $y (local.get $t))
    ;; the forward twiddle is (c, -sin); (-t, t) lanes, flipped for the inverse
    (local.set $sign (f32x4.mul (v128.const f32x4 -1 1 -1 1) (f32x4.splat (local.get $dir))))
    ;; $m: the size still to transform at stride $s (n / s)
    (local.set $s (i32.const 2))
    (local.set $m (i32.shr_u (local.get $n) (i32.const 1)))
    (block $done
      (loop $passes
        (br_if $done (i32.lt_u (local.get $m) (i32.const 4)))
        (call $pass4 (local.get $x) (local.get $y) (local.get $s) (i32.shr_u (local.get $m) (i32.const 2)) (local.get $twiddles)
          (i32.shr_u (local.get $n) (i32.const 1)) (local.get $sign))
        (local.set $t (local.get $x)) (local.set $x (local.get $y)) (local.set $y (local.get $t))
        (local.set $s (i32.shl (local.get $s) (i32.const 2)))
        (local.set $m (i32.shr_u (local.get $m) (i32.const 2)))
        (br $passes)))
    (if (i32.eq (local.get $m) (i32.const 2))
      (then
        (call $pass (local.get $x) (local.get $y) (local.get $s) (i32.const 1) (local.get $twiddles) (local.get $sign))
        (local.set $t (local.get $x)) (local.set $x (local.get $y)) (local.set $y (local.get $t))))
    (local.get $x))

  ;; z[k] *= h[k] for $count complex numbers ($count even).
  (func (export "multiply") (param $z i32) (param $h i32) (param $count i32)
    (local $end i32) (local $v v128) (local $w v128)
    (local.set $end (i32.add (local.get $z) (i32.shl (local.get $count) (i32.const 3))))
    (loop $products
      (local.set $v (v128.load (local.get $z)))
      (local.set $w (v128.load (local.get $h)))
      (v128.store (local.get $z)
        (f32x4.add
          (f32x4.mul (local.get $v) (i8x16.shuffle 0 1 2 3 0 1 2 3 8 9 10 11 8 9 10 11 (local.get $w) (local.get $w)))
          (f32x4.mul (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $v) (local.get $v))
            (f32x4.mul (v128.const f32x4 -1 1 -1 1)
              (i8x16.shuffle 4 5 6 7 4 5 6 7 12 13 14 15 12 13 14 15 (local.get $w) (local.get $w))))))
      (local.set $z (i32.add (local.get $z) (i32.const 16)))
      (local.set $h (i32.add (local.get $h) (i32.const 16)))
      (br_if $products (i32.lt_u (local.get $z) (local.get $end)))))
  ;; Analysis spectra: the result z of a transform of two real frames (A in the
  ;; real parts, B in the imaginary ones) split into the frames' powers,
  ;; A = (Z[k] + conj Z[n-k]) / 2, B = (Z[k] - conj Z[n-k]) / 2i, in float64:
  ;; per band the sums over bins [edges[band], edges[band + 1]) of A's and B's
  ;; power (scaled by $scale) go to $sums as (A, B) pairs, and each bin's power
  ;; (A + B with a second frame, else A) is added to the long-term spectrum at
  ;; $ltp (DC from the DC bin alone). Lanes hold (A, B) and add bin after bin,
  ;; as the scalar loop does, so the sums are the same.
  (func (export "pairBandPowers") (param $z i32) (param $n i32) (param $scale f64) (param $edges i32) (param $bandCount i32)
    (param $ltp i32) (param $sums i32) (param $second i32)
    (local $band i32) (local $k i32) (local $kEnd i32) (local $addr i32)
    (local $acc v128) (local $zk v128) (local $wk v128) (local $v1 v128) (local $v2 v128) (local $power v128) (local $quarter v128)
    (local $x f64) (local $y f64)
    (local.set $x (f64.promote_f32 (f32.load (local.get $z))))
    (local.set $y (f64.promote_f32 (f32.load offset=4 (local.get $z))))
    (f64.store (local.get $ltp) (f64.add (f64.load (local.get $ltp))
      (f64.mul (local.get $scale) (f64.add (f64.mul (local.get $x) (local.get $x)) (f64.mul (local.get $y) (local.get $y))))))
    (local.set $quarter (f64x2.splat (f64.mul (f64.const 0.25) (local.get $scale))))
    (block $bandsDone
      (br_if $bandsDone (i32.eqz (local.get $bandCount)))
      (loop $bands
        (local.set $k (i32.load (i32.add (local.get $edges) (i32.shl (local.get $band) (i32.const 2)))))
        (local.set $kEnd (i32.load offset=4 (i32.add (local.get $edges) (i32.shl (local.get $band) (i32.const 2)))))
        (local.set $acc (v128.const i64x2 0 0))
        (block $binsDone
          (loop $bins
            (br_if $binsDone (i32.ge_s (local.get $k) (local.get $kEnd)))
            (local.set $zk (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $z) (i32.shl (local.get $k) (i32.const 3))))))
            (local.set $wk (f64x2.promote_low_f32x4 (v128.load64_zero
              (i32.add (local.get $z) (i32.shl (i32.sub (local.get $n) (local.get $k)) (i32.const 3))))))
            ;; (ar, br) = (zr + wr, zi + wi); (ai, bi) = (zi - wi, zr - wr)
            (local.set $v1 (f64x2.add (local.get $zk) (local.get $wk)))
            (local.set $v2 (f64x2.sub
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $zk) (local.get $zk))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $wk) (local.get $wk))))
            (local.set $power (f64x2.mul (local.get $quarter)
              (f64x2.add (f64x2.mul (local.get $v1) (local.get $v1)) (f64x2.mul (local.get $v2) (local.get $v2)))))
            (local.set $acc (f64x2.add (local.get $acc) (local.get $power)))
            (local.set $addr (i32.add (local.get $ltp) (i32.shl (local.get $k) (i32.const 3))))
            (f64.store (local.get $addr) (f64.add (f64.load (local.get $addr))
              (if (result f64) (local.get $second)
                (then (f64.add (f64x2.extract_lane 0 (local.get $power)) (f64x2.extract_lane 1 (local.get $power))))
                (else (f64x2.extract_lane 0 (local.get $power))))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $bins)))
        (v128.store (i32.add (local.get $sums) (i32.shl (local.get $band) (i32.const 4))) (local.get $acc))
        (local.set $band (i32.add (local.get $band) (i32.const 1)))
        (br_if $bands (i32.lt_u (local.get $band) (local.get $bandCount))))))

  ;; Spectral frames (analysis): mono[i] = (l[i] + r[i]) * scale for i < count (count a multiple of 4).
  (func (export "mix") (param $l i32) (param $r i32) (param $mono i32) (param $count i32) (param $scale f32)
    (local $end i32) (local $k v128)
    (local.set $k (f32x4.splat (local.get $scale)))
    (local.set $end (i32.add (local.get $mono) (i32.shl (local.get $count) (i32.const 2))))
    (loop $vectors
      (v128.store (local.get $mono)
        (f32x4.mul (f32x4.add (v128.load (local.get $l)) (v128.load (local.get $r))) (local.get $k)))
      (local.set $l (i32.add (local.get $l) (i32.const 16)))
      (local.set $r (i32.add (local.get $r) (i32.const 16)))
      (local.set $mono (i32.add (local.get $mono) (i32.const 16)))
      (br_if $vectors (i32.lt_u (local.get $mono) (local.get $end)))))

  ;; The side of a pair: mono[i] = (l[i] - r[i]) * scale for i < count (count a multiple of 4).
  (func (export "mixDifference") (param $l i32) (param $r i32) (param $mono i32) (param $count i32) (param $scale f32)
    (local $end i32) (local $k v128)
    (local.set $k (f32x4.splat (local.get $scale)))
    (local.set $end (i32.add (local.get $mono) (i32.shl (local.get $count) (i32.const 2))))
    (loop $vectors
      (v128.store (local.get $mono)
        (f32x4.mul (f32x4.sub (v128.load (local.get $l)) (v128.load (local.get $r))) (local.get $k)))
      (local.set $l (i32.add (local.get $l) (i32.const 16)))
      (local.set $r (i32.add (local.get $r) (i32.const 16)))
      (local.set $mono (i32.add (local.get $mono) (i32.const 16)))
      (br_if $vectors (i32.lt_u (local.get $mono) (local.get $end)))))

  ;; Two windowed frames into one complex input of n numbers: re = mono[i] * win[i],
  ;; im = mono[hop + i] * win[i] (0 without a second frame), for i < count (a
  ;; multiple of 4, the window zero-padded to it); zeros from there to n.
  (func (export "windowPair") (param $mono i32) (param $win i32) (param $count i32) (param $hop i32)
    (param $second i32) (param $out i32) (param $n i32)
    (local $i i32) (local $w v128) (local $a v128) (local $b v128) (local $end i32)
    (loop $vectors
      (local.set $w (v128.load (i32.add (local.get $win) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $a (f32x4.mul (local.get $w) (v128.load align=4 (i32.add (local.get $mono) (i32.shl (local.get $i) (i32.const 2))))))
      (local.set $b (f32x4.mul (local.get $w)
        (v128.load align=4 (i32.add (local.get $mono) (i32.shl (i32.add (local.get $hop) (local.get $i)) (i32.const 2))))))
      (if (i32.eqz (local.get $second)) (then (local.set $b (v128.const i32x4 0 0 0 0))))
      (v128.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3)))
        (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b)))
      (v128.store offset=16 (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3)))
        (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $vectors (i32.lt_u (local.get $i) (local.get $count))))
    (local.set $i (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 3))))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
    (block $zeroed
      (loop $zeros
        (br_if $zeroed (i32.ge_u (local.get $i) (local.get $end)))
        (v128.store (local.get $i) (v128.const i32x4 0 0 0 0))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $zeros))))

  ;; Splits count complex numbers at $z (count a multiple of 4) into their real
  ;; parts at $a and imaginary parts at $b ($z need not be 16-byte aligned).
  (func (export "deinterleave") (param $z i32) (param $a i32) (param $b i32) (param $count i32)
    (local $end i32) (local $lo v128) (local $hi v128)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $count) (i32.const 2))))
    (loop $vectors
      (local.set $lo (v128.load align=4 (local.get $z)))
      (local.set $hi (v128.load offset=16 align=4 (local.get $z)))
      (v128.store (local.get $a) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $lo) (local.get $hi)))
      (v128.store (local.get $b) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $lo) (local.get $hi)))
      (local.set $z (i32.add (local.get $z) (i32.const 32)))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (br_if $vectors (i32.lt_u (local.get $a) (local.get $end)))))
)
