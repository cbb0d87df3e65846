import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { memoryTrackStore } from '../../core/audio/pcm-source.ts';
import { decodeAudio } from '../../core/audio/decode.ts';
import { countClippedRuns } from '../../core/dsp/clipped-runs.ts';
import { analyzeTrack, type TrackAnalysis } from '../../core/mastering/analysis.ts';
import { masterStore } from '../../core/mastering/master.ts';
import { EQ_MODES } from '../../core/mastering/options.ts';
import { fixturePath } from '../support/fixtures.ts';

// The promise: rendering block by block equals rendering the whole
// buffer at once (within float rounding), for any block size and odd lengths.

async function decoded(path: string) {
  return decodeAudio(new Uint8Array(readFileSync(fixturePath(path))), { filename: path, keepChannels: true });
}

/** The master of `channels` rendered in blocks of `blockFrames`, and its diagnostics. */
function render(channels: readonly Float32Array[], sampleRateHz: number, analysis: TrackAnalysis, reference: TrackAnalysis, eqMode: (typeof EQ_MODES)[number], blockFrames: number) {
  const copy = channels.map((samples) => samples.slice());
  const { diagnostics } = masterStore({ store: memoryTrackStore(copy, sampleRateHz), analysis, clipping: countClippedRuns(copy) }, reference, { eqMode, blockFrames });
  return { output: copy, diagnostics };
}

function largestDifference(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let largest = 0;
  a.forEach((samples, c) => {
    for (let i = 0; i < samples.length; i++) largest = Math.max(largest, Math.abs(samples[i] - b[c][i]));
  });
  return largest;
}

const cases = [
  { pair: 'indie_pop', frames: 26459, blocks: [1, 17, 4096, 65536] },
  { pair: 'speech_mono_target', frames: 30011, blocks: [1, 17, 4096, 65536] },
  { pair: 'synthwave_48k_24bit', frames: 140001, blocks: [17, 4096, 65536] },
];

for (const { pair, frames, blocks } of cases) {
  for (const eqMode of EQ_MODES) {
    test(`${pair}, ${frames} frames, ${eqMode}: block sizes ${blocks.join(', ')} render what the whole buffer renders`, async () => {
      const target = await decoded(`${pair}/target.wav`);
      const reference = analyzeTrack(await decoded(`${pair}/reference.wav`));
      const channels = target.channels.map((samples) => samples.slice(0, frames));
      const analysis = analyzeTrack({ sampleRateHz: target.sampleRateHz, channels });
      const whole = render(channels, target.sampleRateHz, analysis, reference, eqMode, frames);
      assert.ok(whole.diagnostics.output_lufs !== null, 'the whole-buffer render measured its output');
      for (const blockFrames of blocks) {
        const inBlocks = render(channels, target.sampleRateHz, analysis, reference, eqMode, blockFrames);
        const difference = largestDifference(whole.output, inBlocks.output);
        // Single-precision FFT blocks round differently when cut differently (~1e-7 of the signal per FIR), and the loudness gain behind them scales that up.
        assert.ok(difference < 1e-5, `block ${blockFrames}: samples differ by up to ${difference}`);
        assert.ok(Math.abs(inBlocks.diagnostics.output_lufs! - whole.diagnostics.output_lufs!) < 1e-3, `block ${blockFrames}: ${inBlocks.diagnostics.output_lufs} LUFS vs ${whole.diagnostics.output_lufs}`);
        assert.is(inBlocks.diagnostics.output_true_peak_dbtp, whole.diagnostics.output_true_peak_dbtp, `block ${blockFrames}: true peak`);
      }
    });
  }
}

test.run();
