// Helpers for the load and latency tests: longer WAVs made from the fixtures,
// a server process's memory from /proc, percentiles, and a bounded client pool.
import { readFileSync } from 'node:fs';
import { readWavInfo } from './http-client.ts';

const MIB = 1024 * 1024;

/**
 * `seconds` of a PCM WAV made by repeating its audio (header rewritten): real
 * music of any length from a 10 s fixture.
 *
 * @example const thirtySeconds = loopedWav(readFixture('indie_pop/target.wav'), 30);
 */
export function loopedWav(bytes: Uint8Array, seconds: number): Uint8Array {
  const info = readWavInfo(bytes);
  const frameBytes = (info.bitsPerSample / 8) * info.channels;
  const headerBytes = bytes.byteLength - info.dataBytes;
  const dataBytes = Math.round(seconds * info.sampleRateHz) * frameBytes;
  const out = new Uint8Array(headerBytes + dataBytes);
  out.set(bytes.subarray(0, headerBytes));
  const source = bytes.subarray(headerBytes);
  for (let offset = 0; offset < dataBytes; offset += source.byteLength) {
    out.set(source.subarray(0, Math.min(source.byteLength, dataBytes - offset)), headerBytes + offset);
  }
  const view = new DataView(out.buffer);
  view.setUint32(4, out.byteLength - 8, true);
  view.setUint32(headerBytes - 4, dataBytes, true);
  return out;
}

/** A process's resident set now and its peak so far, in MiB (Linux /proc). */
export function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const read = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]) / 1024;
  return { rss: read('VmRSS'), peak: read('VmHWM') };
}

/**
 * The `p`-th percentile (0–100) by the nearest-rank method.
 *
 * @example percentile([5, 1, 9, 3], 50) // 3
 */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** Runs `total` tasks with at most `concurrency` at once; resolves with every result in task order. */
export async function runConcurrently<T>(total: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(total);
  let next = 0;
  const clients = Array.from({ length: Math.min(concurrency, total) }, async () => {
    while (next < total) {
      const index = next++;
      results[index] = await task(index);
    }
  });
  await Promise.all(clients);
  return results;
}

/** Polls `read` until `accept` holds or `timeoutMs` passes; returns the last value read. */
export async function settleTo<T>(read: () => T, accept: (value: T) => boolean, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = read();
  while (!accept(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    value = read();
  }
  return value;
}

export const toMiB = (bytes: number) => bytes / MIB;
