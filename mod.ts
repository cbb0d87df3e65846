/**
 * audo-eq: reference-based audio mastering as an embeddable fetch handler,
 * plus the audio, mastering and measurement functions behind it. Everything
 * here is runtime-free (Node, Deno, Bun, browsers' workers). Narrower
 * entry points, so an import pulls in only what it uses:
 *
 * - `audo-eq/audio`: decode uploads, encode WAV, fold surround to stereo
 * - `audo-eq/loudness`, `audo-eq/truepeak`, `audo-eq/levels`: the meters
 * - `audo-eq/mastering`: `master()` alone
 * - `audo-eq/measurement`: `measureTrack()` (what `POST /analyze` returns)
 * - `audo-eq/workers`: job functions and the pool, for custom worker kinds
 * - `audo-eq/adapters/filesystem`, `audo-eq/adapters/s3`,
 *   `audo-eq/adapters/memory-queue`, `audo-eq/adapters/redis-queue`,
 *   `audo-eq/adapters/tslog`: storage, queues and logging
 * - `audo-eq/node/fetch-adapter`, `audo-eq/node/pool`,
 *   `audo-eq/web-worker-pool`: runtime pieces for servers
 *
 * @example
 * import { createHandler } from 'audo-eq';
 * Deno.serve(createHandler());
 *
 * @module
 */
import { createInProcessRunner } from './core/app/in-process-runner.ts';
import type { MasteringRunner } from './core/app/ports.ts';
import { createApp, type App, type AppOptions } from './core/http/app.ts';

// ── The HTTP API as one fetch handler ──────────────────────────────────────
export type { App, AppOptions, FetchHandler } from './core/http/app.ts';

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
 * import { createFilesystemStorage } from 'audo-eq/adapters/filesystem';
 * const handler = createHandler({ storage: createFilesystemStorage({ dataDir: './data' }), apiKeys: ['s3cret-key'] });
 * const response = await handler(new Request('http://localhost/health')); // 200 {"status":"ok"}
 */
export function createHandler(options: HandlerOptions = {}): App {
  return createApp({ ...options, runner: options.runner ?? createInProcessRunner() });
}

// ── Runners: where mastering and analysis jobs run ─────────────────────────
// In-process (the default); worker pools come from `audo-eq/node/pool`,
// `audo-eq/web-worker-pool` or, for other worker kinds, `audo-eq/workers`.
export { createInProcessRunner } from './core/app/in-process-runner.ts';
export type { InProcessRunnerOptions } from './core/app/in-process-runner.ts';
export { createInProcessAnalysisRunner } from './core/app/in-process-analysis-runner.ts';

// ── Mastering ───────────────────────────────────────────────────────────────
export { master } from './core/mastering/master.ts';
export type { MasterOptions, MasterResult } from './core/mastering/master.ts';
export type { MasteringDiagnostics } from './core/mastering/diagnostics.ts';
export type { MasteringRequestOptions, EqMode, EqPreset, DeEsserMode, ProfileId, BitDepth } from './core/mastering/options.ts';
/** The WebAssembly-SIMD-or-JavaScript switch for this thread (worker pools hand it to their threads). */
export { setSimdEnabled, simdEnabled } from './core/wasm/simd-module.ts';

// ── Audio in and out ────────────────────────────────────────────────────────
export { decodeAudio } from './core/audio/decode.ts';
export type { DecodeOptions } from './core/audio/decode.ts';
export { encodeWav } from './core/audio/wav-encode.ts';
export type { WavBitDepth, WavEncodeOptions } from './core/audio/wav-encode.ts';
export { foldToStereo } from './core/audio/channels.ts';
export type { PcmAudio, DecodedAudio } from './core/audio/pcm.ts';

// ── Measurement (ITU-R BS.1770-4 / EBU R128) ───────────────────────────────
export { measureLoudness, createLoudnessMeter, channelWeightsFor, defaultChannelWeights } from './core/dsp/loudness.ts';
export type { LoudnessCapabilities, LoudnessMeter, LoudnessMeterOptions, LoudnessResult } from './core/dsp/loudness.ts';
export { measureTruePeak, createTruePeakDetector, designTruePeakFilter } from './core/dsp/truepeak.ts';
export type { TruePeakDetector, TruePeakFilter } from './core/dsp/truepeak.ts';
export { measureLevels } from './core/dsp/levels.ts';
export type { SignalLevels } from './core/dsp/levels.ts';
export { measureTrack } from './core/measurement/track-measurements.ts';
export type { TrackMeasurements, ShortTermLoudnessSeries } from './core/measurement/track-measurements.ts';
export type { ThirdOctaveSpectrum } from './core/measurement/third-octave-spectrum.ts';

// ── Policies, limits and errors ─────────────────────────────────────────────
export { DEFAULT_INGEST_POLICY, DEFAULT_NORMALIZATION_POLICY, POLICY_VERSION } from './core/domain/policies.ts';
export type { IngestPolicy, NormalizationPolicy } from './core/domain/policies.ts';
export { DEFAULT_LIMITS } from './core/domain/limits.ts';
export type { DefaultLimits } from './core/domain/limits.ts';
export { AudoEqError, IngestValidationError, ERROR_TABLE } from './core/domain/errors.ts';
export type { ErrorCode, IngestErrorCode } from './core/domain/errors.ts';

// ── Ports: what an embedding may implement (storage, queue, logger, events) ─
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
  AnalysisJob,
  AnalysisJobResult,
  AnalysisRunner,
} from './core/app/ports.ts';
export type { PersistenceOutcome, PersistencePolicy } from './core/app/persist-artifact.ts';
export type { DomainEvent, DomainEventName, EventPublisher } from './core/domain/events.ts';
export { createLoggingEventPublisher } from './core/app/logging-event-publisher.ts';

// ── Asynchronous jobs: their documents and the callback signature (for receivers) ─
export { signWebhook, verifyWebhookSignature, SIGNATURE_HEADER } from './core/app/jobs/webhook-signature.ts';
export { jobDocument } from './core/app/jobs/job-document.ts';
export type { JobDocument } from './core/app/jobs/job-document.ts';
export type { JobControl, JobLifecycle, JobListPage, JobProcessor, JobQueue, JobWorker } from './core/app/jobs/job-queue.ts';
export type { JobRecord, JobResult, JobStatus, JobStage, JobSubmission } from './core/app/jobs/job-record.ts';
export type { CallbackSettings, CallbackTransport, HostResolver } from './core/app/jobs/callbacks.ts';
export type { RunControl } from './core/app/ports.ts';
