;; True-peak interpolation for 4x oversampling with WebAssembly SIMD: four
;; consecutive output positions per f32x4 lane group. Same symmetric split as
;; the JavaScript kernels (truepeak-kernel.ts): with s_k = x_k + x_(T-1-k) and
;; d_k = x_k - x_(T-1-k), the mirrored branches 1 and 3 are E +/- O, so their
;; larger magnitude is |E| + |O|, and the middle branch 2 is M = sum m_k s_k.
;;
;; Memory (bytes): coefficient vectors, each tap's value splatted to 4 lanes,
;; E at 0, O at 512, M at 1024 (up to 32 per branch half); the caller places
;; samples and envelopes from 2048 on. Positions j are float indices relative
;; to a samples pointer; position j reads x[j - taps + 1 .. j].
;; Maxima of magnitudes are f32x4.pmax (b if a < b, else a): for non-negative,
;; finite values the same as f32x4.max, without the NaN and signed-zero rules
;; V8 spends several instructions on.
(module
  (memory (export "memory") 3)

  ;; Largest interpolated magnitude over positions [start, end), end - start >= 4,
  ;; raised from $peak; with $withSamples set, also the magnitudes of samples
  ;; start .. end - 1 themselves. The last group is aligned to end (overlapping
  ;; is harmless for a max).
  (func $peak (export "peak") (param $x i32) (param $start i32) (param $end i32) (param $half i32) (param $peak f32)
    (param $withSamples i32) (result f32)
    (local $j i32) (local $last i32) (local $acc v128)
    (local $a v128) (local $b v128) (local $s v128) (local $e v128) (local $o v128) (local $m v128) (local $y v128)
    (local $pa i32) (local $pb i32) (local $c i32) (local $coefficientBytes i32)
    (local.set $coefficientBytes (i32.shl (local.get $half) (i32.const 4)))
    (local.set $acc (f32x4.splat (local.get $peak)))
    (local.set $last (i32.sub (local.get $end) (i32.const 4)))
    (local.set $j (local.get $start))
    (loop $groups
      (if (i32.gt_s (local.get $j) (local.get $last)) (then (local.set $j (local.get $last))))
      ;; max(|E| + |O|, |M|) for the four positions j .. j + 3 (written inline: V8 does not inline wasm calls)
      (local.set $pa (i32.add (local.get $x)
        (i32.shl (i32.sub (i32.add (local.get $j) (i32.const 1)) (i32.shl (local.get $half) (i32.const 1))) (i32.const 2))))
      (local.set $pb (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 2))))
      (local.set $c (i32.const 0))
      (local.set $e (v128.const i32x4 0 0 0 0))
      (local.set $o (v128.const i32x4 0 0 0 0))
      (local.set $m (v128.const i32x4 0 0 0 0))
      (loop $taps
        (local.set $a (v128.load align=4 (local.get $pa)))
        (local.set $b (v128.load align=4 (local.get $pb)))
        (local.set $s (f32x4.add (local.get $a) (local.get $b)))
        (local.set $e (f32x4.add (local.get $e) (f32x4.mul (v128.load (local.get $c)) (local.get $s))))
        (local.set $o (f32x4.add (local.get $o)
          (f32x4.mul (v128.load offset=512 (local.get $c)) (f32x4.sub (local.get $a) (local.get $b)))))
        (local.set $m (f32x4.add (local.get $m) (f32x4.mul (v128.load offset=1024 (local.get $c)) (local.get $s))))
        (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
        (local.set $pb (i32.sub (local.get $pb) (i32.const 4)))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br_if $taps (i32.lt_u (local.get $c) (local.get $coefficientBytes))))
      (local.set $y (f32x4.pmax
        (f32x4.add (f32x4.abs (local.get $e)) (f32x4.abs (local.get $o)))
        (f32x4.abs (local.get $m))))
      (local.set $acc (f32x4.pmax (local.get $acc) (local.get $y)))
      (if (local.get $withSamples) (then
        (local.set $acc (f32x4.pmax (local.get $acc)
          (f32x4.abs (v128.load align=4 (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 2)))))))))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br_if $groups (i32.lt_s (i32.sub (local.get $j) (i32.const 4)) (local.get $last))))
    (f32.max
      (f32.max (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
      (f32.max (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))

;; Largest |x| over [from, to), to - from >= 4 (the last vector aligned to $to).
  (func $maxAbs (param $x i32) (param $from i32) (param $to i32) (result f32)
    (local $i i32) (local $last i32) (local $acc v128)
    (local.set $last (i32.sub (local.get $to) (i32.const 4)))
    (local.set $i (local.get $from))
    (loop $groups
      (if (i32.gt_s (local.get $i) (local.get $last)) (then (local.set $i (local.get $last))))
      (local.set $acc (f32x4.pmax (local.get $acc)
        (f32x4.abs (v128.load align=4 (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $groups (i32.lt_s (i32.sub (local.get $i) (i32.const 4)) (local.get $last))))
    (f32.max
      (f32.max (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
      (f32.max (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))

  ;; The meter's scan: largest sample and interpolated magnitude over positions
  ;; [start, end), end - start >= 4, raised from $peak, with the history (taps - 1
  ;; samples, at least 4) before $start. Positions go in chunks of 64; a chunk
  ;; whose reachable inputs (its own and the previous chunk's, which covers the
  ;; history) times $maxGain cannot beat the peak so far is not interpolated.
  (func (export "scan") (param $x i32) (param $start i32) (param $end i32) (param $half i32) (param $peak f32)
    (param $maxGain f32) (result f32)
    (local $cs i32) (local $ce i32) (local $lo i32) (local $m f32) (local $previous f32)
    (local.set $previous (call $maxAbs (local.get $x)
      (i32.add (i32.sub (local.get $start) (i32.shl (local.get $half) (i32.const 1))) (i32.const 1)) (local.get $start)))
    (local.set $cs (local.get $start))
    (loop $chunks
      (local.set $ce (select (local.get $end) (i32.add (local.get $cs) (i32.const 64))
        (i32.lt_s (local.get $end) (i32.add (local.get $cs) (i32.const 64)))))
      (local.set $lo (select (i32.sub (local.get $ce) (i32.const 4)) (local.get $cs)
        (i32.lt_s (i32.sub (local.get $ce) (local.get $cs)) (i32.const 4))))
      (local.set $m (call $maxAbs (local.get $x) (local.get $lo) (local.get $ce)))
      (local.set $peak (f32.max (local.get $peak) (local.get $m)))
      (if (f32.gt (f32.mul (f32.max (local.get $m) (local.get $previous)) (local.get $maxGain)) (local.get $peak))
        (then (local.set $peak (call $peak (local.get $x) (local.get $lo) (local.get $ce) (local.get $half) (local.get $peak) (i32.const 0)))))
      (local.set $previous (local.get $m))
      (local.set $cs (local.get $ce))
      (br_if $chunks (i32.lt_s (local.get $cs) (local.get $end))))
    (local.get $peak))

    ;; env[i] = max(env[i], interpolated magnitude at position i + offset) for i in [0, count),
  ;; count >= 4; positions are relative to $x, env indices to $env.
  (func (export "envelope") (param $x i32) (param $env i32) (param $count i32) (param $half i32) (param $offset i32)
    (local $i i32) (local $last i32) (local $p i32)
    (local $a v128) (local $b v128) (local $s v128) (local $e v128) (local $o v128) (local $m v128) (local $y v128)
    (local $pa i32) (local $pb i32) (local $c i32) (local $coefficientBytes i32)
    (local.set $coefficientBytes (i32.shl (local.get $half) (i32.const 4)))
    (local.set $last (i32.sub (local.get $count) (i32.const 4)))
    (local.set $i (i32.const 0))
    (loop $groups
      (if (i32.gt_s (local.get $i) (local.get $last)) (then (local.set $i (local.get $last))))
      (local.set $p (i32.add (local.get $env) (i32.shl (local.get $i) (i32.const 2))))
      (local.set $pa (i32.add (local.get $x)
        (i32.shl (i32.sub (i32.add (i32.add (local.get $i) (local.get $offset)) (i32.const 1)) (i32.shl (local.get $half) (i32.const 1))) (i32.const 2))))
      (local.set $pb (i32.add (local.get $x) (i32.shl (i32.add (local.get $i) (local.get $offset)) (i32.const 2))))
      (local.set $c (i32.const 0))
      (local.set $e (v128.const i32x4 0 0 0 0))
      (local.set $o (v128.const i32x4 0 0 0 0))
      (local.set $m (v128.const i32x4 0 0 0 0))
      (loop $taps
        (local.set $a (v128.load align=4 (local.get $pa)))
        (local.set $b (v128.load align=4 (local.get $pb)))
        (local.set $s (f32x4.add (local.get $a) (local.get $b)))
        (local.set $e (f32x4.add (local.get $e) (f32x4.mul (v128.load (local.get $c)) (local.get $s))))
        (local.set $o (f32x4.add (local.get $o)
          (f32x4.mul (v128.load offset=512 (local.get $c)) (f32x4.sub (local.get $a) (local.get $b)))))
        (local.set $m (f32x4.add (local.get $m) (f32x4.mul (v128.load offset=1024 (local.get $c)) (local.get $s))))
        (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
        (local.set $pb (i32.sub (local.get $pb) (i32.const 4)))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br_if $taps (i32.lt_u (local.get $c) (local.get $coefficientBytes))))
      (local.set $y (f32x4.pmax
        (f32x4.add (f32x4.abs (local.get $e)) (f32x4.abs (local.get $o)))
        (f32x4.abs (local.get $m))))
      (v128.store align=4 (local.get $p) (f32x4.pmax (v128.load align=4 (local.get $p)) (local.get $y)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $groups (i32.lt_s (i32.sub (local.get $i) (i32.const 4)) (local.get $last))))))
