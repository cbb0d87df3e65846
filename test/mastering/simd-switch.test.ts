// The one switch between the WebAssembly SIMD kernels and their JavaScript
// twins: off, no SIMD module loads and every kernel the mastering chain calls
// runs in JavaScript with the same results; the runtimes read it from
// AUDO_EQ_SIMD at start-up. (CI runs the DSP, codec and mastering tests a
// second time with AUDO_EQ_SIMD=off.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../core/app/config.ts';
import { blockPeaks } from '../../core/dsp/block-peaks.ts';
import { applyGainCurve, scaleChannels } from '../../core/dsp/channel-gains.ts';
import { createStereoStretchMeter } from '../../core/dsp/stereo-stretch-meter.ts';
import { WASM_BASE64 } from '../../core/dsp/wasm/channel-gain.wasm.ts';
import { master } from '../../core/mastering/master.ts';
import { compileSimdModule, setSimdEnabled, simdEnabled } from '../../core/wasm/simd-module.ts';
import { simdSettingOf } from '../../runtimes/shared/simd-setting.ts';
import { applySimdSwitch } from '../../runtimes/shared/simd-switch.ts';
import { repoRoot } from '../support/processes.ts';

function noise(length: number, seed: number, amplitude = 0.3): Float32Array {
  let state = seed;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    out[i] = (state / 2 ** 32 - 0.5) * amplitude * (0.5 + 0.5 * Math.sin(i / 3000));
  }
  return out;
}

/** `body`'s result with the switch on and with it off (the switch restored after). */
function bothWays<T>(body: () => T): { simd: T; javaScript: T } {
  const was = simdEnabled();
  try {
    setSimdEnabled(true);
    const simd = body();
    setSimdEnabled(false);
    return { simd, javaScript: body() };
  } finally {
    setSimdEnabled(was);
  }
}

test('off, no SIMD module compiles; on again, it does', () => {
  const { simd, javaScript } = bothWays(() => compileSimdModule(WASM_BASE64));
  assert.ok(simd instanceof WebAssembly.Module, 'this runtime runs WebAssembly SIMD');
  assert.is(javaScript, null);
});

test('the kernels the mastering chain calls give identical results either way, odd lengths and chunk edges included', () => {
  for (const length of [0, 1, 15, 17, 4099, 70001]) {
    const curve = noise(length, 3, 2).map((v) => 0.5 + Math.abs(v));
    const gained = bothWays(() => {
      const channels = [noise(length, 1), noise(length, 2)];
      applyGainCurve(channels, curve, 1.7, Math.min(length, 5), length);
      scaleChannels(channels, 0.93);
      return channels.map((c) => Array.from(c));
    });
    assert.equal(gained.javaScript, gained.simd, `gains, length ${length}`);
    const envelope = noise(length, 4).map(Math.abs);
    const peaks = bothWays(() => Array.from(blockPeaks(envelope, 16)));
    assert.equal(peaks.javaScript, peaks.simd, `block peaks, length ${length}`);
    const left = noise(length, 5);
    const right = noise(length, 6);
    const stretches = bothWays(() => {
      const meter = createStereoStretchMeter(left, right, 1000);
      const out: number[] = [];
      for (let from = 0; from < length; from += 997) {
        const { energy, peak } = meter.measure(from, Math.min(length, from + 997));
        out.push(energy, peak);
      }
      return out;
    });
    assert.equal(stretches.javaScript, stretches.simd, `stereo stretches, length ${length}`);
  }
});

test('a whole master with SIMD off equals the master with SIMD on within float rounding, in both EQ modes', () => {
  const sampleRateHz = 44100;
  const length = sampleRateHz * 6 + 7;
  const track = (seed: number) => ({ sampleRateHz, channels: [noise(length, seed), noise(length, seed + 1)] });
  for (const eqMode of ['fixed', 'reference-match'] as const) {
    const { simd, javaScript } = bothWays(() => master(track(1), track(7), { eqMode }));
    let largest = 0;
    for (let c = 0; c < 2; c++) {
      const a = simd.audio.channels[c];
      const b = javaScript.audio.channels[c];
      for (let i = 0; i < length; i++) largest = Math.max(largest, Math.abs(a[i] - b[i]));
    }
    // The SIMD true-peak kernels sum in single precision: a few units in the last place of a sample.
    assert.ok(largest <= 1e-6, `${eqMode}: samples differ by up to ${largest}`);
    assert.is(javaScript.diagnostics.output_lufs, simd.diagnostics.output_lufs);
    assert.is(javaScript.diagnostics.output_true_peak_dbtp, simd.diagnostics.output_true_peak_dbtp);
  }
});

test('AUDO_EQ_SIMD: off (any case) switches the kernels to JavaScript, on or empty or unset to SIMD, anything else is a ConfigError', () => {
  const was = simdEnabled();
  try {
    for (const [value, expected] of [['off', false], [' OFF ', false], ['on', true], ['', true], [undefined, true]] as const) {
      setSimdEnabled(!expected);
      applySimdSwitch({ AUDO_EQ_SIMD: value });
      assert.is(simdEnabled(), expected, `AUDO_EQ_SIMD=${value}`);
    }
    assert.throws(() => applySimdSwitch({ AUDO_EQ_SIMD: 'fast' }), (error: unknown) => error instanceof ConfigError && /^invalid configuration: AUDO_EQ_SIMD\b/.test(error.message));
  } finally {
    setSimdEnabled(was);
  }
});

test('the CLI\'s reading of AUDO_EQ_SIMD without the schema answers as the schema does, and leaves it every value the schema refuses', () => {
  for (const value of [undefined, '', '  ', 'on', 'ON', ' On ', 'off', 'OFF', '\toff\n', 'fast', 'true', '0', 'of', 'onn']) {
    let schema: boolean | null;
    try {
      schema = loadConfig({ AUDO_EQ_SIMD: value }).AUDO_EQ_SIMD === 'on';
    } catch (error) {
      assert.instance(error, ConfigError);
      schema = null;
    }
    assert.is(simdSettingOf({ AUDO_EQ_SIMD: value }), schema, `AUDO_EQ_SIMD=${JSON.stringify(value)}`);
  }
});

test('the audo-eq command reads AUDO_EQ_SIMD at start-up: a bad value is one line and exit 2', () => {
  const result = spawnSync(process.execPath, [join(repoRoot, 'bin/audo-eq.mjs'), '--help'], {
    env: { ...process.env, AUDO_EQ_SIMD: 'fast' },
    encoding: 'utf8',
  });
  assert.is(result.status, 2);
  assert.is(result.stderr.trim().split('\n').length, 1, result.stderr);
  assert.match(result.stderr, /AUDO_EQ_SIMD/);
});

test.run();
