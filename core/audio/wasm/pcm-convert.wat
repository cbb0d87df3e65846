;; Stereo PCM conversions with WebAssembly SIMD, four frames per step: 16- and
;; 24-bit little-endian to planar float (value / 2^15 or / 2^23, exact, as
;; ffmpeg does) and
;; planar float to 24-bit little-endian (floor(x * 2^23 + 0.5), clipped; exact
;; in single precision for every in-range sample, so the bytes are those of
;; the scalar encoder).
(module
  (memory (export "memory") 1)

  ;; frames (a multiple of 4) interleaved s16 frames at $src into $left and $right.
  (func (export "decodeS16Stereo") (param $src i32) (param $left i32) (param $right i32) (param $frames i32)
    (local $end i32) (local $v v128) (local $planar v128) (local $scale v128)
    (local.set $scale (f32x4.splat (f32.const 0x1p-15)))
    (local.set $end (i32.add (local.get $left) (i32.shl (local.get $frames) (i32.const 2))))
    (loop $quads
      (local.set $v (v128.load align=2 (local.get $src)))
      ;; (L0 R0 L1 R1 L2 R2 L3 R3) -> (L0 L1 L2 L3 R0 R1 R2 R3)
      (local.set $planar (i8x16.shuffle 0 1 4 5 8 9 12 13 2 3 6 7 10 11 14 15 (local.get $v) (local.get $v)))
      (v128.store (local.get $left)
        (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $planar))) (local.get $scale)))
      (v128.store (local.get $right)
        (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $planar))) (local.get $scale)))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (local.set $left (i32.add (local.get $left) (i32.const 16)))
      (local.set $right (i32.add (local.get $right) (i32.const 16)))
      (br_if $quads (i32.lt_u (local.get $left) (local.get $end)))))

  ;; frames (a multiple of 4) interleaved s24 frames at $src into $left and
  ;; $right (reads 4 bytes past the last frame).
  (func (export "decodeS24Stereo") (param $src i32) (param $left i32) (param $right i32) (param $frames i32)
    (local $end i32) (local $a v128) (local $b v128) (local $scale v128)
    (local.set $scale (f32x4.splat (f32.const 0x1p-23)))
    (local.set $end (i32.add (local.get $left) (i32.shl (local.get $frames) (i32.const 2))))
    (loop $quads
      ;; Each sample's three bytes into the top of a word, shifted down with its sign:
      ;; (L0 R0 L1 R1) from the first 12 bytes, (L2 R2 L3 R3) from the next 12.
      (local.set $a (i32x4.shr_s (i8x16.shuffle 0 0 1 2 0 3 4 5 0 6 7 8 0 9 10 11
        (v128.load align=1 (local.get $src)) (v128.load align=1 (local.get $src))) (i32.const 8)))
      (local.set $b (i32x4.shr_s (i8x16.shuffle 0 0 1 2 0 3 4 5 0 6 7 8 0 9 10 11
        (v128.load offset=12 align=1 (local.get $src)) (v128.load offset=12 align=1 (local.get $src))) (i32.const 8)))
      (v128.store (local.get $left) (f32x4.mul (local.get $scale) (f32x4.convert_i32x4_s
        (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a) (local.get $b)))))
      (v128.store (local.get $right) (f32x4.mul (local.get $scale) (f32x4.convert_i32x4_s
        (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a) (local.get $b)))))
      (local.set $src (i32.add (local.get $src) (i32.const 24)))
      (local.set $left (i32.add (local.get $left) (i32.const 16)))
      (local.set $right (i32.add (local.get $right) (i32.const 16)))
      (br_if $quads (i32.lt_u (local.get $left) (local.get $end)))))

  ;; frames (a multiple of 4) from $left and $right into interleaved s24 at $out
  ;; (writes 4 bytes past the last frame). Returns 1 if any sample is NaN or
  ;; infinite (nothing is promised about the bytes then), else 0. The clip is
  ;; f32x4.pmin/pmax (a comparison and a select): for finite values the same
  ;; as f32x4.min/max, whose NaN and signed-zero rules V8 spends several
  ;; instructions on (8 M frames: 23.7 -> 16.3 ms, the same bytes).
  (func (export "encodeS24Stereo") (param $left i32) (param $right i32) (param $out i32) (param $frames i32) (result i32)
    (local $end i32) (local $l v128) (local $r v128) (local $bad v128)
    (local $ql v128) (local $qr v128) (local $lo v128) (local $hi v128)
    (local $scale v128) (local $half v128) (local $top v128) (local $bottom v128) (local $infinity v128)
    (local.set $scale (f32x4.splat (f32.const 8388608)))
    (local.set $half (f32x4.splat (f32.const 0.5)))
    (local.set $top (f32x4.splat (f32.const 8388607)))
    (local.set $bottom (f32x4.splat (f32.const -8388608)))
    (local.set $infinity (f32x4.splat (f32.const inf)))
    (local.set $end (i32.add (local.get $left) (i32.shl (local.get $frames) (i32.const 2))))
    (loop $quads
      (local.set $l (v128.load (local.get $left)))
      (local.set $r (v128.load (local.get $right)))
      ;; NaN is unequal to itself; |x| = inf marks the infinities
      (local.set $bad (v128.or (local.get $bad)
        (v128.or
          (v128.or (f32x4.ne (local.get $l) (local.get $l)) (f32x4.ne (local.get $r) (local.get $r)))
          (v128.or (f32x4.eq (f32x4.abs (local.get $l)) (local.get $infinity)) (f32x4.eq (f32x4.abs (local.get $r)) (local.get $infinity))))))
      (local.set $ql (i32x4.trunc_sat_f32x4_s (f32x4.pmax (local.get $bottom) (f32x4.pmin (local.get $top)
        (f32x4.floor (f32x4.add (f32x4.mul (local.get $l) (local.get $scale)) (local.get $half)))))))
      (local.set $qr (i32x4.trunc_sat_f32x4_s (f32x4.pmax (local.get $bottom) (f32x4.pmin (local.get $top)
        (f32x4.floor (f32x4.add (f32x4.mul (local.get $r) (local.get $scale)) (local.get $half)))))))
      ;; (l0 r0 l1 r1) and (l2 r2 l3 r3), then the low three bytes of each word
      (local.set $lo (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $ql) (local.get $qr)))
      (local.set $hi (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $ql) (local.get $qr)))
      (v128.store align=1 (local.get $out) (i8x16.shuffle 0 1 2 4 5 6 8 9 10 12 13 14 0 0 0 0 (local.get $lo) (local.get $lo)))
      (v128.store offset=12 align=1 (local.get $out) (i8x16.shuffle 0 1 2 4 5 6 8 9 10 12 13 14 0 0 0 0 (local.get $hi) (local.get $hi)))
      (local.set $out (i32.add (local.get $out) (i32.const 24)))
      (local.set $left (i32.add (local.get $left) (i32.const 16)))
      (local.set $right (i32.add (local.get $right) (i32.const 16)))
      (br_if $quads (i32.lt_u (local.get $left) (local.get $end))))
    (v128.any_true (local.get $bad))))
