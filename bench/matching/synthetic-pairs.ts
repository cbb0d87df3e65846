/**
 * The synthetic half of the matching set (9 pairs, always available): the 3
 * fixture pairs, the sox-synthesised song (30 s and 3 min), and pairs built
 * from them that isolate width and dynamics.
 */
import { copyFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureFixtures, fixturePath } from '../../test/support/fixtures.ts';
import type { MatchingPair } from './pair.ts';
import { ffmpegToWav, made, run, soxEffects } from './recipes.ts';

const synthScript = join(dirname(fileURLToPath(import.meta.url)), 'make-synth-pair.sh');

/** The 4 files of make-synth-pair.sh (about 20 s to make). */
function synthSong(dir: string): { target3m: string; reference3m: string; target30s: string; reference30s: string } {
  const files = {
    target3m: join(dir, 'target_3m.wav'),
    reference3m: join(dir, 'reference_3m.wav'),
    target30s: join(dir, 'target_30s.wav'),
    reference30s: join(dir, 'reference_30s.wav'),
  };
  // The script writes all four at once: its completion marker is the last one.
  made(join(dir, 'complete.txt'), (partial) => {
    run('bash', [synthScript, dir]);
    run('bash', ['-c', `echo made by make-synth-pair.sh > "${partial}"`]);
  });
  return files;
}

/** Builds (or finds, when already built) the synthetic pairs under `dir`. */
export function syntheticPairs(dir: string): MatchingPair[] {
  const root = resolve(dir);
  ensureFixtures();
  const fixture = (relative: string) => made(join(root, 'fixtures', relative), (out) => copyFileSync(fixturePath(relative), out));
  const synth = synthSong(join(root, 'synth'));
  const file = (name: string) => join(root, 'derived', name);

  const pairs: MatchingPair[] = [
    {
      id: 'fixture-indie-pop',
      group: 'synthetic',
      description: 'fixture pair: boomy, dull band mix at -22 LUFS vs a different piece in the same style mastered to -10 LUFS (10 s, 44.1 kHz, 16-bit)',
      target: fixture('indie_pop/target.wav'),
      reference: fixture('indie_pop/reference.wav'),
    },
    {
      id: 'fixture-synthwave-48k',
      group: 'synthetic',
      description: 'fixture pair: harsh, thin, narrow synthwave at -20 LUFS (24-bit) vs another piece mastered to -9 LUFS (16-bit), 48 kHz, 10 s',
      target: fixture('synthwave_48k_24bit/target.wav'),
      reference: fixture('synthwave_48k_24bit/reference.wav'),
    },
    {
      id: 'fixture-speech-mono',
      group: 'synthetic',
      description: 'fixture pair: mono, roomy, hissy, muffled speech at -25 LUFS vs bright, compressed stereo speech (different text) at -12 LUFS, 10 s',
      target: fixture('speech_mono_target/target.wav'),
      reference: fixture('speech_mono_target/reference.wav'),
    },
    {
      id: 'synth-30s',
      group: 'synthetic',
      description: 'make-synth-pair.sh 1:00-1:30: quiet, dull triangle-pad song in C major vs a loud, bright, compressed sawtooth song in D minor',
      target: synth.target30s,
      reference: synth.reference30s,
    },
    {
      id: 'synth-3m',
      group: 'synthetic',
      description: 'make-synth-pair.sh full 3 minutes (intro, verse, breakdown, chorus, outro): very dynamic quiet target vs loud reference',
      target: synth.target3m,
      reference: synth.reference3m,
    },
    {
      id: 'narrow-vs-wide',
      group: 'synthetic',
      description: 'width: indie_pop fixture target with its side scaled by 0.75 (side/mid about -11 dB above 200 Hz) vs the fixture reference with its side scaled by 2 (about -1.5 dB; float WAV, no clipping)',
      target: made(file('indie-target-side075.wav'), (out) => ffmpegToWav(fixturePath('indie_pop/target.wav'), out, { filter: 'stereotools=slev=0.75' })),
      reference: made(file('indie-reference-side200.wav'), (out) => ffmpegToWav(fixturePath('indie_pop/reference.wav'), out, { filter: 'stereotools=slev=2', float: true })),
    },
    {
      id: 'near-mono-vs-wide',
      group: 'synthetic',
      description: 'width: synthwave fixture target (already narrow) with its side scaled by 0.5 (about -20 dB side/mid above 200 Hz) vs the fixture reference (about -4.5 dB)',
      target: made(file('synthwave-target-side050.wav'), (out) => ffmpegToWav(fixturePath('synthwave_48k_24bit/target.wav'), out, { filter: 'stereotools=slev=0.5' })),
      reference: fixture('synthwave_48k_24bit/reference.wav'),
    },
    {
      id: 'dense-vs-open',
      group: 'synthetic',
      description: 'dynamics: the 3-minute synth target squashed (sox compand 5 ms/100 ms, 4:1 over -45 dB, peak -1 dBFS; about -17 LUFS, LRA about 5 LU) vs the 3-minute synth reference (LRA about 10 LU): must not be compressed further',
      target: made(file('synth-target-dense-3m.wav'), (out) =>
        soxEffects(synth.target3m, out, ['compand', '0.005,0.1', '6:-80,-80,-45,-45,0,-33.75', '0', '-90', 'gain', '-n', '-1'])),
      reference: synth.reference3m,
    },
    {
      id: 'dynamic-vs-dense',
      group: 'synthetic',
      description: 'dynamics: synth target 0:45-2:15 (quiet, LRA about 12 LU) vs synth reference 0:45-2:15 (loud, LRA about 4 LU): should land near the reference LRA, not squashed by the limiter',
      target: made(file('synth-target-90s.wav'), (out) => soxEffects(synth.target3m, out, ['trim', '45', '90'])),
      reference: made(file('synth-reference-90s.wav'), (out) => soxEffects(synth.reference3m, out, ['trim', '45', '90'])),
    },
  ];
  return pairs;
}
