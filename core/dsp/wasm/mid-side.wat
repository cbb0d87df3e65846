;; The stereo widener's two passes over every frame, in WebAssembly: left/right
;; to mid/side with the side's energy per guard block, and after the side
;; filter the mid and side energies per guard block. In JavaScript these loops
;; ran interpreted for the first tens of thousands of frames of every render
;; (the optimising compiler shares the two cores with the render), then at
;; about 3 ns a frame.
;;
;; Scalar float64 arithmetic in the order of the JavaScript loops (each sum
;; adds one square after the other; a frame's mid and side are rounded to
;; float32 once), so every value is identical to theirs. A guard block closes
;; every `block` frames, the first one `firstEnd` frames in; a block that ends
;; exactly at `count` closes too.
(module
  (memory (export "memory") 1)

  ;; left ← (left + right) / 2, right ← (left − right) / 2 over `count` frames;
  ;; the side's Σ s² per guard block: closed blocks' sums to `sums` (f64, in
  ;; order), and the open block's sum (starting from `open`) returned.
  (func (export "toMidSide") (param $l i32) (param $r i32) (param $count i32) (param $firstEnd i32) (param $block i32) (param $open f64) (param $sums i32) (result f64)
    (local $i i32) (local $end i32) (local $spanEnd i32) (local $x f64) (local $y f64) (local $side f64) (local $sum f64)
    (local.set $sum (local.get $open))
    (local.set $end (local.get $firstEnd))
    (block $done
      (loop $blocks
        (local.set $spanEnd (select (local.get $count) (local.get $end) (i32.gt_u (local.get $end) (local.get $count))))
        (block $spanDone
          (br_if $spanDone (i32.ge_u (local.get $i) (local.get $spanEnd)))
          (loop $frames
            (local.set $x (f64.promote_f32 (f32.load (local.get $l))))
            (local.set $y (f64.promote_f32 (f32.load (local.get $r))))
            (local.set $side (f64.mul (f64.const 0.5) (f64.sub (local.get $x) (local.get $y))))
            (f32.store (local.get $l) (f32.demote_f64 (f64.mul (f64.const 0.5) (f64.add (local.get $x) (local.get $y)))))
            (f32.store (local.get $r) (f32.demote_f64 (local.get $side)))
            (local.set $sum (f64.add (local.get $sum) (f64.mul (local.get $side) (local.get $side))))
            (local.set $l (i32.add (local.get $l) (i32.const 4)))
            (local.set $r (i32.add (local.get $r) (i32.const 4)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $frames (i32.lt_u (local.get $i) (local.get $spanEnd)))))
        ;; A block past the frames stays open.
        (br_if $done (i32.gt_u (local.get $end) (local.get $count)))
        (f64.store (local.get $sums) (local.get $sum))
        (local.set $sums (i32.add (local.get $sums) (i32.const 8)))
        (local.set $sum (f64.const 0))
        (br_if $done (i32.eq (local.get $end) (local.get $count)))
        (local.set $end (i32.add (local.get $end) (local.get $block)))
        (br $blocks)))
    (local.get $sum))

  ;; Σ mid² and Σ side² per guard block over `count` frames: closed blocks'
  ;; pairs to `sums` (mid, side as f64, in order), then the open block's pair
  ;; (starting from `openMid`, `openSide`; zeros after a block that closed at
  ;; the last frame) after them.
  (func (export "blockEnergies") (param $m i32) (param $s i32) (param $count i32) (param $firstEnd i32) (param $block i32) (param $openMid f64) (param $openSide f64) (param $sums i32)
    (local $i i32) (local $end i32) (local $spanEnd i32) (local $x f64) (local $y f64) (local $midSum f64) (local $sideSum f64)
    (local.set $midSum (local.get $openMid))
    (local.set $sideSum (local.get $openSide))
    (local.set $end (local.get $firstEnd))
    (block $done
      (loop $blocks
        (local.set $spanEnd (select (local.get $count) (local.get $end) (i32.gt_u (local.get $end) (local.get $count))))
        (block $spanDone
          (br_if $spanDone (i32.ge_u (local.get $i) (local.get $spanEnd)))
          (loop $frames
            (local.set $x (f64.promote_f32 (f32.load (local.get $m))))
            (local.set $y (f64.promote_f32 (f32.load (local.get $s))))
            (local.set $midSum (f64.add (local.get $midSum) (f64.mul (local.get $x) (local.get $x))))
            (local.set $sideSum (f64.add (local.get $sideSum) (f64.mul (local.get $y) (local.get $y))))
            (local.set $m (i32.add (local.get $m) (i32.const 4)))
            (local.set $s (i32.add (local.get $s) (i32.const 4)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $frames (i32.lt_u (local.get $i) (local.get $spanEnd)))))
        (br_if $done (i32.gt_u (local.get $end) (local.get $count)))
        (f64.store (local.get $sums) (local.get $midSum))
        (f64.store offset=8 (local.get $sums) (local.get $sideSum))
        (local.set $sums (i32.add (local.get $sums) (i32.const 16)))
        (local.set $midSum (f64.const 0))
        (local.set $sideSum (f64.const 0))
        (br_if $done (i32.eq (local.get $end) (local.get $count)))
        (local.set $end (i32.add (local.get $end) (local.get $block)))
        (br $blocks)))
    (f64.store (local.get $sums) (local.get $midSum))
    (f64.store offset=8 (local.get $sums) (local.get $sideSum)))

  ;; Mid/side back to left/right over `count` frames with the side × a gain
  ;; ramping by `dg` a frame from `g0` at frame `k0` of its block:
  ;; left ← m + s·(g0 + dg·k), right ← m − s·(g0 + dg·k).
  (func (export "toLeftRight") (param $m i32) (param $s i32) (param $count i32) (param $g0 f64) (param $dg f64) (param $k0 i32)
    (local $end i32) (local $k f64) (local $mid f64) (local $side f64)
    (local.set $end (i32.add (local.get $m) (i32.shl (local.get $count) (i32.const 2))))
    (local.set $k (f64.convert_i32_u (local.get $k0)))
    (block $done
      (br_if $done (i32.ge_u (local.get $m) (local.get $end)))
      (loop $frames
        (local.set $mid (f64.promote_f32 (f32.load (local.get $m))))
        (local.set $side (f64.mul (f64.promote_f32 (f32.load (local.get $s))) (f64.add (local.get $g0) (f64.mul (local.get $dg) (local.get $k)))))
        (f32.store (local.get $m) (f32.demote_f64 (f64.add (local.get $mid) (local.get $side))))
        (f32.store (local.get $s) (f32.demote_f64 (f64.sub (local.get $mid) (local.get $side))))
        (local.set $k (f64.add (local.get $k) (f64.const 1)))
        (local.set $m (i32.add (local.get $m) (i32.const 4)))
        (local.set $s (i32.add (local.get $s) (i32.const 4)))
        (br_if $frames (i32.lt_u (local.get $m) (local.get $end))))))
)
