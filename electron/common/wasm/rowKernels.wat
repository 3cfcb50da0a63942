;; The inner loops of maskUpsample.ts (issue 16): bilinear interpolation along a line and the thresholds of a row of
;; logits, in float32 SIMD. Every product and sum is an IEEE float32 operation, as PyTorch's CPU kernel rounds them,
;; so the results are bit for bit those of the JavaScript `Math.fround` arithmetic they replace.
;; Pointers are byte offsets into the exported memory; counts are elements. Assemble with `npm run wasm`.
(module
  (memory (export "memory") 1)

  ;; out[i] = a[i]·wa + b[i]·wb for i < n.
  (func (export "lerp")
    (param $a i32) (param $wa f32) (param $b i32) (param $wb f32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32) (local $vend i32) (local $va v128) (local $vb v128)
    (local.set $va (f32x4.splat (local.get $wa)))
    (local.set $vb (f32x4.splat (local.get $wb)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vend (i32.and (local.get $end) (i32.const -16)))
    (block $vector_done
      (loop $vector
        (br_if $vector_done (i32.ge_u (local.get $i) (local.get $vend)))
        (v128.store align=4 (i32.add (local.get $out) (local.get $i))
          (f32x4.add
            (f32x4.mul (v128.load align=4 (i32.add (local.get $a) (local.get $i))) (local.get $va))
            (f32x4.mul (v128.load align=4 (i32.add (local.get $b) (local.get $i))) (local.get $vb))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vector)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $i) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $a) (local.get $i))) (local.get $wa))
            (f32.mul (f32.load (i32.add (local.get $b) (local.get $i))) (local.get $wb))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail))))

  ;; out[d] = src[i0[d]]·w0[d] + src[i1[d]]·w1[d] for d < n: one axis along a line (i0, i1 int32 indices into src).
  (func (export "gather")
    (param $src i32) (param $i0 i32) (param $i1 i32) (param $w0 i32) (param $w1 i32) (param $out i32) (param $n i32)
    (local $d i32) (local $end i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $d) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $d))
          (f32.add
            (f32.mul
              (f32.load (i32.add (local.get $src)
                (i32.shl (i32.load (i32.add (local.get $i0) (local.get $d))) (i32.const 2))))
              (f32.load (i32.add (local.get $w0) (local.get $d))))
            (f32.mul
              (f32.load (i32.add (local.get $src)
                (i32.shl (i32.load (i32.add (local.get $i1) (local.get $d))) (i32.const 2))))
              (f32.load (i32.add (local.get $w1) (local.get $d))))))
        (local.set $d (i32.add (local.get $d) (i32.const 4)))
        (br $next))))

  ;; fg[x] = 1 where v[x] > thr else 0, for x < n; counts[0..2] (int32) = how many v are > thr, > hi, > lo.
  ;; NaN is above nothing, as in JavaScript.
  (func (export "threshold")
    (param $v i32) (param $n i32) (param $thr f32) (param $hi f32) (param $lo f32) (param $fg i32) (param $counts i32)
    (local $x i32) (local $vend i32) (local $p i32) (local $value f32)
    (local $t v128) (local $h v128) (local $l v128) (local $cf v128) (local $ch v128) (local $cl v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $m0 v128) (local $m1 v128) (local $m2 v128) (local $m3 v128)
    (local $sf i32) (local $sh i32) (local $sl i32)
    (local.set $t (f32x4.splat (local.get $thr)))
    (local.set $h (f32x4.splat (local.get $hi)))
    (local.set $l (f32x4.splat (local.get $lo)))
    (local.set $vend (i32.and (local.get $n) (i32.const -16)))
    (block $vector_done
      (loop $vector
        (br_if $vector_done (i32.ge_u (local.get $x) (local.get $vend)))
        (local.set $p (i32.add (local.get $v) (i32.shl (local.get $x) (i32.const 2))))
        (local.set $x0 (v128.load align=4 (local.get $p)))
        (local.set $x1 (v128.load offset=16 align=4 (local.get $p)))
        (local.set $x2 (v128.load offset=32 align=4 (local.get $p)))
        (local.set $x3 (v128.load offset=48 align=4 (local.get $p)))
        ;; comparisons give -1 (all bits set) or 0 per lane: subtracting them counts
        (local.set $m0 (f32x4.gt (local.get $x0) (local.get $t)))
        (local.set $m1 (f32x4.gt (local.get $x1) (local.get $t)))
        (local.set $m2 (f32x4.gt (local.get $x2) (local.get $t)))
        (local.set $m3 (f32x4.gt (local.get $x3) (local.get $t)))
        (local.set $cf (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub (local.get $cf)
          (local.get $m0)) (local.get $m1)) (local.get $m2)) (local.get $m3)))
        (local.set $ch (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub (local.get $ch)
          (f32x4.gt (local.get $x0) (local.get $h))) (f32x4.gt (local.get $x1) (local.get $h)))
          (f32x4.gt (local.get $x2) (local.get $h))) (f32x4.gt (local.get $x3) (local.get $h))))
        (local.set $cl (i32x4.sub (i32x4.sub (i32x4.sub (i32x4.sub (local.get $cl)
          (f32x4.gt (local.get $x0) (local.get $l))) (f32x4.gt (local.get $x1) (local.get $l)))
          (f32x4.gt (local.get $x2) (local.get $l))) (f32x4.gt (local.get $x3) (local.get $l))))
        ;; the 16 masks narrowed to bytes in order (-1 stays -1), then 1 / 0
        (v128.store align=1 (i32.add (local.get $fg) (local.get $x))
          (v128.and
            (i8x16.narrow_i16x8_s
              (i16x8.narrow_i32x4_s (local.get $m0) (local.get $m1))
              (i16x8.narrow_i32x4_s (local.get $m2) (local.get $m3)))
            (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1)))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (br $vector)))
    (local.set $sf (i32.add (i32.add (i32x4.extract_lane 0 (local.get $cf)) (i32x4.extract_lane 1 (local.get $cf)))
      (i32.add (i32x4.extract_lane 2 (local.get $cf)) (i32x4.extract_lane 3 (local.get $cf)))))
    (local.set $sh (i32.add (i32.add (i32x4.extract_lane 0 (local.get $ch)) (i32x4.extract_lane 1 (local.get $ch)))
      (i32.add (i32x4.extract_lane 2 (local.get $ch)) (i32x4.extract_lane 3 (local.get $ch)))))
    (local.set $sl (i32.add (i32.add (i32x4.extract_lane 0 (local.get $cl)) (i32x4.extract_lane 1 (local.get $cl)))
      (i32.add (i32x4.extract_lane 2 (local.get $cl)) (i32x4.extract_lane 3 (local.get $cl)))))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $x) (local.get $n)))
        (local.set $value (f32.load (i32.add (local.get $v) (i32.shl (local.get $x) (i32.const 2)))))
        (i32.store8 (i32.add (local.get $fg) (local.get $x)) (f32.gt (local.get $value) (local.get $thr)))
        (local.set $sf (i32.add (local.get $sf) (f32.gt (local.get $value) (local.get $thr))))
        (local.set $sh (i32.add (local.get $sh) (f32.gt (local.get $value) (local.get $hi))))
        (local.set $sl (i32.add (local.get $sl) (f32.gt (local.get $value) (local.get $lo))))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $tail)))
    (i32.store (local.get $counts) (local.get $sf))
    (i32.store offset=4 (local.get $counts) (local.get $sh))
    (i32.store offset=8 (local.get $counts) (local.get $sl))))
