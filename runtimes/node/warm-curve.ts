/**
 * The limiter's gain curve in shared memory that the tap thread can page in
 * ahead of the render (`TapThread.warm`): a fresh page costs ~10 µs to map
 * on the VMs measured, ~0.1 s for a 3-minute curve the render then does not
 * spend. The CLI and a pool worker with a core to spare make one per job.
 */
import { memoryTrackStore, type TrackStore } from '../../core/audio/pcm-source.ts';

export interface WarmCurve {
  /** The curve's memory, to hand to `TapThread.warm`. */
  readonly memory: SharedArrayBuffer;
  /** The store over it, once, for a one-channel curve of the length it was made for; null for any other shape (it gets a store of its own). */
  take(shape: { readonly sampleRateHz: number; readonly channelCount: number; readonly length: number }): TrackStore | null;
}

/**
 * A curve of `length` frames in shared memory, or null when it would take
 * more than `limitBytes` (the caller then keeps it elsewhere: a file, or no
 * curve at all).
 *
 * @example const curve = warmCurveFor(source.length, 64 * 1024 * 1024); if (curve) void taps.warm(curve.memory);
 */
export function warmCurveFor(length: number, limitBytes: number): WarmCurve | null {
  const bytes = length * Float32Array.BYTES_PER_ELEMENT;
  if (bytes === 0 || bytes > limitBytes) return null;
  const memory = new SharedArrayBuffer(bytes);
  let taken = false;
  return {
    memory,
    take(shape) {
      if (taken || shape.channelCount !== 1 || shape.length !== length) return null;
      taken = true;
      return memoryTrackStore([new Float32Array(memory)], shape.sampleRateHz);
    },
  };
}
