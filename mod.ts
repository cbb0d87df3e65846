/**
 * audo-eq public API: an embeddable fetch handler and the DSP entry points.
 *
 * @example
 * import { createHandler } from './mod.ts';
 * Deno.serve(createHandler());
 */
import { createInProcessRunner } from './core/app/in-process-runner.ts';
import type { MasteringRunner } from './core/app/ports.ts';
import { createApp, type App, type AppOptions } from './core/http/app.ts';

export type { App, AppOptions, FetchHandler } from './core/http/app.ts';
export type { PcmAudio, DecodedAudio } from './core/audio/pcm.ts';
export { AudoEqError, IngestValidationError, ERROR_TABLE } from './core/domain/errors.ts';
export type { ErrorCode, IngestErrorCode } from './core/domain/errors.ts';
export type { DomainEvent, DomainEventName, EventPublisher } from './core/domain/events.ts';
export { decodeAudio } from './core/audio/decode.ts';
export type { DecodeOptions } from './core/audio/decode.ts';
export { encodeWav } from './core/audio/wav-encode.ts';
export type { WavBitDepth, WavEncodeOptions } from './core/audio/wav-encode.ts';
export { DEFAULT_INGEST_POLICY, DEFAULT_NORMALIZATION_POLICY, POLICY_VERSION } from './core/domain/policies.ts';
export type { IngestPolicy, NormalizationPolicy } from './core/domain/policies.ts';
export { master } from './core/mastering/master.ts';
export type { MasterOptions, MasterResult } from './core/mastering/master.ts';
export type { MasteringDiagnostics } from './core/mastering/diagnostics.ts';
export type { MasteringRequestOptions, EqMode, EqPreset, DeEsserMode, ProfileId, BitDepth } from './core/mastering/options.ts';
export { measureLoudness, createLoudnessMeter, defaultChannelWeights } from './core/dsp/loudness.ts';
export type { LoudnessCapabilities, LoudnessMeter, LoudnessMeterOptions, LoudnessResult } from './core/dsp/loudness.ts';
export { measureTruePeak, createTruePeakDetector, designTruePeakFilter } from './core/dsp/truepeak.ts';
export type { TruePeakDetector, TruePeakFilter } from './core/dsp/truepeak.ts';
export { measureLevels } from './core/dsp/levels.ts';
export type { SignalLevels } from './core/dsp/levels.ts';
export type {
  AppLogger,
  AppliedPolicies,
  ArtifactObject,
  ArtifactPersistenceTask,
  ArtifactQueue,
  ArtifactStorage,
  Clock,
  IdGenerator,
  MasteringJob,
  MasteringJobResult,
  MasteringRunner,
  MasteringRunnerStats,
  StoredArtifact,
  QueueDelivery,
  ConsumeOptions,
} from './core/app/ports.ts';
export { createArtifactWorker, retryDelayMs } from './core/app/artifact-worker.ts';
export type { ArtifactWorker, ArtifactWorkerOptions, RetryPolicy, WorkerOutcome } from './core/app/artifact-worker.ts';
export type { PersistenceOutcome, PersistencePolicy } from './core/app/persist-artifact.ts';
export { createInProcessRunner } from './core/app/in-process-runner.ts';
export { runMasteringJob } from './core/app/mastering-job.ts';
export type { MasteringJobSettings } from './core/app/mastering-job.ts';
export { createWorkerPool } from './core/app/worker-pool.ts';
export type { PoolWorkerEvents, PoolWorkerHandle, SpawnPoolWorker, WorkerPool, WorkerPoolOptions } from './core/app/worker-pool.ts';
export { answerJobMessage, deliverReply, READY_REPLY } from './core/app/worker-protocol.ts';
export type { WorkerJobMessage, WorkerReply } from './core/app/worker-protocol.ts';
export { createInProcessAnalysisRunner, runAnalysisJob } from './core/app/in-process-analysis-runner.ts';
export type { AnalysisJob, AnalysisJobResult, AnalysisRunner } from './core/app/ports.ts';
export { measureTrack } from './core/measurement/track-measurements.ts';
export type { TrackMeasurements, ShortTermLoudnessSeries } from './core/measurement/track-measurements.ts';
export type { ThirdOctaveSpectrum } from './core/measurement/third-octave-spectrum.ts';
export { createLoggingEventPublisher } from './core/app/logging-event-publisher.ts';
export { loadConfig, ConfigError } from './core/app/config.ts';
// Asynchronous jobs: the job port, its records and documents, and the callback signature (for receivers).
export { signWebhook, verifyWebhookSignature, SIGNATURE_HEADER } from './core/app/jobs/webhook-signature.ts';
export { createMasteringJobProcessor } from './core/app/jobs/mastering-job-processor.ts';
export { jobDocument } from './core/app/jobs/job-document.ts';
export type { JobDocument } from './core/app/jobs/job-document.ts';
export type { JobControl, JobLifecycle, JobListPage, JobProcessor, JobQueue, JobWorker } from './core/app/jobs/job-queue.ts';
export type { JobRecord, JobResult, JobStatus, JobStage, JobSubmission } from './core/app/jobs/job-record.ts';
export type { CallbackSettings, CallbackTransport, HostResolver } from './core/app/jobs/callbacks.ts';
export type { RunControl } from './core/app/ports.ts';
export type { AppConfig } from './core/app/config.ts';

/**
 * Options for {@link createHandler}: every port has an embedded default.
 * `runner` defaults to the in-process runner; `storage` defaults to none
 * (storage disabled: results are `skipped`), because filesystem and S3
 * storage live in `adapters/` and are chosen by the runtime; `logger` defaults
 * to silent and `events` to logging through `logger`; `clock` and `ids` to the
 * system clock and `crypto.randomUUID()`.
 */
export type HandlerOptions = Omit<AppOptions, 'runner'> & { readonly runner?: MasteringRunner };

/**
 * Creates the audo-eq HTTP handler, `(req: Request) => Promise<Response>`, for
 * any fetch-based server (Deno.serve, Bun.serve, node:http via the Node adapter).
 *
 * @example
 * import { createFilesystemStorage } from './adapters/storage/filesystem.ts';
 * const handler = createHandler({ storage: createFilesystemStorage({ dataDir: './data' }), apiKeys: ['s3cret-key'] });
 * const response = await handler(new Request('http://localhost/health')); // 200 {"status":"ok"}
 */
export function createHandler(options: HandlerOptions = {}): App {
  return createApp({ ...options, runner: options.runner ?? createInProcessRunner() });
}
