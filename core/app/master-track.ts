/**
 * The mastering use case behind `POST /master` (and any other front end):
 * receive the request (options and uploads, when the caller hands them over
 * unread), run the job, publish the pipeline's events in order, persist the
 * artifact under the configured policy, and report `MasteringFailed` — here
 * and only here — when any stage fails.
 */
import { AudoEqError, IngestValidationError } from '../domain/errors.ts';
import type { EventPublisher } from '../domain/events.ts';
import type { MasteringDiagnostics } from '../mastering/diagnostics.ts';
import type { ProfileId } from '../mastering/options.ts';
import type { ArtifactPersister, PersistenceOutcome } from './persist-artifact.ts';
import type { AppliedPolicies, Clock, MasteringJob, MasteringRunner, RunControl } from './ports.ts';
import { isJobCancelled, jobCancelledError } from './run-control.ts';

export interface MasterTrackDeps {
  readonly runner: MasteringRunner;
  readonly persister: ArtifactPersister;
  readonly events: EventPublisher;
  readonly clock: Clock;
}

export interface MasterTrackResult {
  readonly wav: Uint8Array;
  readonly diagnostics: MasteringDiagnostics;
  readonly policies: AppliedPolicies;
  /** The profile the pipeline applied (`default`, `conservative`, `aggressive`, …), as its diagnostics report it. */
  readonly profileId: ProfileId;
  readonly persistence: PersistenceOutcome;
  /** Wall time of the mastering job (decode, analyse, process, encode). */
  readonly masteringSeconds: number;
}

/**
 * A mastering request not read yet: `receive` parses its options and reads
 * its uploads. Its failures (a bad query, a malformed or oversized upload)
 * are the `request` stage of `MasteringFailed`.
 */
export interface IncomingMastering {
  readonly correlationId: string;
  readonly receive: () => Promise<Omit<MasteringJob, 'correlationId'>>;
}

/** Which stage a failure after the request was received belongs to, for `MasteringFailed`. */
function failedStage(error: unknown): 'ingest' | 'persistence' | 'processing' {
  if (error instanceof IngestValidationError) return 'ingest';
  if (error instanceof AudoEqError && error.code === 'storage_unavailable') return 'persistence';
  return 'processing';
}

/**
 * Masters `job.target` against `job.reference` and persists the result; a
 * job given as {@link IncomingMastering} is received first. Throws the
 * `AudoEqError` of the failed stage (request and ingest errors, `overloaded`,
 * `storage_unavailable`) after publishing `MasteringFailed`; anything else is
 * rethrown as is for the caller to answer `internal_error`.
 *
 * @example
 * const result = await masterTrack({ runner, persister, events, clock }, { correlationId, receive: () => readJob(request) });
 * result.persistence.status; // 'stored' | 'deferred' | 'skipped'
 */
export async function masterTrack(deps: MasterTrackDeps, incoming: MasteringJob | IncomingMastering, control?: RunControl): Promise<MasterTrackResult> {
  const { runner, persister, events, clock } = deps;
  let receiving = 'receive' in incoming;
  try {
    const job: MasteringJob = 'receive' in incoming ? { correlationId: incoming.correlationId, ...(await incoming.receive()) } : incoming;
    receiving = false;
    const startedMs = performance.now();
    const result = await runner.run(job, control);
    const masteringSeconds = (performance.now() - startedMs) / 1000;
    for (const event of result.events) events.publish(event);
    const profileId = result.diagnostics.profile;
    // Storing is the last stage boundary: a job cancelled during the render stops before it writes anything.
    if (control?.signal?.aborted) throw jobCancelledError();
    control?.onStage?.('upload');
    const persistence = await persister.persist({ wav: result.wav, correlationId: job.correlationId, profileId });
    return { wav: result.wav, diagnostics: result.diagnostics, policies: result.policies, profileId, persistence, masteringSeconds };
  } catch (error) {
    events.publish({
      name: 'MasteringFailed',
      correlationId: incoming.correlationId,
      occurredAt: clock.now().toISOString(),
      payload: {
        stage: receiving ? 'request' : failedStage(error),
        code: error instanceof AudoEqError ? error.code : isJobCancelled(error) ? 'job_cancelled' : 'internal_error',
        message: error instanceof AudoEqError || isJobCancelled(error) ? (error as Error).message : 'unexpected error',
      },
    });
    throw error;
  }
}
