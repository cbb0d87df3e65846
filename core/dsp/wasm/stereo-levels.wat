;; Energy and peak of stereo stretches with WebAssembly SIMD: the analysis's
;; level blocks and the de-esser's side chain read every sample of a track,
;; and in JavaScript those passes cost as much as the loudness meter.
;;
;; The energy sums run in f64x2 lanes holding (left, right), one frame after
;; the other, so each lane adds exactly the squares, in exactly the order, of
;; the scalar `energy += x * x` per channel: the sums are identical. Peaks
;; of magnitudes are f32x4.pmax (b if a < b, else a): for non-negative, finite
;; values the same as f32x4.max, without the NaN and signed-zero rules V8
;; spends several instructions on.
(module
  (memory (export "memory") 1)

  ;; Returns Σ left² + Σ right² over `count` frames (float32 in, float64 sums)
  ;; and stores max(|left|, |right|) over them as an f32 at `peakOut`.
  (func (export "stereoEnergyPeak") (param $l i32) (param $r i32) (param $count i32) (param $peakOut i32) (result f64)
    (local $end i32) (local $vectorEnd i32)
    (local $left v128) (local $right v128) (local $low v128) (local $high v128) (local $pair v128)
    (local $sums v128) (local $peaks v128)
    (local $a f64) (local $b f64) (local $x f64) (local $y f64) (local $peak f32)
    (local.set $end (i32.add (local.get $l) (i32.shl (local.get $count) (i32.const 2))))
    (local.set $vectorEnd (i32.add (local.get $l) (i32.shl (i32.and (local.get $count) (i32.const -4)) (i32.const 2))))
    (block $noVectors
      (br_if $noVectors (i32.ge_u (local.get $l) (local.get $vectorEnd)))
      (loop $vectors
        (local.set $left (v128.load align=4 (local.get $l)))
        (local.set $right (v128.load align=4 (local.get $r)))
        (local.set $peaks (f32x4.pmax (local.get $peaks) (f32x4.pmax (f32x4.abs (local.get $left)) (f32x4.abs (local.get $right)))))
        ;; (l0 r0 l1 r1) and (l2 r2 l3 r3)
        (local.set $low (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $left) (local.get $right)))
        (local.set $high (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $left) (local.get $right)))
        (local.set $pair (f64x2.promote_low_f32x4 (local.get $low)))
        (local.set $sums (f64x2.add (local.get $sums) (f64x2.mul (local.get $pair) (local.get $pair))))
        (local.set $pair (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $low) (local.get $low))))
        (local.set $sums (f64x2.add (local.get $sums) (f64x2.mul (local.get $pair) (local.get $pair))))
        (local.set $pair (f64x2.promote_low_f32x4 (local.get $high)))
        (local.set $sums (f64x2.add (local.get $sums) (f64x2.mul (local.get $pair) (local.get $pair))))
        (local.set $pair (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $high) (local.get $high))))
        (local.set $sums (f64x2.add (local.get $sums) (f64x2.mul (local.get $pair) (local.get $pair))))
        (local.set $l (i32.add (local.get $l) (i32.const 16)))
        (local.set $r (i32.add (local.get $r) (i32.const 16)))
        (br_if $vectors (i32.lt_u (local.get $l) (local.get $vectorEnd)))))
    (local.set $a (f64x2.extract_lane 0 (local.get $sums)))
    (local.set $b (f64x2.extract_lane 1 (local.get $sums)))
    (local.set $peaks (f32x4.pmax (local.get $peaks) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $peaks) (local.get $peaks))))
    (local.set $peak (f32.max (f32x4.extract_lane 0 (local.get $peaks)) (f32x4.extract_lane 1 (local.get $peaks))))
    ;; The last frames one at a time, continuing the same sums.
    (block $done
      (loop $frames
        (br_if $done (i32.ge_u (local.get $l) (local.get $end)))
        (local.set $x (f64.promote_f32 (f32.load (local.get $l))))
        (local.set $y (f64.promote_f32 (f32.load (local.get $r))))
        (local.set $a (f64.add (local.get $a) (f64.mul (local.get $x) (local.get $x))))
        (local.set $b (f64.add (local.get $b) (f64.mul (local.get $y) (local.get $y))))
        (local.set $peak (f32.max (local.get $peak) (f32.max (f32.abs (f32.load (local.get $l))) (f32.abs (f32.load (local.get $r))))))
        (local.set $l (i32.add (local.get $l) (i32.const 4)))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $frames)))
    (f32.store (local.get $peakOut) (local.get $peak))
    (f64.add (local.get $a) (local.get $b)))

  ;; Energy per 16 frames: out[b] = Σ left² + Σ right² over frames 16b .. 16b + 15
  ;; (float64, each channel summed frame after frame, then the two added), for b < blocks.
  (func (export "stereoBlockEnergy16") (param $l i32) (param $r i32) (param $out i32) (param $blocks i32)
    (local $end i32) (local $frameEnd i32) (local $sums v128) (local $left v128) (local $right v128)
    (local $low v128) (local $high v128) (local $pair v128)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $blocks) (i32.const 3))))
    (block $done
      (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
      (loop $blocks
        (local.set $sums (v128.const i64x2 0 0))
        (local.set $frameEnd (i32.add (local.get $l) (i32.const 64)))
        (loop $fours
          (local.set $left (v128.load align=4 (local.get $l)))
          (local.set $right (v128.load align=4 (local.get $r)))
          (local.set $low (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $left) (local.get $right)))
          (local.set $high (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $left) (local.get $right)))
          (local.set $pair (f64x2.promote_low_f32x4 (local.get $low)))
          (local.set $sums (f64x2.add (local.get $sums) (f64x2.mul (local.get $pair) (local.get $pair))))
          (local.set $pair (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $low) (local.get $low))))
          (local.set $sums (f64x2.add (local.get $sums) (f64x2.mul (local.get $pair) (local.get $pair))))
          (local.set $pair (f64x2.promote_low_f32x4 (local.get $high)))
          (local.set $sums (f64x2.add (local.get $sums) (f64x2.mul (local.get $pair) (local.get $pair))))
          (local.set $pair (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $high) (local.get $high))))
          (local.set $sums (f64x2.add (local.get $sums) (f64x2.mul (local.get $pair) (local.get $pair))))
          (local.set $l (i32.add (local.get $l) (i32.const 16)))
          (local.set $r (i32.add (local.get $r) (i32.const 16)))
          (br_if $fours (i32.lt_u (local.get $l) (local.get $frameEnd))))
        (f64.store (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $sums)) (f64x2.extract_lane 1 (local.get $sums))))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br_if $blocks (i32.lt_u (local.get $out) (local.get $end))))))
)
