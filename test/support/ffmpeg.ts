import { spawnSync } from 'node:child_process';
import type { PcmAudio } from '../../core/audio/pcm.ts';
import { hasTool } from './tools.ts';

export const hasFfmpeg = () => hasTool('ffmpeg') && hasTool('ffprobe');

/** What ffmpeg's `ebur128=peak=true` filter reports in its summary (the independent meter). */
export interface Ebur128Summary {
  integratedLufs: number | null;
  loudnessRangeLu: number | null;
  truePeakDbtp: number | null;
}

function parseNumber(text: string | undefined): number | null {
  if (text === undefined || /inf/i.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** Runs `ffmpeg -i FILE -filter_complex ebur128=peak=true -f null -` and parses its Summary block. */
export function ffmpegEbur128(path: string): Ebur128Summary {
  const result = spawnSync('ffmpeg', ['-nostats', '-hide_banner', '-i', path, '-filter_complex', 'ebur128=peak=true', '-f', 'null', '-'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`ffmpeg ebur128 failed on ${path}: ${result.stderr.slice(-500)}`);
  const summary = result.stderr.slice(result.stderr.lastIndexOf('Summary:'));
  return {
    integratedLufs: parseNumber(/I:\s+(-?[\d.]+|-?inf)\s+LUFS/i.exec(summary)?.[1]),
    loudnessRangeLu: parseNumber(/LRA:\s+(-?[\d.]+)\s+LU/.exec(summary)?.[1]),
    truePeakDbtp: parseNumber(/True peak:\s+Peak:\s+(-?[\d.]+|-?inf)\s+dBFS/i.exec(summary)?.[1]),
  };
}

/** Decodes any file ffmpeg reads into planar float32 at its own rate and channel count. */
export function ffmpegDecode(path: string): PcmAudio {
  const probe = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=sample_rate,channels', '-of', 'json', path], {
    encoding: 'utf8',
  });
  const stream = JSON.parse(probe.stdout).streams[0];
  const channelCount = Number(stream.channels);
  const sampleRateHz = Number(stream.sample_rate);
  const raw = spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'f32le', '-acodec', 'pcm_f32le', '-'], { maxBuffer: 2 ** 31 - 1 });
  if (raw.status !== 0) throw new Error(`ffmpeg decode failed on ${path}: ${raw.stderr}`);
  const bytes = raw.stdout as Buffer;
  const interleaved = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const frames = interleaved.length / channelCount;
  const channels = Array.from({ length: channelCount }, () => new Float32Array(frames));
  for (let i = 0; i < frames; i++) for (let c = 0; c < channelCount; c++) channels[c][i] = interleaved[i * channelCount + c];
  return { sampleRateHz, channels };
}
