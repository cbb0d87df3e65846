;; Recursive filters over a stereo pair with WebAssembly SIMD: the left channel
;; in lane 0 and the right in lane 1 of every f64x2, so one instruction stream
;; runs both recursions (scalar JavaScript interleaves them and runs out of
;; registers and issue slots first). Double precision and the same operation
;; order as the scalar kernels (kweighted-energy.ts), so results are identical.
;;
;; Memory (bytes): 0: coefficients, ten f64 (shelf b0 b1 b2 a1 a2, high-pass
;; b0 b1 b2 a1 a2); 80: state, four f64x2 (shelf z1 z2, high-pass z1 z2, lanes
;; left/right); 144: weights f64x2; 160: sums f64x2; from 256: data.
(module
  (memory (export "memory") 1)

  ;; K-weights l[0..count) and r[0..count) (f32, count a multiple of 4) from the
  ;; state at 80 and adds the squares of the result per lane. With $block > 0,
  ;; also writes weight-combined sums per $block samples (f64) from $out on
  ;; ($block divides count); the running totals are always added at 160.
  (func (export "kWeight") (param $l i32) (param $r i32) (param $count i32) (param $block i32) (param $out i32)
    (local $pb0 v128) (local $pb1 v128) (local $pb2 v128) (local $pa1 v128) (local $pa2 v128)
    (local $rb0 v128) (local $rb1 v128) (local $rb2 v128) (local $ra1 v128) (local $ra2 v128)
    (local $p1 v128) (local $p2 v128) (local $r1 v128) (local $r2 v128)
    (local $sum v128) (local $blockSum v128) (local $total v128)
    (local $la v128) (local $lb v128) (local $lo v128) (local $hi v128)
    (local $u v128) (local $y v128) (local $z v128)
    (local $i i32) (local $inBlock i32)
    (local.set $pb0 (v128.load64_splat (i32.const 0)))
    (local.set $pb1 (v128.load64_splat (i32.const 8)))
    (local.set $pb2 (v128.load64_splat (i32.const 16)))
    (local.set $pa1 (v128.load64_splat (i32.const 24)))
    (local.set $pa2 (v128.load64_splat (i32.const 32)))
    (local.set $rb0 (v128.load64_splat (i32.const 40)))
    (local.set $rb1 (v128.load64_splat (i32.const 48)))
    (local.set $rb2 (v128.load64_splat (i32.const 56)))
    (local.set $ra1 (v128.load64_splat (i32.const 64)))
    (local.set $ra2 (v128.load64_splat (i32.const 72)))
    (local.set $p1 (v128.load (i32.const 80)))
    (local.set $p2 (v128.load (i32.const 96)))
    (local.set $r1 (v128.load (i32.const 112)))
    (local.set $r2 (v128.load (i32.const 128)))
    (local.set $total (v128.load (i32.const 160)))
    (block $done
      (loop $quads
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $la (v128.load (i32.add (local.get $l) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $lb (v128.load (i32.add (local.get $r) (i32.shl (local.get $i) (i32.const 2)))))
        ;; (l0 r0 l1 r1) and (l2 r2 l3 r3)
        (local.set $lo (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $la) (local.get $lb)))
        (local.set $hi (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $la) (local.get $lb)))
        ;; four samples, each pair promoted to f64x2 (left, right)
          (local.set $u (f64x2.promote_low_f32x4 (local.get $lo)))
          (local.set $y (f64x2.add (f64x2.mul (local.get $pb0) (local.get $u)) (local.get $p1)))
          (local.set $p1 (f64x2.add (f64x2.sub (f64x2.mul (local.get $pb1) (local.get $u)) (f64x2.mul (local.get $pa1) (local.get $y))) (local.get $p2)))
          (local.set $p2 (f64x2.sub (f64x2.mul (local.get $pb2) (local.get $u)) (f64x2.mul (local.get $pa2) (local.get $y))))
          (local.set $z (f64x2.add (f64x2.mul (local.get $rb0) (local.get $y)) (local.get $r1)))
          (local.set $r1 (f64x2.add (f64x2.sub (f64x2.mul (local.get $rb1) (local.get $y)) (f64x2.mul (local.get $ra1) (local.get $z))) (local.get $r2)))
          (local.set $r2 (f64x2.sub (f64x2.mul (local.get $rb2) (local.get $y)) (f64x2.mul (local.get $ra2) (local.get $z))))
          (local.set $sum (f64x2.add (local.get $sum) (f64x2.mul (local.get $z) (local.get $z))))
          (local.set $u (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $lo) (local.get $lo))))
          (local.set $y (f64x2.add (f64x2.mul (local.get $pb0) (local.get $u)) (local.get $p1)))
          (local.set $p1 (f64x2.add (f64x2.sub (f64x2.mul (local.get $pb1) (local.get $u)) (f64x2.mul (local.get $pa1) (local.get $y))) (local.get $p2)))
          (local.set $p2 (f64x2.sub (f64x2.mul (local.get $pb2) (local.get $u)) (f64x2.mul (local.get $pa2) (local.get $y))))
          (local.set $z (f64x2.add (f64x2.mul (local.get $rb0) (local.get $y)) (local.get $r1)))
          (local.set $r1 (f64x2.add (f64x2.sub (f64x2.mul (local.get $rb1) (local.get $y)) (f64x2.mul (local.get $ra1) (local.get $z))) (local.get $r2)))
          (local.set $r2 (f64x2.sub (f64x2.mul (local.get $rb2) (local.get $y)) (f64x2.mul (local.get $ra2) (local.get $z))))
          (local.set $sum (f64x2.add (local.get $sum) (f64x2.mul (local.get $z) (local.get $z))))
          (local.set $u (f64x2.promote_low_f32x4 (local.get $hi)))
          (local.set $y (f64x2.add (f64x2.mul (local.get $pb0) (local.get $u)) (local.get $p1)))
          (local.set $p1 (f64x2.add (f64x2.sub (f64x2.mul (local.get $pb1) (local.get $u)) (f64x2.mul (local.get $pa1) (local.get $y))) (local.get $p2)))
          (local.set $p2 (f64x2.sub (f64x2.mul (local.get $pb2) (local.get $u)) (f64x2.mul (local.get $pa2) (local.get $y))))
          (local.set $z (f64x2.add (f64x2.mul (local.get $rb0) (local.get $y)) (local.get $r1)))
          (local.set $r1 (f64x2.add (f64x2.sub (f64x2.mul (local.get $rb1) (local.get $y)) (f64x2.mul (local.get $ra1) (local.get $z))) (local.get $r2)))
          (local.set $r2 (f64x2.sub (f64x2.mul (local.get $rb2) (local.get $y)) (f64x2.mul (local.get $ra2) (local.get $z))))
          (local.set $sum (f64x2.add (local.get $sum) (f64x2.mul (local.get $z) (local.get $z))))
          (local.set $u (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $hi) (local.get $hi))))
          (local.set $y (f64x2.add (f64x2.mul (local.get $pb0) (local.get $u)) (local.get $p1)))
          (local.set $p1 (f64x2.add (f64x2.sub (f64x2.mul (local.get $pb1) (local.get $u)) (f64x2.mul (local.get $pa1) (local.get $y))) (local.get $p2)))
          (local.set $p2 (f64x2.sub (f64x2.mul (local.get $pb2) (local.get $u)) (f64x2.mul (local.get $pa2) (local.get $y))))
          (local.set $z (f64x2.add (f64x2.mul (local.get $rb0) (local.get $y)) (local.get $r1)))
          (local.set $r1 (f64x2.add (f64x2.sub (f64x2.mul (local.get $rb1) (local.get $y)) (f64x2.mul (local.get $ra1) (local.get $z))) (local.get $r2)))
          (local.set $r2 (f64x2.sub (f64x2.mul (local.get $rb2) (local.get $y)) (f64x2.mul (local.get $ra2) (local.get $z))))
          (local.set $sum (f64x2.add (local.get $sum) (f64x2.mul (local.get $z) (local.get $z))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (if (local.get $block)
          (then
            (local.set $inBlock (i32.add (local.get $inBlock) (i32.const 4)))
            (if (i32.ge_u (local.get $inBlock) (local.get $block))
              (then
                (local.set $blockSum (f64x2.mul (local.get $sum) (v128.load (i32.const 144))))
                (f64.store (local.get $out)
                  (f64.add (f64x2.extract_lane 0 (local.get $blockSum)) (f64x2.extract_lane 1 (local.get $blockSum))))
                (local.set $out (i32.add (local.get $out) (i32.const 8)))
                (local.set $total (f64x2.add (local.get $total) (local.get $sum)))
                (local.set $sum (v128.const i64x2 0 0))
                (local.set $inBlock (i32.const 0))))))
        (br $quads)))
    (v128.store (i32.const 80) (local.get $p1))
    (v128.store (i32.const 96) (local.get $p2))
    (v128.store (i32.const 112) (local.get $r1))
    (v128.store (i32.const 128) (local.get $r2))
    (v128.store (i32.const 160) (f64x2.add (local.get $total) (local.get $sum)))))
