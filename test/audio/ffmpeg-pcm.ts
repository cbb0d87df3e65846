/**
 * Test helper: ffmpeg as the independent decoder. Decodes any file to planar
 * float32 exactly as `ffmpeg -f f32le` does, and makes test audio at test time.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasTool, requireTool } from '../support/tools.ts';

/** True when ffmpeg and ffprobe are usable (CI=true fails instead of skipping). */
export function ffmpegAvailable(suite: string): boolean {
  return requireTool('ffmpeg', hasTool('ffmpeg') && hasTool('ffprobe'), suite);
}

export interface FfmpegPcm {
  readonly sampleRateHz: number;
  readonly channels: Float32Array[];
}

/** Decodes `path` with ffmpeg to planar float32 (`-ac`, when given, asks ffmpeg to remix first). */
export function ffmpegDecode(path: string, outputChannels?: number): FfmpegPcm {
  const probe = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=channels,sample_rate', '-of', 'csv=p=0', path])
    .toString()
    .trim()
    .split(/[\s,]+/)
    .map(Number);
  const [sampleRateHz, sourceChannels] = probe;
  const channelCount = outputChannels ?? sourceChannels;
  const args = ['-v', 'error', '-i', path, ...(outputChannels ? ['-ac', String(outputChannels)] : []), '-f', 'f32le', '-acodec', 'pcm_f32le', '-'];
  const raw = execFileSync('ffmpeg', args, { maxBuffer: 1 << 30 });
  const interleaved = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const frames = interleaved.length / channelCount;
  const channels = Array.from({ length: channelCount }, () => new Float32Array(frames));
  for (let i = 0, w = 0; i < frames; i++) for (let c = 0; c < channelCount; c++, w++) channels[c][i] = interleaved[w];
  return { sampleRateHz, channels };
}

/** Runs ffmpeg with `args` (after `-v error -y`), throwing with its stderr on failure. */
export function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** True when ffmpeg reads the whole file without a single error. */
export function ffmpegAccepts(path: string): { ok: boolean; stderr: string } {
  try {
    const out = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
    return { ok: true, stderr: out.toString() };
  } catch (error) {
    return { ok: false, stderr: String((error as { stderr?: Buffer }).stderr ?? error) };
  }
}

/** A fresh temporary directory and a function that removes it. */
export function makeTempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `audo-eq-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function readBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** Index and size of the largest difference between two channel sets (lengths must match). */
export function maxAbsDifference(a: Float32Array[], b: Float32Array[]): number {
  let max = 0;
  for (let c = 0; c < a.length; c++) for (let i = 0; i < a[c].length; i++) max = Math.max(max, Math.abs(a[c][i] - b[c][i]));
  return max;
}

/** True when both channel sets hold exactly the same float32 values. */
export function bitIdentical(a: Float32Array[], b: Float32Array[]): boolean {
  if (a.length !== b.length) return false;
  for (let c = 0; c < a.length; c++) {
    if (a[c].length !== b[c].length) return false;
    const x = new Uint32Array(a[c].buffer, a[c].byteOffset, a[c].length);
    const y = new Uint32Array(b[c].buffer, b[c].byteOffset, b[c].length);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}
