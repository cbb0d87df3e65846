// Agreement with the independent meter, ffmpeg's ebur128=peak=true, on real
// material: the fixture pairs (music and speech) and variants made here with
// ffmpeg (mono, 48 kHz, 24-bit, −40 LUFS, −6 LUFS limited, an odd 69,313 Hz).
// Audio reaches our meter decoded by ffmpeg, so this checks the meter alone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureLoudness } from '../../core/dsp/loudness.ts';
import { fixturePath } from '../support/fixtures.ts';
import { decodeWithFfmpeg, ffmpeg, ffmpegEbur128, probeAudio } from '../support/ffmpeg-meter.ts';
import { hasTool, requireTool } from '../support/tools.ts';

const INTEGRATED_TOLERANCE_LU = 0.1;
const LRA_TOLERANCE_LU = 0.5;
const TRUE_PEAK_TOLERANCE_DB = 0.2;

interface Case {
  name: string;
  /** Returns the path of the file to measure (making it first when it is a variant). */
  file: (dir: string) => string;
  /** What the file must be for the case to mean what its name says. */
  expect?: { sampleRateHz?: number; channels?: number; integratedBetween?: [number, number] };
}

const variant = (name: string, source: string, args: string[]) => (dir: string) => {
  const out = join(dir, name);
  ffmpeg(['-i', fixturePath(source), ...args, out]);
  return out;
};

const cases: Case[] = [
  { name: 'the indie-pop target (44.1 kHz, 16-bit, -22 LUFS)', file: () => fixturePath('indie_pop/target.wav') },
  { name: 'the indie-pop reference (loud, -10 LUFS)', file: () => fixturePath('indie_pop/reference.wav') },
  { name: 'the synthwave target (48 kHz, 24-bit)', file: () => fixturePath('synthwave_48k_24bit/target.wav') },
  { name: 'the synthwave reference (48 kHz, 16-bit, -9 LUFS)', file: () => fixturePath('synthwave_48k_24bit/reference.wav') },
  { name: 'the speech target (mono speech)', file: () => fixturePath('speech_mono_target/target.wav'), expect: { channels: 1 } },
  { name: 'the speech pair reference', file: () => fixturePath('speech_mono_target/reference.wav') },
  {
    name: 'a mono downmix of the indie-pop target',
    file: variant('mono.wav', 'indie_pop/target.wav', ['-ac', '1', '-c:a', 'pcm_s16le']),
    expect: { channels: 1 },
  },
  {
    name: 'the indie-pop reference resampled to 48 kHz',
    file: variant('48k.wav', 'indie_pop/reference.wav', ['-ar', '48000', '-c:a', 'pcm_s16le']),
    expect: { sampleRateHz: 48000 },
  },
  {
    name: 'a 24-bit copy of the speech pair reference',
    file: variant('24bit.wav', 'speech_mono_target/reference.wav', ['-c:a', 'pcm_s24le']),
  },
  {
    name: 'very quiet material (the indie-pop target at -40 LUFS, 24-bit)',
    file: variant('quiet.wav', 'indie_pop/target.wav', ['-af', 'volume=-18dB', '-c:a', 'pcm_s24le']),
    expect: { integratedBetween: [-40.5, -39.5] },
  },
  {
    name: 'very loud limited material (the synthwave reference at about -6 LUFS, with inter-sample overs)',
    file: variant('loud.wav', 'synthwave_48k_24bit/reference.wav', ['-af', 'volume=6dB,alimiter=limit=1:level=false', '-c:a', 'pcm_f32le']),
    expect: { integratedBetween: [-6.6, -5.6] },
  },
  {
    name: 'an odd sample rate (the indie-pop reference at 69,313 Hz)',
    file: variant('69313.wav', 'indie_pop/reference.wav', ['-ar', '69313', '-c:a', 'pcm_f32le']),
    expect: { sampleRateHz: 69313 },
  },
];

if (requireTool('ffmpeg', hasTool('ffmpeg') && hasTool('ffprobe'), 'ffmpeg agreement')) {
  const dir = mkdtempSync(join(tmpdir(), 'audo-eq-meters-'));
  const report: string[] = [];

  for (const c of cases) {
    test(`integrated loudness, loudness range and true peak agree with ffmpeg's ebur128 on ${c.name}`, () => {
      const path = c.file(dir);
      const probe = probeAudio(path);
      if (c.expect?.sampleRateHz) assert.is(probe.sampleRateHz, c.expect.sampleRateHz);
      if (c.expect?.channels) assert.is(probe.channels, c.expect.channels);

      const reference = ffmpegEbur128(path);
      // The precise metadata and the printed summary must tell the same story (checks the parsing).
      assert.ok(Math.abs(reference.integratedLufs - reference.summary.integratedLufs) <= 0.051, 'ffmpeg I: metadata vs summary');
      assert.ok(Math.abs(reference.loudnessRangeLu - reference.summary.loudnessRangeLu) <= 0.051, 'ffmpeg LRA: metadata vs summary');
      assert.ok(Math.abs(reference.truePeakDbtp! - reference.summary.truePeakDbtp!) <= 0.06, 'ffmpeg TP: metadata vs summary');
      if (c.expect?.integratedBetween) {
        const [low, high] = c.expect.integratedBetween;
        assert.ok(reference.integratedLufs >= low && reference.integratedLufs <= high, `variant reads ${reference.integratedLufs} LUFS`);
      }

      const ours = measureLoudness(decodeWithFfmpeg(path));
      const dI = ours.integratedLufs! - reference.integratedLufs;
      const dLra = ours.loudnessRangeLu! - reference.loudnessRangeLu;
      const dTp = ours.truePeakDbtp! - reference.truePeakDbtp!;
      report.push(`${c.name}: I ${ours.integratedLufs!.toFixed(2)} (${dI >= 0 ? '+' : ''}${dI.toFixed(3)}), LRA ${ours.loudnessRangeLu!.toFixed(2)} (${dLra >= 0 ? '+' : ''}${dLra.toFixed(2)}), TP ${ours.truePeakDbtp!.toFixed(2)} (${dTp >= 0 ? '+' : ''}${dTp.toFixed(2)})`);
      assert.ok(Math.abs(dI) <= INTEGRATED_TOLERANCE_LU, `I: ours ${ours.integratedLufs}, ffmpeg ${reference.integratedLufs}`);
      assert.ok(Math.abs(dLra) <= LRA_TOLERANCE_LU, `LRA: ours ${ours.loudnessRangeLu}, ffmpeg ${reference.loudnessRangeLu}`);
      assert.ok(Math.abs(dTp) <= TRUE_PEAK_TOLERANCE_DB, `TP: ours ${ours.truePeakDbtp}, ffmpeg ${reference.truePeakDbtp}`);
    });
  }

  test('full-scale square waves starting abruptly read within 0.5 dB of ffmpeg (content up to Nyquist, where interpolators differ most)', () => {
    for (const period of [4, 8, 48]) {
      const path = join(dir, `square-${period}.wav`);
      ffmpeg(['-f', 'lavfi', '-i', `aevalsrc=if(lt(mod(n\\,${period})\\,${period / 2})\\,1\\,-1):s=48000:d=2`, '-c:a', 'pcm_f32le', path]);
      const reference = ffmpegEbur128(path);
      const ours = measureLoudness(decodeWithFfmpeg(path), { truePeak: true });
      report.push(`square wave, period ${period} samples at 48 kHz: TP ${ours.truePeakDbtp!.toFixed(2)}, ffmpeg ${reference.truePeakDbtp!.toFixed(2)}`);
      assert.ok(Math.abs(ours.truePeakDbtp! - reference.truePeakDbtp!) <= 0.5, `period ${period}: ours ${ours.truePeakDbtp}, ffmpeg ${reference.truePeakDbtp}`);
    }
  });

  test('the temporary variants are cleaned up', () => {
    if (process.env.AUDO_EQ_METER_REPORT) console.log(`\n${report.join('\n')}`);
    rmSync(dir, { recursive: true, force: true });
  });
}

test.run();
