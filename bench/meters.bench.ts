// Meter speed: integrated loudness + loudness range + true peak of a 3-minute
// stereo 44.1 kHz music-like file, against ffmpeg's ebur128=peak=true filter on
// the same file in the same run. Goal: audo-eq faster than ffmpeg's filter.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureLoudness } from '../core/dsp/loudness.ts';
import { decodeWithFfmpeg } from '../test/support/ffmpeg-meter.ts';

const SAMPLE_RATE_HZ = 44100;
const SECONDS = 180;
const RUNS = 5;
const outDir = join(dirname(fileURLToPath(import.meta.url)), 'out');
const wavPath = join(outDir, 'meters-3min-44k1-stereo.wav');

/**
 * A deterministic band-like stereo signal at 120 bpm: kick, snare and hats
 * from shaped noise and sines, a bass line, a detuned chord pad, and song
 * sections at different levels (so loudness range is not trivially zero).
 */
function musicLike(sampleRateHz: number, seconds: number): Float32Array[] {
  const n = sampleRateHz * seconds;
  const left = new Float32Array(n);
  const right = new Float32Array(n);
  let seed = 12345;
  const noise = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 31) - 1;
  const beat = 0.5;
  const roots = [110, 87.31, 130.81, 98]; // A F C G
  let hatState = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRateHz;
    const section = Math.floor(t / 24) % 4; // verse, chorus, break, chorus
    const sectionGain = [0.45, 0.9, 0.25, 1][section];
    const inBeat = t % beat;
    const bar = Math.floor(t / (4 * beat)) % roots.length;
    const root = roots[bar];
    const kick = Math.exp(-inBeat * 25) * Math.sin(2 * Math.PI * (50 + 90 * Math.exp(-inBeat * 40)) * inBeat);
    const backbeat = Math.floor(t / beat) % 2 === 1 ? Math.exp(-inBeat * 18) * noise() * 0.5 : 0;
    hatState = 0.6 * hatState + 0.4 * noise();
    const hat = (noise() - hatState) * Math.exp(-((t % (beat / 2)) * 60)) * 0.15;
    const bass = 0.35 * Math.sin(2 * Math.PI * root * t) * (0.6 + 0.4 * Math.exp(-inBeat * 6));
    const pad = 0.12 * (Math.sin(2 * Math.PI * root * 2 * t) + Math.sin(2 * Math.PI * root * 2.5198 * t * 1.002) + Math.sin(2 * Math.PI * root * 2.9966 * t));
    const mid = sectionGain * (0.55 * kick + 0.35 * backbeat + bass + pad);
    left[i] = 0.6 * (mid + sectionGain * hat);
    right[i] = 0.6 * (mid - sectionGain * hat * 0.7 + 0.05 * sectionGain * Math.sin(2 * Math.PI * root * 3 * t));
  }
  return [left, right];
}

function writeWav16(path: string, sampleRateHz: number, channels: Float32Array[]): void {
  const frames = channels[0].length;
  const bytes = new Uint8Array(44 + frames * channels.length * 2);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => [...text].forEach((ch, k) => view.setUint8(offset + k, ch.charCodeAt(0)));
  ascii(0, 'RIFF');
  view.setUint32(4, bytes.length - 8, true);
  ascii(8, 'WAVEfmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, channels.length, true);
  view.setUint32(24, sampleRateHz, true);
  view.setUint32(28, sampleRateHz * channels.length * 2, true);
  view.setUint16(32, channels.length * 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, frames * channels.length * 2, true);
  let offset = 44;
  for (let i = 0; i < frames; i++) {
    for (const channel of channels) {
      view.setInt16(offset, Math.max(-32768, Math.min(32767, Math.round(channel[i] * 32767))), true);
      offset += 2;
    }
  }
  writeFileSync(path, bytes);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value: number) => `${value.toFixed(0)} ms`;

function timeFfmpegEbur128(): { wallMs: number; summary: string } {
  const start = performance.now();
  const result = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', wavPath, '-filter_complex', 'ebur128=peak=true', '-f', 'null', '-']);
  const wallMs = performance.now() - start;
  if (result.status !== 0) throw new Error(`ffmpeg failed: ${result.stderr}`);
  const stderr = result.stderr.toString();
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const pick = (re: RegExp) => re.exec(summary)?.[1] ?? '?';
  return { wallMs, summary: `I ${pick(/I:\s+(-?[\d.]+)/)} LUFS, LRA ${pick(/LRA:\s+(-?[\d.]+)/)} LU, TP ${pick(/Peak:\s+(-?[\d.]+|-?inf)/)} dBTP` };
}

if (spawnSync('ffmpeg', ['-version']).status !== 0) {
  console.log('meters: ffmpeg not found, nothing to compare against; skipped');
} else {
  mkdirSync(outDir, { recursive: true });
  writeWav16(wavPath, SAMPLE_RATE_HZ, musicLike(SAMPLE_RATE_HZ, SECONDS));
  const audio = decodeWithFfmpeg(wavPath);
  console.log(`file: ${wavPath} (${SECONDS} s, stereo, ${SAMPLE_RATE_HZ} Hz, 16-bit)`);

  const oursMs: number[] = [];
  let result = measureLoudness(audio);
  for (let run = 0; run < RUNS; run++) {
    globalThis.gc?.();
    const start = performance.now();
    result = measureLoudness(audio); // integrated + loudness range + true peak (the defaults)
    oursMs.push(performance.now() - start);
  }

  const withDecodeMs: number[] = [];
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    measureLoudness(decodeWithFfmpeg(wavPath));
    withDecodeMs.push(performance.now() - start);
  }

  const ffmpegRuns = Array.from({ length: RUNS }, () => timeFfmpegEbur128());
  const ffmpegMs = median(ffmpegRuns.map((r) => r.wallMs));
  const ours = median(oursMs);

  console.log(`audo-eq measureLoudness (I + LRA + TP, samples in memory): median ${ms(ours)} of ${RUNS} [${oursMs.map(ms).join(', ')}]`);
  console.log(`audo-eq including ffmpeg decode to f32 through a pipe:      median ${ms(median(withDecodeMs))} of 3`);
  console.log(`ffmpeg -filter_complex ebur128=peak=true (whole process):   median ${ms(ffmpegMs)} of ${RUNS} [${ffmpegRuns.map((r) => ms(r.wallMs)).join(', ')}]`);
  console.log(`audo-eq: I ${result.integratedLufs?.toFixed(2)} LUFS, LRA ${result.loudnessRangeLu?.toFixed(2)} LU, TP ${result.truePeakDbtp?.toFixed(2)} dBTP`);
  console.log(`ffmpeg:  ${ffmpegRuns[0].summary}`);
  console.log(`goal (audo-eq faster than ffmpeg's filter): ${ours < ffmpegMs ? 'met' : 'NOT met'}, ${(ffmpegMs / ours).toFixed(1)}x`);
}
