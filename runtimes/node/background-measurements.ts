// Measurements the tap thread takes over a whole track in shared memory
// (`TapHost.measureShared`), a block at a time in its idle turns, in the order
// they were asked for; one asked for its result is finished at once.
import type { StreamTap } from '../../core/dsp/stream-stage.ts';
import { createTap, type TapSpec } from '../../core/mastering/tap-host.ts';
import { viewOfSharedChannel, type SharedChannel } from './tap-thread-messages.ts';

interface Measurement {
  readonly tap: StreamTap<unknown> | null;
  readonly channels: readonly Float32Array[];
  readonly length: number;
  readonly blockFrames: number;
  next: number;
  error: unknown;
}

export interface BackgroundMeasurements {
  /** Starts measurement `id` of the track `channels` hold; a tap that cannot be built keeps its error for the result. */
  add(id: number, spec: TapSpec, channels: readonly SharedChannel[], blockFrames: number): void;
  has(id: number): boolean;
  /** Whether a measurement still has blocks to take. */
  pending(): boolean;
  /** Takes the next block of the oldest unfinished measurement. */
  step(): void;
  /** Takes what is left of measurement `id` and gives its result (throws its error), forgetting it. */
  finish(id: number): unknown;
}

export function createBackgroundMeasurements(): BackgroundMeasurements {
  const measurements = new Map<number, Measurement>();

  const advance = (measurement: Measurement) => {
    const { tap, channels, length, blockFrames } = measurement;
    if (!tap || measurement.error !== null || measurement.next >= length) {
      measurement.next = length;
      return;
    }
    const start = measurement.next;
    const end = Math.min(length, start + blockFrames);
    measurement.next = end;
    try {
      tap.push(channels.map((samples) => samples.subarray(start, end)));
    } catch (error) {
      measurement.error = error;
    }
  };

  const unfinished = () => {
    for (const measurement of measurements.values()) if (measurement.next < measurement.length) return measurement;
    return null;
  };

  return {
    add(id, spec, channels, blockFrames) {
      const views = channels.map(viewOfSharedChannel);
      const length = views.length ? views[0].length : 0;
      let tap: StreamTap<unknown> | null = null;
      let error: unknown = null;
      try {
        if (!(Number.isInteger(blockFrames) && blockFrames >= 1)) throw new RangeError(`blockFrames must be a positive integer, got ${blockFrames}`);
        if (views.some((samples) => samples.length !== length)) throw new RangeError('the channels of a measured track differ in length');
        tap = createTap(spec);
      } catch (caught) {
        error = caught;
      }
      measurements.set(id, { tap, channels: views, length, blockFrames, next: 0, error });
    },
    has: (id) => measurements.has(id),
    pending: () => unfinished() !== null,
    step() {
      const measurement = unfinished();
      if (measurement) advance(measurement);
    },
    finish(id) {
      const measurement = measurements.get(id);
      if (!measurement) throw new Error(`no measurement ${id} on the tap thread`);
      measurements.delete(id);
      while (measurement.next < measurement.length) advance(measurement);
      if (measurement.error !== null) throw measurement.error;
      return measurement.tap!.result();
    },
  };
}
