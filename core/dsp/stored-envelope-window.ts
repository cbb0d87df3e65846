/**
 * A limiter's window of recent frames whose peak envelope was computed
 * before, by a true-peak tap over the same input with the same filter and
 * relevance, and kept (convergence keeps it where the limiter's gain curve
 * goes next): the envelope is read instead of interpolated again, the same
 * values, so the limiter's output is the same bit for bit. Every position is
 * final as soon as it is taken.
 */
import type { Frames } from './stream-stage.ts';
import type { EnvelopeWindow } from './truepeak-envelope-stream.ts';

/** Reads the kept envelope of positions [start, start + count) (valid until the next read). */
export type EnvelopeReader = (start: number, count: number) => Float32Array;

export class StoredEnvelopeWindow implements EnvelopeWindow {
  base = 0;
  received = 0;
  finalUntil = 0;
  readonly samples: Float32Array[];
  readonly envelope: Float32Array;

  constructor(
    private readonly read: EnvelopeReader,
    channelCount: number,
    readonly capacity: number,
  ) {
    this.samples = Array.from({ length: channelCount }, () => new Float32Array(capacity));
    this.envelope = new Float32Array(capacity);
  }

  makeRoom(count: number, keepFrom: number): number {
    if (this.received - this.base + count <= this.capacity) return 0;
    const keep = Math.max(this.base, Math.min(keepFrom, this.received));
    const shift = keep - this.base;
    const used = this.received - this.base;
    if (used - shift + count > this.capacity) throw new RangeError(`envelope window of ${this.capacity} frames cannot keep ${used - shift} and take ${count}`);
    for (const samples of this.samples) samples.copyWithin(0, shift, used);
    this.envelope.copyWithin(0, shift, used);
    this.base = keep;
    return shift;
  }

  take(frames: Frames, offset: number, count: number): void {
    const at = this.received - this.base;
    this.samples.forEach((samples, c) => samples.set(frames[c].subarray(offset, offset + count), at));
    const kept = this.read(this.received, count);
    if (kept.length !== count) throw new RangeError(`kept envelope gave ${kept.length} values for ${count} frames`);
    this.envelope.set(kept, at);
    this.received += count;
    this.finalUntil = this.received;
  }

  end(): void {
    this.finalUntil = this.received;
  }
}
