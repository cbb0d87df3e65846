;; The limiter's gain recursion (limiter-gain-follower.ts) in WebAssembly: per
;; sample, the gain a look-ahead peak needs, held with release (and, dual, a
;; slow stage that follows it down and releases on its own), then a moving
;; average over the look-ahead window. A sequential recursion, so scalar; in
;; JavaScript it ran at ~10 ns a sample, for ~23 M samples a 3-minute master
;; (the full-rate limiter and the control-rate predictions).
;;
;; Float64 arithmetic in the JavaScript loop's order, each stored gain and
;; each average rounded to float32 where it rounds them, so every value is
;; identical to its. Its minima and maxima are a comparison and a select:
;; f64.min and f64.max carry NaN and signed-zero handling that these positive,
;; finite values never need (decoded samples are finite), which V8 compiles to
;; branches on the recursion's critical path (8 M samples: 56 -> 37 ms single,
;; 64 -> 53 ms dual release, the same values bit for bit).
;;
;; The state goes in and comes back at `state`: the running
;; sum, the held gain, the slow stage and the smallest average (f64 each);
;; the ring of the window's gains (f64) lies at `ring`, `size` long.
(module
  (memory (export "memory") 1)

  ;; Gains of `count` samples from their look-ahead peaks at `peaks` (f32) to
  ;; `out` (f32), the ring's next slot `slot`; returns the slot after.
  (func (export "follow")
    (param $peaks i32) (param $out i32) (param $count i32) (param $ring i32) (param $size i32) (param $slot i32)
    (param $lim f64) (param $fast f64) (param $attack f64) (param $release f64) (param $dual i32) (param $state i32)
    (result i32)
    (local $end i32) (local $sum f64) (local $held f64) (local $slow f64) (local $least f64)
    (local $value f64) (local $need f64) (local $released f64) (local $smoothed f64) (local $at i32) (local $sizeF f64)
    (local.set $sum (f64.load (local.get $state)))
    (local.set $held (f64.load offset=8 (local.get $state)))
    (local.set $slow (f64.load offset=16 (local.get $state)))
    (local.set $least (f64.load offset=24 (local.get $state)))
    (local.set $sizeF (f64.convert_i32_u (local.get $size)))
    (local.set $end (i32.add (local.get $peaks) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $peaks) (local.get $end)))
      (loop $samples
        ;; held = min(lim / max(peak, lim), 1 − (1 − held) × fast)
        (local.set $need (f64.promote_f32 (f32.load (local.get $peaks))))
        (local.set $need (f64.div (local.get $lim) (select (local.get $need) (local.get $lim) (f64.gt (local.get $need) (local.get $lim)))))
        (local.set $released (f64.sub (f64.const 1) (f64.mul (f64.sub (f64.const 1) (local.get $held)) (local.get $fast))))
        (local.set $held (select (local.get $need) (local.get $released) (f64.lt (local.get $need) (local.get $released))))
        (if (local.get $dual)
          (then
            ;; slow = held < slow ? held + (slow − held) × attack : 1 − (1 − slow) × release
            (local.set $slow
              (select
                (f64.add (local.get $held) (f64.mul (f64.sub (local.get $slow) (local.get $held)) (local.get $attack)))
                (f64.sub (f64.const 1) (f64.mul (f64.sub (f64.const 1) (local.get $slow)) (local.get $release)))
                (f64.lt (local.get $held) (local.get $slow))))
            (local.set $value (f64.promote_f32 (f32.demote_f64 (select (local.get $held) (local.get $slow) (f64.lt (local.get $held) (local.get $slow)))))))
          (else
            (local.set $value (f64.promote_f32 (f32.demote_f64 (local.get $held))))))
        ;; sum += value − ring[slot]; ring[slot] = value; slot = next
        (local.set $at (i32.add (local.get $ring) (i32.shl (local.get $slot) (i32.const 3))))
        (local.set $sum (f64.add (local.get $sum) (f64.sub (local.get $value) (f64.load (local.get $at)))))
        (f64.store (local.get $at) (local.get $value))
        (local.set $slot (i32.add (local.get $slot) (i32.const 1)))
        (local.set $slot (select (i32.const 0) (local.get $slot) (i32.eq (local.get $slot) (local.get $size))))
        (local.set $smoothed (f64.promote_f32 (f32.demote_f64 (f64.div (local.get $sum) (local.get $sizeF)))))
        (f32.store (local.get $out) (f32.demote_f64 (local.get $smoothed)))
        (local.set $least (select (local.get $smoothed) (local.get $least) (f64.lt (local.get $smoothed) (local.get $least))))
        (local.set $peaks (i32.add (local.get $peaks) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br_if $samples (i32.lt_u (local.get $peaks) (local.get $end)))))
    (f64.store (local.get $state) (local.get $sum))
    (f64.store offset=8 (local.get $state) (local.get $held))
    (f64.store offset=16 (local.get $state) (local.get $slow))
    (f64.store offset=24 (local.get $state) (local.get $least))
    (local.get $slot))
)
