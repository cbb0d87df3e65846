/**
 * The default `MasteringRunner`: runs the mastering job on the calling thread.
 * Fine for the CLI, tests and small embeds; servers hand the same job
 * function (`runMasteringJob`) to a worker pool so mastering never blocks
 * their event loop.
 */
import type { IngestPolicy } from '../domain/policies.ts';
import { runMasteringJob } from './mastering-job.ts';
import type { ReferenceAnalyzer } from './reference-analysis.ts';
import type { Clock, MasteringJob, MasteringJobResult, MasteringRunner, RunControl } from './ports.ts';
import { stageHook } from './run-control.ts';

export interface InProcessRunnerOptions {
  /** Ingest limits; default `ingest-validation-default` v1. */
  readonly ingestPolicy?: IngestPolicy;
  /** Stamps `IngestValidated`; default the system clock. */
  readonly clock?: Clock;
  /** Analyses the references elsewhere while the target is analysed here (see `MasteringJobSettings`). */
  readonly referenceAnalyzer?: ReferenceAnalyzer;
}

/**
 * Creates the in-process runner. Mastering is synchronous CPU work, so it runs
 * one job at a time (`concurrency` 1) and holds the event loop while it does.
 * Events come back in pipeline order: `IngestValidated`, then what `master()`
 * publishes (`TrackAnalyzed` ×2, `MasteringDecided`, `MasteringRendered`).
 *
 * @example
 * const runner = createInProcessRunner();
 * const { wav, diagnostics, events } = await runner.run({ correlationId: 'c1', target, reference, options: DEFAULT_MASTERING_OPTIONS });
 */
export function createInProcessRunner(options: InProcessRunnerOptions = {}): MasteringRunner {
  const settings = { ingestPolicy: options.ingestPolicy, clock: options.clock, referenceAnalyzer: options.referenceAnalyzer };
  return {
    concurrency: 1,
    run: (job: MasteringJob, control?: RunControl): Promise<MasteringJobResult> =>
      runMasteringJob(job, control ? { ...settings, onStage: stageHook(() => control.signal?.aborted === true, control.onStage) } : settings),
  };
}
