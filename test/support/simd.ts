// The kernel tests compare each WebAssembly SIMD kernel with its JavaScript
// twin, so they run the SIMD side even when the suite runs with AUDO_EQ_SIMD=off
// (which switches every other caller to JavaScript).
import { setSimdEnabled, simdEnabled } from '../../core/wasm/simd-module.ts';

/**
 * `body` with the SIMD kernels switched on, the switch restored after.
 *
 * @example test('the SIMD FFT matches fft.js', withSimd(() => { ... }));
 */
export function withSimd(body: () => void | Promise<void>): () => Promise<void> {
  return async () => {
    const was = simdEnabled();
    setSimdEnabled(true);
    try {
      await body();
    } finally {
      setSimdEnabled(was);
    }
  };
}
