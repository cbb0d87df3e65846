// The TypeScript port of the fixture set's spectral yardsticks gives the same
// figures as the Python original (audiogen.py, run here with python3 + numpy)
// on the fixture files and on variants that exercise its edge cases.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PcmAudio } from '../../core/audio/pcm.ts';
import { ffmpegDecode, hasFfmpeg } from './ffmpeg.ts';
import { ffmpeg } from './ffmpeg-meter.ts';
import { ensureFixtures, fixturePath } from './fixtures.ts';
import { smoothEqFloorDb, smoothEqFloorFromLevels, spectralDistanceDb, spectralDistanceFromLevels, thirdOctaveLevels } from './spectral-distance.ts';
import { sideMidDb } from './stereo-image.ts';
import { hasTool, requireTool } from './tools.ts';

const generatorDir = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/generator');
const TOLERANCE_DB = 0.01;
// Debian's interpreter, as generate.sh uses for audiogen.py (numpy and scipy from python3-numpy, python3-scipy).
const PYTHON = '/usr/bin/python3';

interface PythonFigures {
  levels_a: Array<number | null>;
  levels_b: Array<number | null>;
  distance: number;
  floor: number;
  side_mid_a: number | null;
}

/** audiogen.py's own figures for each [a, b] pair of WAV paths. */
function pythonFigures(pairs: Array<[string, string]>): PythonFigures[] {
  const script = `
import json, math, sys
sys.path.insert(0, sys.argv[1])
import audiogen as ag
out = []
for a, b in json.loads(sys.argv[2]):
    xa, sra, _ = ag.read_wav(a)
    xb, srb, _ = ag.read_wav(b)
    clean = lambda v: [None if math.isnan(x) else float(x) for x in v]
    out.append(dict(levels_a=clean(ag.band_levels(xa, sra)), levels_b=clean(ag.band_levels(xb, srb)),
                    distance=ag.spectral_distance(xa, sra, xb, srb), floor=ag.smooth_eq_floor(xa, sra, xb, srb),
                    side_mid_a=ag.side_mid_db(xa)))
print(json.dumps(out))
`;
  const result = spawnSync(PYTHON, ['-c', script, generatorDir, JSON.stringify(pairs)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`audiogen.py figures failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as PythonFigures[];
}

const hasNumpy = () => hasTool(PYTHON, ['-c', 'import numpy, scipy']);

if (requireTool('ffmpeg', hasFfmpeg(), 'spectral distance vs audiogen.py') && requireTool('/usr/bin/python3 with numpy and scipy', hasNumpy(), 'spectral distance vs audiogen.py')) {
  const manifest = ensureFixtures();
  const dir = mkdtempSync(join(tmpdir(), 'audo-eq-spectral-'));
  const pairs: Array<{ name: string; a: string; b: string }> = manifest.pairs.map((pair) => ({
    name: pair.id,
    a: fixturePath(pair.target.path),
    b: fixturePath(pair.reference.path),
  }));
  // Different songs at different rates, a band-limited 16 kHz track (NaN bands, renormalised
  // over the common ones) and a 0.5 s excerpt (Welch segment capped by the length).
  const speech16k = join(dir, 'speech-16k.wav');
  ffmpeg(['-i', fixturePath('speech_mono_target/reference.wav'), '-ar', '16000', '-c:a', 'pcm_s16le', speech16k]);
  const short = join(dir, 'indie-short.wav');
  ffmpeg(['-i', fixturePath('indie_pop/reference.wav'), '-t', '0.5', '-c:a', 'pcm_s16le', short]);
  pairs.push(
    { name: 'indie_pop target vs synthwave reference (44.1 vs 48 kHz)', a: fixturePath('indie_pop/target.wav'), b: fixturePath('synthwave_48k_24bit/reference.wav') },
    { name: 'synthwave target vs 16 kHz speech', a: fixturePath('synthwave_48k_24bit/target.wav'), b: speech16k },
    { name: '0.5 s excerpt vs indie_pop target', a: short, b: fixturePath('indie_pop/target.wav') },
  );
  const expected = pythonFigures(pairs.map((p) => [p.a, p.b]));
  const decoded = new Map<string, PcmAudio>();
  const decode = (path: string) => decoded.get(path) ?? decoded.set(path, ffmpegDecode(path)).get(path)!;

  pairs.forEach((pair, i) => {
    test(`${pair.name}: band levels, spectral distance, smooth-EQ floor and side/mid match audiogen.py within ${TOLERANCE_DB} dB`, () => {
      const a = decode(pair.a);
      const b = decode(pair.b);
      const python = expected[i];
      const levelsA = thirdOctaveLevels(a);
      const levelsB = thirdOctaveLevels(b);
      for (const [levels, pythonLevels] of [[levelsA, python.levels_a], [levelsB, python.levels_b]] as const) {
        levels.forEach((level, band) => {
          const want = pythonLevels[band];
          if (want === null) assert.ok(Number.isNaN(level), `band ${band} should be above Nyquist`);
          else assert.ok(Math.abs(level - want) <= TOLERANCE_DB, `band ${band}: ${level} vs ${want}`);
        });
      }
      const distance = spectralDistanceFromLevels(levelsA, levelsB);
      assert.ok(Math.abs(distance - python.distance) <= TOLERANCE_DB, `distance ${distance} vs ${python.distance}`);
      assert.ok(python.distance > 0.5, `a real difference to compare (${python.distance} dB)`);
      const floor = smoothEqFloorFromLevels(levelsA, levelsB);
      assert.ok(Math.abs(floor - python.floor) <= TOLERANCE_DB, `floor ${floor} vs ${python.floor}`);
      const width = sideMidDb(a);
      if (python.side_mid_a === null) assert.is(width, null);
      else assert.ok(Math.abs(width! - python.side_mid_a) <= TOLERANCE_DB, `side/mid ${width} vs ${python.side_mid_a}`);
    });
  });

  test('a band-limited track has NaN bands above its Nyquist frequency and finite ones below', () => {
    const levels = thirdOctaveLevels(decode(speech16k));
    assert.ok(Number.isNaN(levels[levels.length - 1]), '16 kHz band at 16 kHz sampling');
    assert.ok(Number.isFinite(levels[0]), '31.5 Hz band');
  });

  test('a track has zero distance and zero floor to itself', () => {
    const a = decode(fixturePath('indie_pop/reference.wav'));
    assert.ok(spectralDistanceDb(a, a) < 1e-9);
    assert.ok(smoothEqFloorDb(a, a) < 1e-9);
  });
}

test.run();
