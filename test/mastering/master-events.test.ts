import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRecordingPublisher } from '../../core/domain/events.ts';
import { analyzeTrack } from '../../core/mastering/analysis.ts';
import { master } from '../../core/mastering/master.ts';

function tone(sampleRateHz: number, seconds: number, amplitude: number, channels: number): Float32Array[] {
  const n = Math.round(sampleRateHz * seconds);
  return Array.from({ length: channels }, (_, c) => {
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const t = i / sampleRateHz;
      x[i] = amplitude * (0.6 * Math.sin(2 * Math.PI * 110 * t + c) + 0.3 * Math.sin(2 * Math.PI * 1870 * t) * (0.5 + 0.5 * Math.sin(2 * Math.PI * 2 * t)));
    }
    return x;
  });
}

test('master publishes TrackAnalyzed (target, reference), MasteringDecided and MasteringRendered with the correlation id', () => {
  const events = createRecordingPublisher();
  const target = { sampleRateHz: 44100, channels: tone(44100, 5, 0.1, 2) };
  const reference = { sampleRateHz: 48000, channels: tone(48000, 5, 0.5, 2) };
  const result = master(target, reference, { correlationId: 'abc-123', events, now: () => new Date('2026-01-02T03:04:05Z') });
  assert.equal(
    events.events.map((e) => [e.name, e.payload.role ?? null]),
    // Two tones hold nothing above 2 kHz: the reference is band-limited, so MasteringWarned closes the run.
    [['TrackAnalyzed', 'target'], ['TrackAnalyzed', 'reference'], ['MasteringDecided', null], ['MasteringRendered', null], ['MasteringWarned', null]],
  );
  assert.equal(events.events[4].payload.warnings, result.diagnostics.warnings);
  assert.equal(result.diagnostics.warnings.map((warning) => warning.code), ['reference_band_limited']);
  for (const event of events.events) {
    assert.is(event.correlationId, 'abc-123');
    assert.is(event.occurredAt, '2026-01-02T03:04:05.000Z');
  }
  const decided = events.events[2].payload;
  assert.is(decided.strategy, result.diagnostics.strategy.id);
  assert.equal(decided.conditions, result.diagnostics.strategy.conditions);
  assert.is(events.events[3].payload.output_lufs, result.diagnostics.output_lufs);
  // The reference is analysed at its own rate; the output keeps the target's.
  assert.is(events.events[1].payload.sample_rate_hz, 48000);
  assert.is(result.audio.sampleRateHz, 44100);
});

test('master leaves the caller’s target untouched unless asked to work in place', () => {
  const channels = tone(44100, 3, 0.1, 1);
  const copy = channels.map((c) => c.slice());
  const result = master({ sampleRateHz: 44100, channels }, { sampleRateHz: 44100, channels: tone(44100, 3, 0.5, 1) });
  assert.equal(channels, copy);
  assert.is.not(result.audio.channels[0], channels[0]);
  const inPlace = master({ sampleRateHz: 44100, channels }, { sampleRateHz: 44100, channels: tone(44100, 3, 0.5, 1) }, { inPlace: true });
  assert.is(inPlace.audio.channels[0], channels[0]);
});

test('audio shorter than a gating block masters without error and without a loudness figure', () => {
  const result = master({ sampleRateHz: 44100, channels: tone(44100, 0.2, 0.3, 2) }, { sampleRateHz: 44100, channels: tone(44100, 0.2, 0.5, 2) });
  assert.is(result.audio.channels[0].length, Math.round(44100 * 0.2));
  assert.is(result.diagnostics.output_lufs, null);
  for (const x of result.audio.channels[0]) assert.ok(Number.isFinite(x) && Math.abs(x) <= 1);
});

test('diagnostics serialise to a compact ASCII JSON header value', () => {
  const result = master({ sampleRateHz: 44100, channels: tone(44100, 4, 0.1, 2) }, { sampleRateHz: 44100, channels: tone(44100, 4, 0.5, 2) }, { eqMode: 'reference-match' });
  const json = JSON.stringify(result.diagnostics);
  assert.ok(/^[\x20-\x7e]+$/.test(json));
  assert.ok(json.length < 4096, `${json.length} bytes`);
  for (const key of ['input_lufs', 'reference_lufs', 'output_lufs', 'output_lra_lu', 'output_true_peak_dbtp', 'crest_factor_delta_db', 'balance_delta', 'limiter', 'strategy', 'profile', 'chain', 'stage_ms']) {
    assert.ok(key in result.diagnostics, key);
  }
});

test('a reference given as its analysis masters exactly like the reference audio', () => {
  const target = () => ({ sampleRateHz: 44100, channels: tone(44100, 4, 0.1, 2) });
  const reference = { sampleRateHz: 48000, channels: tone(48000, 4, 0.5, 2) };
  const fromAudio = master(target(), reference, { eqMode: 'reference-match' });
  const fromAnalysis = master(target(), analyzeTrack(reference), { eqMode: 'reference-match' });
  assert.equal(fromAnalysis.audio.channels, fromAudio.audio.channels);
});

test.run();
