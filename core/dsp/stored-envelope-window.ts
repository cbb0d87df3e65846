/**
 * A limiter's window of recent frames whose peak envelope was computed
 * before, by a true-peak tap over the same input with the same filter and
 * relevance, and kept (convergence keeps it where the limiter's gain curve
 * goes next): the envelope is read instead of interpolated again, the same
 * values, so the limiter's output is the same bit for bit. Every position is
 * final as soon as it is taken.
 */
import type { Frames } from './stream-stage.ts';
import { EnvelopeWindow } from './truepeak-envelope-stream.ts';
import { copySamples } from '../audio/copy-samples.ts';

/** Reads the kept envelope of positions [start, start + count) (valid until the next read). */
export type EnvelopeReader = (start: number, count: number) => Float32Array;

export class StoredEnvelopeWindow extends EnvelopeWindow {
  constructor(
    private readonly read: EnvelopeReader,
    channelCount: number,
    capacity: number,
  ) {
    super(channelCount, capacity);
  }

  /** Nothing of its own: every position taken is final. */
  protected ownNeedsFrom(): number {
    return this.received;
  }

  take(frames: Frames, offset: number, count: number): void {
    const at = this.takeSamples(frames, offset, count);
    const kept = this.read(this.received, count);
    if (kept.length !== count) throw new RangeError(`kept envelope gave ${kept.length} values for ${count} frames`);
    copySamples(this.envelope, at, kept);
    this.received += count;
    this.finalUntil = this.received;
  }

  end(): void {
    this.finalUntil = this.received;
  }
}
