// Decode and encode speed for a 3-minute stereo 44.1 kHz music-like signal.
// The inputs (WAV 16-bit, FLAC, MP3 128 kb/s) are made once with ffmpeg into
// bench/out/ (git-ignored); each figure is the median of several runs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeAudio } from '../core/audio/decode.ts';
import { encodeWav, type WavBitDepth } from '../core/audio/wav-encode.ts';

const outDir = join(dirname(fileURLToPath(import.meta.url)), 'out');
mkdirSync(outDir, { recursive: true });

// A chord with vibrato and tremolo, a bass line, a noise "hi-hat" on eighths and a
// decaying "kick" on beats (120 bpm): tonal and noisy parts like real music.
const MUSIC = [
  "aevalsrc='",
  '0.18*sin(2*PI*220*t+0.3*sin(2*PI*5*t))*(0.7+0.3*sin(2*PI*0.25*t))',
  '+0.12*sin(2*PI*277.2*t)+0.1*sin(2*PI*329.6*t+0.2*sin(2*PI*4*t))',
  '+0.2*sin(2*PI*(55+27.5*gte(mod(t,4),2))*t)',
  '+0.08*(random(0)-0.5)*exp(-30*mod(t,0.25))',
  '+0.35*sin(2*PI*60*t*(1+exp(-25*mod(t,0.5))))*exp(-8*mod(t,0.5))',
  '|',
  '0.15*sin(2*PI*220.5*t+0.3*sin(2*PI*5.2*t))*(0.7+0.3*sin(2*PI*0.25*t+1))',
  '+0.13*sin(2*PI*277.8*t)+0.1*sin(2*PI*329*t)',
  '+0.2*sin(2*PI*(55+27.5*gte(mod(t,4),2))*t)',
  '+0.08*(random(1)-0.5)*exp(-30*mod(t+0.125,0.25))',
  '+0.35*sin(2*PI*60*t*(1+exp(-25*mod(t,0.5))))*exp(-8*mod(t,0.5))',
  "':s=44100:d=180",
].join('');

function make(name: string, codecArgs: string[]): string {
  const path = join(outDir, name);
  if (!existsSync(path)) execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', MUSIC, ...codecArgs, path]);
  return path;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timeMs(run: () => unknown, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return median(times);
}

const inputs: Array<[string, string]> = [
  ['WAV 16-bit', make('music-3min.wav', ['-c:a', 'pcm_s16le'])],
  ['FLAC 16-bit', make('music-3min.flac', ['-c:a', 'flac', '-sample_fmt', 's16'])],
  ['MP3 128k', make('music-3min.mp3', ['-c:a', 'libmp3lame', '-b:a', '128k'])],
];

console.log('decode, 3 min stereo 44.1 kHz (median of 5):');
let decoded = null as Awaited<ReturnType<typeof decodeAudio>> | null;
for (const [label, path] of inputs) {
  const bytes = new Uint8Array(readFileSync(path));
  await decodeAudio(bytes); // warm up (WASM instantiation, JIT)
  const ms = await timeMs(async () => (decoded = await decodeAudio(bytes)), 5);
  console.log(`  ${label.padEnd(12)} ${(statSync(path).size / 1e6).toFixed(1).padStart(5)} MB  ${ms.toFixed(0).padStart(5)} ms  (${(180_000 / ms).toFixed(0)}× real time)`);
}

console.log('encode, 3 min stereo 44.1 kHz (median of 5):');
for (const bitDepth of [16, 24, 32] as WavBitDepth[]) {
  encodeWav(decoded!, { bitDepth });
  const ms = await timeMs(() => encodeWav(decoded!, { bitDepth }), 5);
  console.log(`  ${String(bitDepth).padStart(2)}-bit  ${ms.toFixed(0).padStart(5)} ms`);
}
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
