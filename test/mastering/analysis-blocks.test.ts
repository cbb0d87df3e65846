// Analysis read block by block (issue 14): analyzeTrackFrom over a source in
// blocks of any size gives exactly analyzeTrack's figures, reads each frame
// once and never the whole track at once; the taps it is made of (spectrum,
// side spectrum, stereo width, level blocks, loudness) give exactly their
// whole-buffer forms' figures.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PcmAudio } from '../../core/audio/pcm.ts';
import { memorySource, type PcmSource } from '../../core/audio/pcm-source.ts';
import { createSimdFft } from '../../core/dsp/fft-simd.ts';
import { measureLoudness } from '../../core/dsp/loudness.ts';
import { loudnessTap } from '../../core/dsp/loudness-tap.ts';
import { analyzeSpectrum, createSpectrumTap, spectrumFraming } from '../../core/dsp/spectrum.ts';
import { measureStereoWidthOf, stereoWidthTap } from '../../core/dsp/stereo-width.ts';
import type { Frames, StreamTap } from '../../core/dsp/stream-stage.ts';
import { analyzeTrack, analyzeTrackFrom } from '../../core/mastering/analysis.ts';
import { setSimdEnabled, simdEnabled } from '../../core/wasm/simd-module.ts';

/** Drum-like bursts and a tone over a quiet bed, louder and quieter sections, different per channel. */
function musicLike(sampleRateHz: number, frames: number, channelCount: number): PcmAudio {
  let s = 11;
  const random = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  };
  const beatFrames = Math.round(sampleRateHz * 0.37);
  const sectionFrames = Math.round(sampleRateHz * 1.3);
  const channels = Array.from({ length: channelCount }, (_, c) =>
    Float32Array.from({ length: frames }, (_, i) => {
      const beat = (i + c * 37) % beatFrames;
      const gain = Math.floor(i / sectionFrames) % 2 ? 0.2 : 1;
      const drum = beat < 200 ? 0.8 * Math.exp(-beat / 60) * Math.sin(i / (3 + c)) : 0;
      return gain * (0.05 * random() + 0.2 * Math.sin((2 * Math.PI * (220 + 55 * c) * i) / sampleRateHz) + drum);
    }),
  );
  return { sampleRateHz, channels };
}

function silence(sampleRateHz: number, frames: number, channelCount: number): PcmAudio {
  return { sampleRateHz, channels: Array.from({ length: channelCount }, () => new Float32Array(frames)) };
}

/** Where two results first differ (exact comparison: same bits, NaN equal to NaN), or null. */
function firstDifference(a: unknown, b: unknown, path = 'result'): string | null {
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return `${path}: ${x.length} vs ${y.length} values`;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return `${path}[${i}]: ${x[i]} vs ${y[i]}`;
    return null;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`);
      if (found) return found;
    }
    return null;
  }
  return Object.is(a, b) ? null : `${path}: ${String(a)} vs ${String(b)}`;
}

function assertSame(actual: unknown, expected: unknown, label: string): void {
  const difference = firstDifference(actual, expected);
  assert.ok(difference === null, `${label}: ${difference}`);
}

/** Feeds `tap` the channels in blocks of `blockFrames` (copies, so the tap cannot keep views of the whole track). */
function pushInBlocks<Result>(tap: StreamTap<Result>, channels: readonly Float32Array[], blockFrames: number): Result {
  const length = channels.length ? channels[0].length : 0;
  for (let start = 0; start < length; start += blockFrames) tap.push(channels.map((samples) => samples.slice(start, start + blockFrames)));
  return tap.result();
}

/** A source over `audio` that hands out copies and records every read. */
function recordingSource(audio: PcmAudio): PcmSource & { reads: { start: number; count: number; returned: number }[] } {
  const inner = memorySource(audio);
  const reads: { start: number; count: number; returned: number }[] = [];
  return {
    sampleRateHz: inner.sampleRateHz,
    channelCount: inner.channelCount,
    length: inner.length,
    reads,
    read(start, count): Frames {
      const frames = inner.read(start, count).map((samples) => samples.slice());
      reads.push({ start, count, returned: frames.length ? frames[0].length : 0 });
      return frames;
    },
  };
}

/** Runs `body` with the SIMD kernels on and with them off (the JavaScript paths), restoring the switch. */
function inBothPaths(body: (path: string) => void): void {
  const was = simdEnabled();
  try {
    for (const on of [true, false]) {
      setSimdEnabled(on);
      body(on ? 'SIMD' : 'JavaScript');
    }
  } finally {
    setSimdEnabled(was);
  }
}

const ODD_BLOCKS = [17, 4096, 65536, 12345, 7];

test('analyzeTrackFrom in blocks of any size equals analyzeTrack: mono, stereo, 3 channels, music-like and silent', () => {
  const tracks: [string, PcmAudio][] = [
    ['mono 44.1 kHz', musicLike(44100, 44100 * 4 + 123, 1)],
    ['stereo 48 kHz', musicLike(48000, 48000 * 5 + 7, 2)],
    // 22.05 kHz: the 150 ms hop is not a whole number of 10 ms onset blocks.
    ['3 channels 22.05 kHz', musicLike(22050, 22050 * 4 + 1, 3)],
    ['stereo silence', silence(44100, 44100 * 2 + 5, 2)],
    ['mono silence', silence(44100, 30011, 1)],
  ];
  inBothPaths((path) => {
    for (const [name, audio] of tracks) {
      const expected = analyzeTrack(audio);
      for (const blockFrames of ODD_BLOCKS) {
        assertSame(analyzeTrackFrom(memorySource(audio), { blockFrames }), expected, `${path}, ${name}, blocks of ${blockFrames}`);
      }
      assertSame(analyzeTrackFrom(memorySource(audio)), expected, `${path}, ${name}, default blocks`);
    }
  });
});

test('analyzeTrackFrom frame by frame equals analyzeTrack on short tracks (shorter than a window, too)', () => {
  const tracks: [string, PcmAudio][] = [
    ['stereo 0.5 s', musicLike(44100, 22050 + 3, 2)],
    ['mono 0.4 s', musicLike(48000, 19201, 1)],
    ['3 channels 0.3 s', musicLike(44100, 13231, 3)],
    // Shorter than the side's 100 ms window: mid and side spectra have the same FFT size.
    ['stereo 60 ms', musicLike(44100, 2646, 2)],
    ['stereo 300 frames', musicLike(44100, 300, 2)],
    ['empty mono', silence(44100, 0, 1)],
  ];
  inBothPaths((path) => {
    for (const [name, audio] of tracks) {
      const expected = analyzeTrack(audio);
      for (const blockFrames of [1, 2, 3, 17, 441]) {
        const source = recordingSource(audio);
        assertSame(analyzeTrackFrom(source, { blockFrames }), expected, `${path}, ${name}, blocks of ${blockFrames}`);
      }
    }
  });
});

test('analyzeTrackFrom reads each frame once, in order, a block at a time', () => {
  const audio = musicLike(44100, 44100 * 3 + 11, 2);
  for (const blockFrames of [4096, 65536, 10000]) {
    const source = recordingSource(audio);
    analyzeTrackFrom(source, { blockFrames });
    assert.is(source.reads.length, Math.ceil(source.length / blockFrames), `blocks of ${blockFrames}: one read per block`);
    let next = 0;
    for (const read of source.reads) {
      assert.is(read.start, next, 'reads follow one another');
      assert.ok(read.count <= blockFrames && read.returned <= blockFrames, `no read longer than a block (${read.count})`);
      next += read.returned;
    }
    assert.is(next, source.length, 'every frame read, none twice');
    assert.ok(Math.max(...source.reads.map((read) => read.returned)) < source.length, 'never the whole track at once');
  }
});

test('stereoWidthTap in blocks equals measureStereoWidthOf; null unless stereo', () => {
  inBothPaths((path) => {
    for (const [sampleRateHz, frames] of [[44100, 44100 * 3 + 17], [48000, 4000], [44100, 1000]]) {
      const { channels } = musicLike(sampleRateHz, frames, 2);
      const expected = measureStereoWidthOf(channels, sampleRateHz);
      assert.ok(expected !== null);
      for (const blockFrames of [1, ...ODD_BLOCKS]) {
        if (blockFrames === 1 && frames > 5000) continue;
        assertSame(pushInBlocks(stereoWidthTap(sampleRateHz, frames), channels, blockFrames), expected, `${path}, ${frames} frames, blocks of ${blockFrames}`);
      }
    }
    const mono = musicLike(44100, 20000, 1).channels;
    assert.is(pushInBlocks(stereoWidthTap(44100, 20000, 1), mono, 4096), null);
    assert.is(measureStereoWidthOf(mono, 44100), null);
  });
});

test('spectrum taps in blocks equal analyzeSpectrum (mid, side, other windows), also with the shared transform used in between', () => {
  inBothPaths((path) => {
    const { channels } = musicLike(44100, 44100 * 2 + 9, 2);
    const length = channels[0].length;
    for (const options of [{}, { mix: 'side' as const, windowSeconds: 0.1, overlap: 0 }, { windowSeconds: 0.05, overlap: 0.75 }]) {
      const expected = analyzeSpectrum(channels, 44100, options);
      for (const blockFrames of ODD_BLOCKS) {
        const tap = createSpectrumTap(2, 44100, length, options);
        const { fftSize } = spectrumFraming(length, 44100, options);
        for (let start = 0; start < length; start += blockFrames) {
          tap.push(channels.map((samples) => samples.slice(start, start + blockFrames)));
          // Someone else's work on the shared transform of the same size between blocks.
          createSimdFft(fftSize)?.workspace(4 * fftSize).fill(0.5);
        }
        assertSame(tap.result(), expected, `${path}, ${JSON.stringify(options)}, blocks of ${blockFrames}`);
      }
    }
  });
});

test('loudnessTap in blocks equals measureLoudness, series and true peak included', () => {
  const capabilities = { integrated: true, loudnessRange: true, truePeak: true, momentary: true, shortTerm: true };
  inBothPaths((path) => {
    // 69,313 Hz: sub-blocks of 693 and 694 frames.
    for (const [sampleRateHz, channelCount] of [[48000, 2], [44100, 1], [69313, 5]]) {
      const audio = musicLike(sampleRateHz, sampleRateHz * 4 + 29, channelCount);
      const expected = measureLoudness(audio, capabilities);
      for (const blockFrames of [...ODD_BLOCKS, 441, 693]) {
        const tap = loudnessTap({ sampleRateHz, channelCount, capabilities });
        assertSame(pushInBlocks(tap, audio.channels, blockFrames), expected, `${path}, ${sampleRateHz} Hz ${channelCount} ch, blocks of ${blockFrames}`);
      }
    }
  });
});

test.run();
