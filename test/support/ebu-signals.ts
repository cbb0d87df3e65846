/**
 * The synthetic EBU Tech 3341/3342 test signals (test/dsp/ebu-loudness-cases.md),
 * generated in code at any sample rate: 1 kHz sines given by their peak level
 * in dBFS, identical in every channel unless a per-channel level is given.
 */
import type { PcmAudio } from '../../core/audio/pcm.ts';

/** One stretch of a test signal: its length and its peak level (null = digital silence). */
export interface Segment {
  seconds: number;
  dbfs: number | null;
}

const dbToLinear = (db: number) => Math.pow(10, db / 20);

/**
 * sin(2π·f·i/fs) for i < frames, by rotating a phasor (much faster than
 * Math.sin per sample), re-anchored on Math.sin/cos every 1024 samples so
 * rounding never drifts.
 */
function unitSine(sampleRateHz: number, frequencyHz: number, frames: number): Float32Array {
  const out = new Float32Array(frames);
  const step = (2 * Math.PI * frequencyHz) / sampleRateHz;
  const cosStep = Math.cos(step);
  const sinStep = Math.sin(step);
  for (let anchor = 0; anchor < frames; anchor += 1024) {
    let re = Math.cos(step * anchor);
    let im = Math.sin(step * anchor);
    const end = Math.min(frames, anchor + 1024);
    for (let i = anchor; i < end; i++) {
      out[i] = im;
      const nextRe = re * cosStep - im * sinStep;
      im = re * sinStep + im * cosStep;
      re = nextRe;
    }
  }
  return out;
}

/**
 * Concatenated 1 kHz sine segments (the phase runs on across segments, as in
 * the EBU files), the same in each of `channelCount` channels.
 */
export function toneSequence(sampleRateHz: number, segments: Segment[], channelCount = 2, frequencyHz = 1000): PcmAudio {
  const total = segments.reduce((sum, s) => sum + Math.round(s.seconds * sampleRateHz), 0);
  const sine = unitSine(sampleRateHz, frequencyHz, total);
  let i = 0;
  for (const segment of segments) {
    const end = i + Math.round(segment.seconds * sampleRateHz);
    const amplitude = segment.dbfs === null ? 0 : dbToLinear(segment.dbfs);
    for (; i < end; i++) sine[i] *= amplitude;
  }
  return { sampleRateHz, channels: Array.from({ length: channelCount }, (_, ch) => (ch === 0 ? sine : sine.slice())) };
}

/** A multichannel 1 kHz sine with its own peak level per channel (Tech 3341 case 6). */
export function perChannelTone(sampleRateHz: number, seconds: number, channelDbfs: number[]): PcmAudio {
  const n = Math.round(seconds * sampleRateHz);
  const channels = channelDbfs.map((db) => {
    const amplitude = dbToLinear(db);
    const samples = new Float32Array(n);
    for (let i = 0; i < n; i++) samples[i] = amplitude * Math.sin((2 * Math.PI * 1000 * i) / sampleRateHz);
    return samples;
  });
  return { sampleRateHz, channels };
}

/** `count` repetitions of the same list of segments. */
export function repeatSegments(segments: Segment[], count: number): Segment[] {
  return Array.from({ length: count }, () => segments).flat();
}

/**
 * Silence, a burst at `dbfs` lasting `burstSeconds`, silence: the burst starts
 * `offsetSeconds` in, so bursts at many offsets exercise every alignment with
 * the meter's block grid (Tech 3341 cases 10, 11, 13 and 14).
 */
export function burstInSilence(sampleRateHz: number, offsetSeconds: number, burstSeconds: number, dbfs: number): PcmAudio {
  return toneSequence(sampleRateHz, [
    { seconds: offsetSeconds, dbfs: null },
    { seconds: burstSeconds, dbfs },
    { seconds: 1, dbfs: null },
  ]);
}

/**
 * A stereo sine at `frequencyHz` with the given start phase and linear peak
 * `amplitude`, faded in and out over `fadeMs` (Tech 3341 cases 15–19).
 */
export function phasedSine(sampleRateHz: number, frequencyHz: number, phaseDegrees: number, amplitude: number, seconds = 2, fadeMs = 10): PcmAudio {
  const n = Math.round(seconds * sampleRateHz);
  const fade = Math.round((fadeMs / 1000) * sampleRateHz);
  const phase = (phaseDegrees * Math.PI) / 180;
  const samples = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const gain = i < fade ? i / fade : i >= n - fade ? (n - 1 - i) / fade : 1;
    samples[i] = amplitude * gain * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRateHz + phase);
  }
  return { sampleRateHz, channels: [samples, samples.slice()] };
}
