// The batch display: a progress bar redrawn in place on a terminal, plain lines otherwise.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBatchDisplay, formatOutcome, formatSummary, renderProgressBar, type DisplayStream } from '../../runtimes/node/cli/batch/progress.ts';
import type { BatchItem } from '../../runtimes/node/cli/batch/plan.ts';
import type { BatchOutcome } from '../../runtimes/node/cli/batch/run-batch.ts';

function fakeStream(isTTY: boolean, columns?: number): DisplayStream & { text: string } {
  const stream = { isTTY, columns, text: '', write: (chunk: string) => ((stream.text += chunk), true) };
  return stream;
}

const item = (index: number, target: string): BatchItem => ({ index, target, reference: { paths: ['ref.wav'] }, output: `out/${index}.wav` });
const ok = (index: number, target: string, warnings: Extract<BatchOutcome, { ok: true }>['warnings'] = []): BatchOutcome => ({ item: item(index, target), correlationId: `id-${index}`, ok: true, warnings });
const failed = (index: number, target: string): BatchOutcome => ({
  item: item(index, target),
  correlationId: `id-${index}`,
  ok: false,
  code: 'corrupted_file',
  message: 'The audio file could not be decoded.',
});

test('item and summary lines have the documented shapes', () => {
  assert.is(formatOutcome(ok(1, 'mixes/a.wav')), '[OK] mixes/a.wav -> out/1.wav (correlation_id=id-1)');
  assert.is(
    formatOutcome(ok(3, 'mixes/c.wav', ['loudness_goal_not_reached', 'target_clipped'])),
    '[OK] mixes/c.wav -> out/3.wav [warnings: loudness_goal_not_reached, target_clipped] (correlation_id=id-3)',
  );
  assert.is(formatOutcome(failed(2, 'mixes/b.wav')), '[FAILED] mixes/b.wav: corrupted_file: The audio file could not be decoded. (correlation_id=id-2)');
  assert.is(formatSummary({ total: 6, succeeded: 4, failed: 2 }), 'total=6 succeeded=4 failed=2');
});

test('the bar fills with finished items and names the running ones', () => {
  assert.is(renderProgressBar({ total: 4, succeeded: 0, failed: 0, running: [] }, 80), '[------------------------] 0/4 ok=0 failed=0');
  assert.is(renderProgressBar({ total: 4, succeeded: 1, failed: 1, running: ['c.wav', 'd.wav'] }, 80), '[############------------] 2/4 ok=1 failed=1 | c.wav, d.wav');
  assert.is(renderProgressBar({ total: 3, succeeded: 3, failed: 0, running: [] }, 80), '[########################] 3/3 ok=3 failed=0');
});

test('the bar is cut to the terminal width so it never wraps', () => {
  const line = renderProgressBar({ total: 10, succeeded: 1, failed: 0, running: ['a-very-long-file-name-number-one.wav', 'another-long-one.wav'] }, 60);
  assert.is(line.length, 59);
  assert.ok(line.endsWith('…'));
});

test('on a terminal the bar is redrawn with \\r on stderr and cleared before each item line on stdout', () => {
  const out = fakeStream(false);
  const err = fakeStream(true, 100);
  const display = createBatchDisplay({ out, err, total: 2 });
  display.itemStarted(item(1, 'mixes/a.wav'));
  assert.ok(err.text.endsWith('\r\x1b[2K[------------------------] 0/2 ok=0 failed=0 | a.wav'), JSON.stringify(err.text));
  display.itemFinished(ok(1, 'mixes/a.wav'));
  assert.ok(err.text.endsWith('\r\x1b[2K\r\x1b[2K[############------------] 1/2 ok=1 failed=0'), JSON.stringify(err.text));
  display.itemStarted(item(2, 'mixes/b.wav'));
  display.itemFinished(failed(2, 'mixes/b.wav'));
  const summary = display.finish();
  assert.equal(summary, { total: 2, succeeded: 1, failed: 1 });
  assert.ok(err.text.endsWith('\r\x1b[2K'), 'the bar is cleared at the end');
  assert.is(out.text, '[OK] mixes/a.wav -> out/1.wav (correlation_id=id-1)\n[FAILED] mixes/b.wav: corrupted_file: The audio file could not be decoded. (correlation_id=id-2)\ntotal=2 succeeded=1 failed=1\n');
});

test('without a terminal only plain lines are written, and nothing on stderr', () => {
  const out = fakeStream(false);
  const err = fakeStream(false);
  const display = createBatchDisplay({ out, err, total: 1 });
  display.itemStarted(item(1, 'a.wav'));
  display.itemFinished(ok(1, 'a.wav'));
  display.finish();
  assert.is(err.text, '');
  assert.not.match(out.text, /\r|\x1b/);
  assert.is(out.text, '[OK] a.wav -> out/1.wav (correlation_id=id-1)\ntotal=1 succeeded=1 failed=0\n');
});

test.run();
