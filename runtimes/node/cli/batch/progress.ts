// How a batch shows itself. Every item ends with one line on `out`:
//   [OK] <target> -> <output> (correlation_id=<id>)
//   [OK] <target> -> <output> [warnings: <code>, <code>] (correlation_id=<id>)
//   [FAILED] <target>: <code>: <message> (correlation_id=<id>)
// then one summary line `total=N succeeded=N failed=N`. When `err` is a
// terminal, a progress bar lives on its last line, redrawn in place with `\r`
// and cleared before each item line so the two never mix; otherwise nothing
// but plain lines is written (logs and pipes stay clean).
import { basename } from 'node:path';
import type { BatchObserver, BatchOutcome } from './run-batch.ts';
import type { BatchItem } from './plan.ts';

/** The part of a Node stream the display needs (a fake one in tests). */
export interface DisplayStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface BatchSummary {
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
}

/**
 * The result line of one item.
 *
 * @example formatOutcome(outcome) // '[OK] mixes/a.wav -> mastered/a_mastered.wav [warnings: target_clipped] (correlation_id=…)'
 */
export function formatOutcome(outcome: BatchOutcome): string {
  const id = `(correlation_id=${outcome.correlationId})`;
  const warnings = outcome.ok && outcome.warnings.length > 0 ? ` [warnings: ${outcome.warnings.join(', ')}]` : '';
  return outcome.ok
    ? `[OK] ${outcome.item.target} -> ${outcome.item.output}${warnings} ${id}`
    : `[FAILED] ${outcome.item.target}: ${outcome.code}: ${outcome.message} ${id}`;
}

/**
 * The closing line.
 *
 * @example formatSummary({ total: 6, succeeded: 4, failed: 2 }) // 'total=6 succeeded=4 failed=2'
 */
export function formatSummary(summary: BatchSummary): string {
  return `total=${summary.total} succeeded=${summary.succeeded} failed=${summary.failed}`;
}

const BAR_CELLS = 24;

/**
 * One progress-bar line, cut to `columns - 1` characters so the terminal never wraps it.
 *
 * @example renderProgressBar({ total: 6, succeeded: 2, failed: 1, running: ['c.wav'] }, 80)
 * // '[############------------] 3/6 ok=2 failed=1 | c.wav'
 */
export function renderProgressBar(state: BatchSummary & { readonly running: readonly string[] }, columns: number): string {
  const done = state.succeeded + state.failed;
  const filled = state.total === 0 ? BAR_CELLS : Math.round((done / state.total) * BAR_CELLS);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_CELLS - filled)}] ${done}/${state.total} ok=${state.succeeded} failed=${state.failed}`;
  const line = state.running.length > 0 ? `${bar} | ${state.running.join(', ')}` : bar;
  const width = Math.max(20, columns - 1);
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

const CLEAR_LINE = '\r\x1b[2K';

/**
 * Creates the batch's display: item lines and summary on `out`, the progress
 * bar on `err` only when `err.isTTY`.
 *
 * @example
 * const display = createBatchDisplay({ out: process.stdout, err: process.stderr, total: items.length });
 * const outcomes = await runBatch(items, { …, observer: display });
 * display.finish();
 */
export function createBatchDisplay(streams: { out: DisplayStream; err: DisplayStream; total: number }): BatchObserver & { finish(): BatchSummary } {
  const { out, err, total } = streams;
  const tty = err.isTTY === true;
  const running = new Map<number, string>();
  let succeeded = 0;
  let failed = 0;
  let barShown = false;

  const draw = () => {
    if (!tty) return;
    err.write(`${CLEAR_LINE}${renderProgressBar({ total, succeeded, failed, running: [...running.values()] }, err.columns || 80)}`);
    barShown = true;
  };
  const clear = () => {
    if (barShown) err.write(CLEAR_LINE);
    barShown = false;
  };

  draw();
  return {
    itemStarted(item: BatchItem) {
      running.set(item.index, basename(item.target));
      draw();
    },
    itemFinished(outcome: BatchOutcome) {
      running.delete(outcome.item.index);
      if (outcome.ok) succeeded++;
      else failed++;
      clear();
      out.write(`${formatOutcome(outcome)}\n`);
      draw();
    },
    finish() {
      clear();
      const summary = { total, succeeded, failed };
      out.write(`${formatSummary(summary)}\n`);
      return summary;
    },
  };
}
