/**
 * Ports: everything the use cases touch outside pure computation. `core/` never
 * constructs an adapter; runtimes pass implementations to `createHandler`.
 */
import type { DomainEvent, EventPublisher } from '../domain/events.ts';
import type { MasteringDiagnostics } from '../mastering/diagnostics.ts';
import type { MasteringRequestOptions } from '../mastering/options.ts';
import type { TrackMeasurements } from '../measurement/track-measurements.ts';
import type { JobStage } from './jobs/job-record.ts';

export type { EventPublisher };

/** One object to persist: the mastered WAV plus its metadata (SPEC section 6). */
export interface ArtifactObject {
  /** `mastered/<uuid>.wav` */
  readonly key: string;
  readonly bytes: Uint8Array;
  readonly contentType: string;
  /** correlation id, profile, …; values are plain ASCII. */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface StoredArtifact {
  readonly key: string;
  /** A URL a client can GET (presigned for S3), or null when the backend has none. */
  readonly url: string | null;
  /** Where it went, for events and logs, e.g. `s3://bucket/key` or `file:///data/key`. */
  readonly destination: string;
}

/** Port: durable object storage for mastered artifacts. */
export interface ArtifactStorage {
  readonly backend: string;
  store(object: ArtifactObject, options?: { signal?: AbortSignal }): Promise<StoredArtifact>;
  exists(key: string): Promise<boolean>;
  /** The object's bytes, or null when no object has this key. */
  read(key: string, options?: { signal?: AbortSignal }): Promise<Uint8Array | null>;
  /** Deletes the object; a key with no object is not an error. */
  remove(key: string): Promise<void>;
  /** Resolves when the backend answers (used by /ready); rejects with the reason otherwise. */
  checkReady(): Promise<void>;
}

/** One deferred persistence task: the object to store later, by key (idempotent). */
export interface ArtifactPersistenceTask {
  readonly object: ArtifactObject;
  readonly correlationId: string;
  /** ISO-8601 time the task was queued. */
  readonly enqueuedAt: string;
}

/**
 * One task handed to a queue consumer. `attempt` counts deliveries, this one
 * included (Redis: the BullMQ job's `attemptsStarted`), so a task that keeps killing
 * its worker is still seen to fail. `task` is null when the stored message
 * cannot be read (`problem` says why): such a message is retried like any
 * failure and ends in the dead-letter queue, it never blocks the others.
 */
export interface QueueDelivery {
  /** Queue-assigned message id (the BullMQ job id, or a counter in memory). */
  readonly id: string;
  readonly attempt: number;
  readonly task: ArtifactPersistenceTask | null;
  readonly problem: string | null;
}

export interface ConsumeOptions {
  /** Most deliveries to return (the consumer's free slots). */
  readonly maxTasks: number;
  /** How long to wait for a first delivery when none is ready; 0 returns at once. */
  readonly waitMs: number;
  readonly signal?: AbortSignal;
}

/**
 * Port: the queue deferred persistence hands artifacts to (SPEC section 6).
 * `durable` says whether an accepted task survives a process restart; the
 * `guaranteed` policy refuses a non-durable queue at start-up.
 *
 * Consumption is at-least-once: a delivered task stays invisible to other
 * consumers until it is acknowledged, scheduled for a retry or dead-lettered;
 * a consumer that dies loses its claim after the queue's visibility timeout
 * and the task is delivered again (with a higher `attempt`).
 */
export interface ArtifactQueue {
  /** The queue's name, as in `queue://<name>/<object key>`. */
  readonly name: string;
  /** `memory` or `redis`, for `/ready` and logs. */
  readonly backend: string;
  readonly durable: boolean;
  /** Where dead-lettered tasks go, for logs and events (e.g. `redis://audo-eq:artifacts:failed`). */
  readonly deadLetterName: string;
  /** Rejects when the queue is full or does not answer in time. */
  enqueue(task: ArtifactPersistenceTask, options?: { signal?: AbortSignal }): Promise<void>;
  /** Up to `maxTasks` deliveries: tasks due for a retry, tasks reclaimed from dead consumers, then new ones. */
  consume(options: ConsumeOptions): Promise<QueueDelivery[]>;
  /** The task is done (stored): remove it for good. */
  acknowledge(delivery: QueueDelivery): Promise<void>;
  /** The attempt failed: deliver the task again after `delayMs`. */
  retryLater(delivery: QueueDelivery, delayMs: number): Promise<void>;
  /** Give up: move the task, with `reason`, to the dead-letter queue. */
  deadLetter(delivery: QueueDelivery, reason: string): Promise<void>;
  /** Tasks not yet acknowledged or dead-lettered (waiting, in flight or waiting for a retry). */
  depth(): Promise<number>;
  /** Age of the oldest of those tasks, or null when there is none. */
  oldestAgeMs(): Promise<number | null>;
  /** Tasks in the dead-letter queue. */
  deadLetterDepth(): Promise<number>;
  /**
   * Optional: when a task for this object key is still waiting (not yet
   * stored or dead-lettered), the ISO time it was queued; else null. Lets
   * `GET /artifacts/{key}` answer 202 on any instance, not only the one that
   * queued it. A queue without it is asked nothing.
   */
  pendingSince?(key: string): Promise<string | null>;
  /** Resolves when the queue answers (used by /ready). */
  checkReady(): Promise<void>;
  /** Releases connections and timers; deliveries not acknowledged stay in a durable queue. */
  close(): Promise<void>;
}

/** Port: structured logging. Fields are flat JSON values; secrets never go in. */
export interface AppLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface Clock {
  now(): Date;
}

export type IdGenerator = () => string;

/** One mastering job as it crosses to a worker: encoded uploads in, encoded WAV out. */
export interface MasteringJob {
  readonly correlationId: string;
  readonly target: MasteringUploadFile;
  /** One reference, or several (combined by loudness, independent of their order; up to `MAX_REFERENCES` over HTTP and the CLI). */
  readonly reference: MasteringUploadFile | readonly MasteringUploadFile[];
  readonly options: MasteringRequestOptions;
}

/** One encoded upload of a mastering job. */
export interface MasteringUploadFile {
  readonly bytes: Uint8Array;
  readonly filename?: string;
}

/** The policies a result was produced under (SPEC sections 2 and 3). */
export interface AppliedPolicies {
  /** e.g. `v1` */
  readonly policyVersion: string;
  /** e.g. `ingest-validation-default` */
  readonly ingestPolicyId: string;
  /** e.g. `pcm-canonical-default` */
  readonly normalizationPolicyId: string;
}

export interface MasteringJobResult {
  readonly wav: Uint8Array;
  readonly policies: AppliedPolicies;
  /** The compact diagnostics object of SPEC section 5 (its `warnings` included). */
  readonly diagnostics: MasteringDiagnostics;
  /** Events the pipeline emitted, in order, to publish on the caller's side. */
  readonly events: readonly DomainEvent[];
}

/** Live figures of a runner, for `/metrics`. */
export interface MasteringRunnerStats {
  /** Jobs it can run at the same time (workers). */
  readonly workers: number;
  /** Jobs running now. */
  readonly running: number;
  /** Jobs accepted and waiting for a free worker. */
  readonly waiting: number;
}

/**
 * Optional control of one mastering run, for asynchronous jobs: stages are
 * reported as the job enters them (from whichever thread runs it), and once
 * `signal` is aborted the job stops at its next stage boundary with
 * `JobCancelledError` (core/app/run-control.ts).
 */
export interface RunControl {
  readonly signal?: AbortSignal;
  onStage?(stage: JobStage): void;
}

/**
 * Port: runs CPU-heavy mastering. The default runs in-process; the Node runtime
 * supplies a worker-thread pool, Deno and Bun a Web Worker pool. Rejects with
 * `IngestValidationError` for bad uploads and `AudoEqError('overloaded')` when
 * its own queue is full. A pool takes ownership of the job's upload bytes
 * (their buffers are transferred to the worker, so the caller's views end up
 * empty): hand it bytes you are done with.
 */
export interface MasteringRunner {
  /**
   * Jobs it runs at the same time (default 1). The HTTP app admits at most
   * `concurrency + maxPending` masterings and analyses at once: that many
   * run, up to `maxPending` more wait, the next request is `503 overloaded`.
   */
  readonly concurrency?: number;
  run(job: MasteringJob, control?: RunControl): Promise<MasteringJobResult>;
  /** Live figures for `/metrics`, when the runner has them. */
  stats?(): MasteringRunnerStats;
}

/** One analysis job (`POST /analyze`): one encoded upload in, its measurements out. */
export interface AnalysisJob {
  readonly correlationId: string;
  readonly file: { readonly bytes: Uint8Array; readonly filename?: string };
}

export interface AnalysisJobResult {
  /** What ingest found: container, codec and source bit depth (null for lossy codecs). */
  readonly source: { readonly container: string; readonly codec: string; readonly bitDepth: number | null };
  readonly measurements: TrackMeasurements;
}

/**
 * Port: runs the CPU work of measuring one upload (decode, loudness, spectrum).
 * Lighter than mastering but still seconds on long files, so a server hands
 * it to the same worker pool; the default runs on the calling thread. Rejects with
 * `IngestValidationError` (with `part: 'file'`) for a bad upload.
 */
export interface AnalysisRunner {
  runAnalysis(job: AnalysisJob): Promise<AnalysisJobResult>;
}
