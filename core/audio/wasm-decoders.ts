/**
 * Shared instances of the WASM FLAC and MP3 decoders. Instantiating a decoder
 * compiles or instantiates its WASM module, so instances are created lazily
 * and reused; each decode borrows one for its whole stream (a decoder carries
 * stream state, so two concurrent decodes must never share one) and returns it
 * after a reset. Both decoders write a console line per bad frame; uploads are
 * untrusted, so that output is silenced and errors are reported as
 * `IngestValidationError` by the callers instead.
 *
 * The decoder packages themselves (about 260 KB of JavaScript with their WASM
 * inlined) are imported on the first FLAC or MP3 decode, not when the module
 * loads: a process that only ever reads WAV — the command line on WAV files,
 * its reference and tap threads — does not parse them at start-up.
 */
import type { FLACDecoder } from '@wasm-audio-decoders/flac';
import type { MPEGDecoder } from 'mpg123-decoder';

/** Idle instances kept for reuse; more concurrent decodes simply create more. */
const MAX_IDLE_PER_KIND = 2;

interface Resettable {
  readonly ready: Promise<void>;
  reset(): Promise<void>;
  free(): void | Promise<void>;
}

interface DecoderPool<T extends Resettable> {
  readonly idle: T[];
  readonly create: () => Promise<T>;
}

const flacPool: DecoderPool<FLACDecoder> = { idle: [], create: async () => new (await import('@wasm-audio-decoders/flac')).FLACDecoder() };
const mpegPool: DecoderPool<MPEGDecoder> = { idle: [], create: async () => new (await import('mpg123-decoder')).MPEGDecoder({ enableGapless: true }) };

async function borrow<T extends Resettable, R>(pool: DecoderPool<T>, use: (decoder: T) => Promise<R> | R): Promise<R> {
  const decoder = pool.idle.pop() ?? (await pool.create());
  await decoder.ready;
  let healthy = true;
  try {
    return await use(decoder);
  } catch (error) {
    healthy = false;
    throw error;
  } finally {
    // Reset before reuse so no bytes or state of this stream leak into the next one.
    // A decoder that threw, or fails to reset, is dropped rather than trusted again.
    void decoder
      .reset()
      .then(() => {
        if (healthy && pool.idle.length < MAX_IDLE_PER_KIND) pool.idle.push(decoder);
        else void Promise.resolve().then(() => decoder.free()).catch(() => {});
      })
      .catch(() => {});
  }
}

/**
 * Runs `use` with a FLAC decoder that no other decode touches meanwhile.
 *
 * @example const result = await withFlacDecoder(async (d) => d.decode(bytes));
 */
export function withFlacDecoder<R>(use: (decoder: FLACDecoder) => Promise<R> | R): Promise<R> {
  return borrow(flacPool, use);
}

/**
 * Runs `use` with an mpg123 decoder (gapless: encoder delay and padding are
 * trimmed from the LAME/Xing tag, as ffmpeg does) that no other decode touches meanwhile.
 *
 * @example const result = await withMpegDecoder((d) => d.decode(bytes));
 */
export function withMpegDecoder<R>(use: (decoder: MPEGDecoder) => Promise<R> | R): Promise<R> {
  return borrow(mpegPool, use);
}

const noop = (): void => {};

/**
 * Calls `run` with console.error/warn/log muted, restoring them before
 * returning. Only synchronous work is muted: the decoders log synchronously
 * inside `decode()`, so nothing else can run (and lose its logs) meanwhile.
 *
 * @example const decoded = withConsoleSilenced(() => decoder.decode(chunk));
 */
export function withConsoleSilenced<R>(run: () => R): R {
  const { error, warn, log } = console;
  console.error = noop;
  console.warn = noop;
  console.log = noop;
  try {
    return run();
  } finally {
    console.error = error;
    console.warn = warn;
    console.log = log;
  }
}
