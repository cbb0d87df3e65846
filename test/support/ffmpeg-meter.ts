/**
 * ffmpeg as the independent meter: runs its `ebur128=peak=true` filter on a
 * file, and decodes files to float PCM through ffmpeg so meter tests do not
 * depend on our own codecs.
 */
import { spawnSync } from 'node:child_process';
import type { PcmAudio } from '../../core/audio/pcm.ts';

export interface FfmpegLoudness {
  /** From the filter's per-frame metadata (3 decimals), taken at the last frame. */
  integratedLufs: number;
  loudnessRangeLu: number;
  /** max over channels of 20·log10(true peak), from the metadata's linear true peaks (3 decimals). */
  truePeakDbtp: number | null;
  /** The same three figures as printed in the filter's closing Summary block (1 decimal). */
  summary: { integratedLufs: number; loudnessRangeLu: number; truePeakDbtp: number | null };
}

function run(args: string[]): { stdout: Buffer; stderr: string } {
  const result = spawnSync('ffmpeg', args, { maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed (${result.status}):\n${result.stderr?.toString().slice(-2000)}`);
  return { stdout: result.stdout, stderr: result.stderr.toString() };
}

const parseDb = (text: string) => (/^-?inf/i.test(text) ? null : Number(text));

/** Parses the last `Summary:` block ffmpeg's ebur128 filter writes to stderr. */
export function parseEbur128Summary(stderr: string): FfmpegLoudness['summary'] {
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const field = (pattern: RegExp) => {
    const match = pattern.exec(summary);
    if (!match) throw new Error(`no ${pattern} in ffmpeg's summary:\n${summary}`);
    return match[1];
  };
  return {
    integratedLufs: Number(field(/Integrated loudness:\s+I:\s+(-?[\d.]+) LUFS/)),
    loudnessRangeLu: Number(field(/Loudness range:\s+LRA:\s+(-?[\d.]+) LU/)),
    truePeakDbtp: parseDb(field(/True peak:\s+Peak:\s+(-?[\d.]+|-?inf) dBFS/)),
  };
}

/**
 * Measures `path` with `ffmpeg -i path -af ebur128=peak=true:metadata=1,ametadata=print -f null -`.
 *
 * @example const { integratedLufs, truePeakDbtp } = ffmpegEbur128('/tmp/x.wav');
 */
export function ffmpegEbur128(path: string): FfmpegLoudness {
  const { stdout, stderr } = run([
    '-hide_banner', '-nostats', '-i', path,
    '-af', 'ebur128=peak=true:metadata=1,ametadata=mode=print:file=-',
    '-f', 'null', '-',
  ]);
  const metadata = stdout.toString();
  const last = (key: string) => {
    const values = [...metadata.matchAll(new RegExp(`^lavfi\\.r128\\.${key}=(-?[\\d.]+|-?inf|nan)$`, 'gm'))];
    if (values.length === 0) throw new Error(`ffmpeg metadata has no ${key}`);
    return values[values.length - 1][1];
  };
  const peakLinear = Number(last('true_peak'));
  return {
    integratedLufs: Number(last('I')),
    loudnessRangeLu: Number(last('LRA')),
    truePeakDbtp: peakLinear > 0 ? 20 * Math.log10(peakLinear) : null,
    summary: parseEbur128Summary(stderr),
  };
}

/** Sample rate and channel count of the first audio stream, via ffprobe. */
export function probeAudio(path: string): { sampleRateHz: number; channels: number } {
  const result = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=sample_rate,channels', '-of', 'json', path]);
  if (result.status !== 0) throw new Error(`ffprobe ${path} failed: ${result.stderr}`);
  const stream = JSON.parse(result.stdout.toString()).streams[0];
  return { sampleRateHz: Number(stream.sample_rate), channels: Number(stream.channels) };
}

/**
 * Decodes any file ffmpeg reads to planar float PCM at its own rate.
 *
 * @example const audio = decodeWithFfmpeg('fixtures/indie_pop/target.flac');
 */
export function decodeWithFfmpeg(path: string): PcmAudio {
  const { sampleRateHz, channels: channelCount } = probeAudio(path);
  const { stdout } = run(['-v', 'error', '-i', path, '-f', 'f32le', '-acodec', 'pcm_f32le', '-']);
  const interleaved = new Float32Array(stdout.buffer.slice(stdout.byteOffset, stdout.byteOffset + stdout.byteLength));
  const frames = interleaved.length / channelCount;
  const channels = Array.from({ length: channelCount }, () => new Float32Array(frames));
  for (let i = 0, k = 0; i < frames; i++) for (let ch = 0; ch < channelCount; ch++) channels[ch][i] = interleaved[k++];
  return { sampleRateHz, channels };
}

/** Runs ffmpeg with `args` (for making test variants); throws with its stderr on failure. */
export function ffmpeg(args: string[]): void {
  run(['-hide_banner', '-nostats', '-y', ...args]);
}
