// Regions of a working copy in shared memory that the render's thread hands
// the tap thread as they are, without copying them into a slot: which buffers
// may be handed over (their writer waits before writing a region again, see
// tap-thread.ts), and which blocks handed over are still being measured.
import type { Frames } from '../../core/dsp/stream-stage.ts';
import { sharedChannelOf, type SharedChannel } from './tap-thread-messages.ts';

export interface HandedOverRegions {
  /** Lets regions of `buffer` be handed over: everything that writes it waits with the host's `awaitRegionFree` first. */
  admit(buffer: SharedArrayBuffer): void;
  /** The channels of `frames` as shared regions, when every one lies in an admitted buffer; else null. */
  regionsOf(frames: Frames): SharedChannel[] | null;
  /** Notes block `index` as handed over in `regions`. */
  handOver(index: number, regions: readonly SharedChannel[]): void;
  /** The latest block handed over that overlaps bytes [from, to) of `buffer` and is not yet counted measured (index ≥ `done`); −1 for none. */
  latestOverlapping(buffer: SharedArrayBuffer, from: number, to: number, done: number): number;
}

export function createHandedOverRegions(): HandedOverRegions {
  const admitted = new Set<SharedArrayBuffer>();
  /** Blocks handed over, oldest first, each channel's byte range. */
  let inFlight: { readonly index: number; readonly regions: readonly SharedChannel[] }[] = [];
  return {
    admit: (buffer) => void admitted.add(buffer),
    regionsOf(frames) {
      if (admitted.size === 0 || frames.length === 0) return null;
      const regions: SharedChannel[] = [];
      for (const samples of frames) {
        const region = sharedChannelOf(samples);
        if (!region || !admitted.has(region.buffer)) return null;
        regions.push(region);
      }
      return regions;
    },
    handOver(index, regions) {
      inFlight.push({ index, regions });
    },
    latestOverlapping(buffer, from, to, done) {
      if (inFlight.length > 0 && inFlight[0].index < done) inFlight = inFlight.filter((block) => block.index >= done);
      let latest = -1;
      for (const block of inFlight) {
        const overlaps = block.regions.some(
          (region) => region.buffer === buffer && region.byteOffset < to && region.byteOffset + region.length * Float32Array.BYTES_PER_ELEMENT > from,
        );
        if (overlaps) latest = Math.max(latest, block.index);
      }
      return latest;
    },
  };
}
