/** What the render's thread and the tap thread (tap-thread.ts) say to each other. */
import type { TapSpec } from '../../core/mastering/tap-host.ts';
import type { WidenerPart } from '../../core/mastering/split-widener-pass.ts';

/** What the render's thread posts to the tap thread, in order. */
export type TapThreadRequest =
  | { readonly op: 'open'; readonly id: number; readonly spec: TapSpec }
  /**
   * The next block for tap `id`, copied into a slot (`block`) or handed over
   * where it lies in the working copy (`regions`, one a channel); without
   * either, the block last sent (another tap of the same pass had it).
   */
  | { readonly op: 'push'; readonly id: number; readonly block?: SharedBlock; readonly regions?: readonly SharedChannel[] }
  /** The render is about to write over the block last handed over: count it measured now (every tap that reads it has had it). */
  | { readonly op: 'release' }
  /** Measure the whole track `channels` hold, in blocks of `blockFrames`, in the thread's idle turns (`TapHost.measureShared`); its `result` request waits for it. */
  | { readonly op: 'measure'; readonly id: number; readonly spec: TapSpec; readonly channels: readonly SharedChannel[]; readonly blockFrames: number }
  /**
   * Widen the track `channels` hold from `part.from` on, in place
   * (`TapHost.widenShared`), once every measurement asked for before is
   * done; its `result` request gets the guard's counts.
   */
  | { readonly op: 'widen'; readonly id: number; readonly channels: readonly SharedChannel[]; readonly part: Omit<WidenerPart, 'settle'> & { readonly settle: readonly SharedChannel[] } }
  | { readonly op: 'result'; readonly id: number }
  /** Page in `buffer` (memory the render will write later) between the other requests, then post {@link TapThreadWarmed}; its contents stay as they are. */
  | { readonly op: 'warm'; readonly id: number; readonly buffer: SharedArrayBuffer };

/** Posted on the thread's own port once every page of warm request `id`'s buffer is in. */
export interface TapThreadWarmed {
  readonly type: 'warmed';
  readonly id: number;
}

/**
 * A block in a slot of shared memory the render's thread reuses once the tap
 * thread has counted the block measured: channel c is `frames` floats from
 * float index c × `frames`.
 */
export interface SharedBlock {
  readonly buffer: SharedArrayBuffer;
  readonly channels: number;
  readonly frames: number;
}

/** One channel of a track in shared memory: `length` floats from byte `byteOffset` of `buffer`. */
export interface SharedChannel {
  readonly buffer: SharedArrayBuffer;
  readonly byteOffset: number;
  readonly length: number;
}

/** `samples` as a {@link SharedChannel} (what a message carries), or null when they do not lie in shared memory. */
export function sharedChannelOf(samples: Float32Array): SharedChannel | null {
  return samples.buffer instanceof SharedArrayBuffer ? { buffer: samples.buffer, byteOffset: samples.byteOffset, length: samples.length } : null;
}

/** The samples a {@link SharedChannel} names, as a view (the other thread's side of {@link sharedChannelOf}). */
export function viewOfSharedChannel({ buffer, byteOffset, length }: SharedChannel): Float32Array {
  return new Float32Array(buffer, byteOffset, length);
}

/** The tap thread's answer to a `result` request, on the reply port (a tap that fails is a bug: its error as name, message and stack). */
export type TapThreadReply =
  | { readonly id: number; readonly result: unknown }
  | { readonly id: number; readonly error: { readonly name: string; readonly message: string; readonly stack?: string } };

/** The shared counters: replies posted, blocks measured (each notified as it moves), requests posted (open, push, release, measure, widen, result). */
export const REPLIES = 0;
export const BLOCKS_DONE = 1;
/** Counted by the render's thread before each request it posts, so the tap thread can tell when it has caught up with them (it measures in the background and warms pages only then). */
export const REQUESTS_SENT = 2;
export const SIGNAL_SLOTS = 3;
