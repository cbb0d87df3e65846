;; Gains applied to one channel in place, with WebAssembly SIMD: the
;; compressor's interpolated gain, the limiter's gain curve and a plain scale.
;; Each pass reads and writes every sample of the track; as scalar JavaScript
;; they were among the slowest loops of a render.
;;
;; The arithmetic is the scalar code's, in f64x2 lanes: samples are widened
;; to float64, multiplied by a float64 gain computed the same way, and rounded
;; back to float32 once, so every output sample is identical.
(module
  (memory (export "memory") 1)

  ;; Linear ramps between control-block gains, 16 samples per block:
  ;; x[16b + k] *= g[b] + (g[b + 1] − g[b]) / 16 · k, for b < blocks
  ;; ($gains holds blocks + 1 float32 values).
  (func (export "rampGain") (param $p i32) (param $gains i32) (param $blocks i32)
    (local $end i32) (local $g0 v128) (local $dg v128) (local $first f64)
    (local $x v128) (local $k01 v128) (local $k23 v128) (local $blockEnd i32)
    (local.set $end (i32.add (local.get $gains) (i32.shl (local.get $blocks) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $gains) (local.get $end)))
      (loop $blocks
        (local.set $first (f64.promote_f32 (f32.load (local.get $gains))))
        (local.set $g0 (f64x2.splat (local.get $first)))
        (local.set $dg (f64x2.splat (f64.mul
          (f64.sub (f64.promote_f32 (f32.load offset=4 (local.get $gains))) (local.get $first))
          (f64.const 0.0625))))
        (local.set $k01 (v128.const f64x2 0 1))
        (local.set $k23 (v128.const f64x2 2 3))
        (local.set $blockEnd (i32.add (local.get $p) (i32.const 64)))
        (loop $fours
          (local.set $x (v128.load align=4 (local.get $p)))
          (v128.store align=4 (local.get $p)
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
              (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.promote_low_f32x4 (local.get $x)) (f64x2.add (local.get $g0) (f64x2.mul (local.get $dg) (local.get $k01)))))
              (f32x4.demote_f64x2_zero (f64x2.mul
                (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x)))
                (f64x2.add (local.get $g0) (f64x2.mul (local.get $dg) (local.get $k23)))))))
          (local.set $k01 (f64x2.add (local.get $k01) (v128.const f64x2 4 4)))
          (local.set $k23 (f64x2.add (local.get $k23) (v128.const f64x2 4 4)))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br_if $fours (i32.lt_u (local.get $p) (local.get $blockEnd))))
        (local.set $gains (i32.add (local.get $gains) (i32.const 4)))
        (br_if $blocks (i32.lt_u (local.get $gains) (local.get $end))))))

  ;; x[i] *= curve[i] · gain for i < count (count a multiple of 4).
  (func (export "curveGain") (param $p i32) (param $curve i32) (param $count i32) (param $gain f64)
    (local $end i32) (local $g v128) (local $c v128) (local $x v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $count) (i32.const 2))))
    (local.set $g (f64x2.splat (local.get $gain)))
    (block $done
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (loop $vectors
        (local.set $c (v128.load align=4 (local.get $curve)))
        (local.set $x (v128.load align=4 (local.get $p)))
        (v128.store align=4 (local.get $p)
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.promote_low_f32x4 (local.get $x)) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $c)) (local.get $g))))
            (f32x4.demote_f64x2_zero (f64x2.mul
              (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x)))
              (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $c) (local.get $c))) (local.get $g))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $curve (i32.add (local.get $curve) (i32.const 16)))
        (br_if $vectors (i32.lt_u (local.get $p) (local.get $end))))))

  ;; x[i] *= factor for i < count (count a multiple of 4).
  (func (export "scale") (param $p i32) (param $count i32) (param $factor f64)
    (local $end i32) (local $g v128) (local $x v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $count) (i32.const 2))))
    (local.set $g (f64x2.splat (local.get $factor)))
    (block $done
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (loop $vectors
        (local.set $x (v128.load align=4 (local.get $p)))
        (v128.store align=4 (local.get $p)
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.promote_low_f32x4 (local.get $x)) (local.get $g)))
            (f32x4.demote_f64x2_zero (f64x2.mul
              (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x)))
              (local.get $g)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br_if $vectors (i32.lt_u (local.get $p) (local.get $end))))))
)
