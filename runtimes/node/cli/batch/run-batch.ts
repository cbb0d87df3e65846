// Runs a planned batch on a MasteringRunner with at most `concurrency` items
// in flight. Each item is independent: its failure (missing file, malformed
// audio, unreadable reference, unwritable output) becomes its outcome and the
// others go on. Aborting stops new items from starting; running ones finish.
import type { MasteringRunner } from '../../../../core/app/ports.ts';
import type { MasteringRequestOptions } from '../../../../core/mastering/options.ts';
import type { MasteringWarningCode } from '../../../../core/mastering/warnings.ts';
import { describeFailure, masterFiles } from '../master-files.ts';
import { masterFileStreamed, type StreamedFileSettings } from '../master-streamed.ts';
import type { BatchItem } from './plan.ts';

export type BatchOutcome =
  | { readonly item: BatchItem; readonly correlationId: string; readonly ok: true; readonly warnings: readonly MasteringWarningCode[] }
  | { readonly item: BatchItem; readonly correlationId: string; readonly ok: false; readonly code: string; readonly message: string };

/** What the batch tells its display (progress bar or plain lines). */
export interface BatchObserver {
  itemStarted(item: BatchItem): void;
  itemFinished(outcome: BatchOutcome): void;
}

export interface RunBatchOptions {
  readonly runner: MasteringRunner;
  /** The batch's options (an item with its own uses those). */
  readonly options: MasteringRequestOptions;
  /** Most items in flight at once (≥ 1). */
  readonly concurrency: number;
  readonly observer?: BatchObserver;
  /** When aborted, items not yet started end as `interrupted` without running. */
  readonly signal?: AbortSignal;
  /** Correlation ids; default `crypto.randomUUID()`, as the API makes them. */
  readonly ids?: () => string;
  /**
   * Stream WAV items on this thread as `audo-eq master` does (memory set by
   * the block, not the duration), handing the runner only what cannot be
   * streamed (FLAC, MP3, surround, preview, another rate). For a one-lane
   * batch, whose runner runs on this thread anyway.
   */
  readonly streamed?: StreamedFileSettings | null;
}

async function runItem(item: BatchItem, correlationId: string, settings: RunBatchOptions): Promise<BatchOutcome> {
  try {
    if (!('paths' in item.reference)) throw item.reference.failure;
    const job = { correlationId, targetPath: item.target, referencePaths: item.reference.paths, outputPath: item.output, options: item.options ?? settings.options };
    const result = (settings.streamed ? await masterFileStreamed(job, settings.streamed) : null) ?? (await masterFiles(settings.runner, job));
    return { item, correlationId, ok: true, warnings: result.diagnostics.warnings.map((warning) => warning.code) };
  } catch (error) {
    return { item, correlationId, ok: false, ...describeFailure(error, { nameTarget: false }) };
  }
}

/**
 * Runs every item and resolves with their outcomes in item order; it never
 * rejects for an item's failure.
 *
 * @example
 * const outcomes = await runBatch(items, { runner: createInProcessRunner(), options: DEFAULT_MASTERING_OPTIONS, concurrency: 2 });
 * const failed = outcomes.filter((outcome) => !outcome.ok).length;
 */
export async function runBatch(items: readonly BatchItem[], settings: RunBatchOptions): Promise<BatchOutcome[]> {
  if (!Number.isInteger(settings.concurrency) || settings.concurrency < 1) throw new RangeError(`concurrency must be a whole number ≥ 1, got ${settings.concurrency}`);
  const ids = settings.ids ?? (() => crypto.randomUUID());
  const outcomes: BatchOutcome[] = new Array(items.length);
  let next = 0;

  const lane = async () => {
    while (next < items.length) {
      const position = next++;
      const item = items[position];
      const correlationId = ids();
      if (settings.signal?.aborted) {
        outcomes[position] = { item, correlationId, ok: false, code: 'interrupted', message: 'not started: the batch was interrupted' };
      } else {
        settings.observer?.itemStarted(item);
        outcomes[position] = await runItem(item, correlationId, settings);
      }
      settings.observer?.itemFinished(outcomes[position]);
    }
  };

  await Promise.all(Array.from({ length: Math.min(settings.concurrency, items.length) }, lane));
  return outcomes;
}
