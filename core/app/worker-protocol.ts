/**
 * The messages between a worker pool and its workers, the same for Node
 * worker threads and Web Workers (Deno, Bun). Two kinds of job cross: a
 * mastering job (`/master`) and an analysis job (`/analyze`), each run by the
 * very function the in-process runners call. Upload bytes go in and the WAV
 * comes out as transferred buffers (moved, not copied); errors cross as plain
 * data and are rebuilt on the pool's side with their class and code, so a bad
 * upload is the same 4xx whichever thread decoded it.
 */
import { AudoEqError, ERROR_TABLE, INGEST_ERROR_CODES, IngestValidationError, type ErrorCode, type IngestErrorCode } from '../domain/errors.ts';
import type { IngestPolicy } from '../domain/policies.ts';
import { runAnalysisJob } from './in-process-analysis-runner.ts';
import { runMasteringJob, type MasteringJobSettings } from './mastering-job.ts';
import type { ReferenceAnalyzer } from './reference-analysis.ts';
import type { TapHost } from '../mastering/tap-host.ts';
import type { JobStage } from './jobs/job-record.ts';
import type { AnalysisJob, AnalysisJobResult, MasteringJob, MasteringJobResult, MasteringUploadFile } from './ports.ts';
import { cancelFlagRaised, stageHook } from './run-control.ts';

/** Pool → worker: run one job of either kind. */
export type WorkerJobMessage =
  | {
      readonly type: 'master';
      readonly jobId: number;
      readonly job: MasteringJob;
      readonly ingestPolicy?: IngestPolicy;
      /** Present for a controlled run: stages are posted back, and a raised flag stops the job at its next stage. */
      readonly control?: { readonly cancelFlag: SharedArrayBuffer };
      /**
       * Another worker was idle and nothing waited when the job was sent: a
       * core is spare, so the worker may analyse the references on a thread
       * of its own while it decodes and analyses the target.
       */
      readonly spareCore?: boolean;
    }
  | { readonly type: 'analyze'; readonly jobId: number; readonly job: AnalysisJob; readonly ingestPolicy?: IngestPolicy };

/** An error as structured-clonable data. */
export interface WireError {
  /** `product`: an `AudoEqError` (ingest errors included); `unexpected`: anything else. */
  readonly kind: 'product' | 'unexpected';
  readonly code?: ErrorCode;
  readonly message: string;
  readonly details?: Record<string, unknown>;
  /** Error class name and stack of an unexpected error, for the server log. */
  readonly name?: string;
  readonly stack?: string;
}

/** Worker → pool. `ready` once the worker has loaded its code. */
export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'stage'; readonly jobId: number; readonly stage: JobStage }
  | { readonly type: 'result'; readonly jobId: number; readonly result: MasteringJobResult | AnalysisJobResult }
  | { readonly type: 'failure'; readonly jobId: number; readonly error: WireError };

/** A message plus the buffers to move with it. */
export interface Outgoing<T> {
  readonly message: T;
  readonly transfer: ArrayBuffer[];
}

export const READY_REPLY: WorkerReply = { type: 'ready' };

/**
 * Bytes whose buffer can be moved: the same view when it spans a whole
 * `ArrayBuffer` of its own, otherwise one copy (a view into a larger buffer —
 * a socket chunk, a pooled allocation — must not take its neighbours along).
 *
 * @example
 * const { bytes, buffer } = ownedBytes(upload.subarray(10)); // a copy; `buffer` can be transferred
 */
export function ownedBytes(bytes: Uint8Array): { bytes: Uint8Array; buffer: ArrayBuffer } {
  const { buffer } = bytes;
  if (buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength && buffer.byteLength > 0) {
    return { bytes, buffer };
  }
  const copy = bytes.slice();
  return { bytes: copy, buffer: copy.buffer as ArrayBuffer };
}

/**
 * The message for a mastering job, its uploads (the target and every
 * reference) moved, each copied once first when it is a view into a shared buffer.
 *
 * @example
 * const { message, transfer } = masterJobMessage(7, job, DEFAULT_INGEST_POLICY);
 * worker.postMessage(message, transfer);
 */
export function masterJobMessage(
  jobId: number,
  job: MasteringJob,
  ingestPolicy?: IngestPolicy,
  control?: { readonly cancelFlag: SharedArrayBuffer },
  spareCore = false,
): Outgoing<WorkerJobMessage> {
  const buffers = new Set<ArrayBuffer>();
  const owned = <T extends MasteringUploadFile>(upload: T): T => {
    const { bytes, buffer } = ownedBytes(upload.bytes);
    buffers.add(buffer);
    return { ...upload, bytes };
  };
  const target = owned(job.target);
  const reference = Array.isArray(job.reference) ? (job.reference as readonly MasteringUploadFile[]).map(owned) : owned(job.reference as MasteringUploadFile);
  return {
    message: {
      type: 'master',
      jobId,
      job: { ...job, target, reference },
      ...(ingestPolicy ? { ingestPolicy } : {}),
      ...(control ? { control } : {}),
      ...(spareCore ? { spareCore } : {}),
    },
    transfer: [...buffers],
  };
}

/**
 * The message for an analysis job, its upload moved (copied once first when
 * it is a view into a shared buffer).
 *
 * @example worker.postMessage(...Object.values(analysisJobMessage(8, { correlationId: 'c', file: { bytes } })));
 */
export function analysisJobMessage(jobId: number, job: AnalysisJob, ingestPolicy?: IngestPolicy): Outgoing<WorkerJobMessage> {
  const file = ownedBytes(job.file.bytes);
  return {
    message: { type: 'analyze', jobId, job: { ...job, file: { ...job.file, bytes: file.bytes } }, ...(ingestPolicy ? { ingestPolicy } : {}) },
    transfer: [file.buffer],
  };
}

/** JSON-safe copy of error details (they may hold anything; a clone error must not hide the real one). */
function plainDetails(details: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(details)) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/**
 * An error as data. Product errors keep code, message and details; anything
 * else keeps only name, message and stack for the log (never shown to clients).
 *
 * @example errorToWire(new IngestValidationError('corrupted_file')) // { kind: 'product', code: 'corrupted_file', … }
 */
export function errorToWire(error: unknown): WireError {
  if (error instanceof AudoEqError) {
    return { kind: 'product', code: error.code, message: error.message, details: plainDetails(error.details) };
  }
  if (error instanceof Error) return { kind: 'unexpected', name: error.name, message: error.message, stack: error.stack };
  return { kind: 'unexpected', name: 'Error', message: String(error) };
}

/**
 * Rebuilds an error from data: `IngestValidationError` for ingest codes,
 * `AudoEqError` for other product codes, a plain `Error` (same name, message
 * and stack) otherwise — which the HTTP app answers as `500 internal_error`.
 *
 * @example errorFromWire({ kind: 'product', code: 'corrupted_file', message: 'truncated' }) instanceof IngestValidationError // true
 */
export function errorFromWire(wire: WireError): Error {
  if (wire.kind === 'product' && wire.code && Object.hasOwn(ERROR_TABLE, wire.code)) {
    if ((INGEST_ERROR_CODES as readonly string[]).includes(wire.code)) {
      return new IngestValidationError(wire.code as IngestErrorCode, wire.message, wire.details ?? {});
    }
    return new AudoEqError(wire.code, wire.message, wire.details ?? {});
  }
  const error = new Error(wire.message);
  error.name = wire.name ?? 'Error';
  if (wire.stack) error.stack = wire.stack;
  return error;
}

/** What a worker's own threads can do for a job sent while a core is spare. */
export interface SpareCoreHelpers {
  readonly referenceAnalyzer?: ReferenceAnalyzer;
  readonly tapHost?: TapHost;
  readonly curveStoreFor?: MasteringJobSettings['curveStoreFor'];
}

/**
 * What a worker does with one message: runs the job through the function the
 * in-process runners use (`runMasteringJob`, `runAnalysisJob`) and answers
 * with the result (a WAV moved back) or the failure as data. Never rejects.
 *
 * @example
 * self.onmessage = async (event) => { const { message, transfer } = await answerJobMessage(event.data); self.postMessage(message, transfer); };
 */
export async function answerJobMessage(
  message: WorkerJobMessage,
  post?: (reply: WorkerReply, transfer: ArrayBuffer[]) => void,
  spare: SpareCoreHelpers = {},
): Promise<Outgoing<WorkerReply>> {
  try {
    if (message.type === 'analyze') {
      const result = await runAnalysisJob(message.job, message.ingestPolicy);
      return { message: { type: 'result', jobId: message.jobId, result }, transfer: [] };
    }
    const { control, jobId } = message;
    // Posting does not wait for the pool's thread: stages reach it while this thread keeps computing.
    const onStage = control
      ? stageHook(() => cancelFlagRaised(control.cancelFlag), (stage) => post?.({ type: 'stage', jobId, stage }, []))
      : undefined;
    // A spare core analyses the references while this thread takes the target, and takes the render's taps (a runtime without threads has no helpers).
    const helpers = message.spareCore ? spare : {};
    // The uploads in the message are this worker's own copies: each goes once decoded.
    const result = await runMasteringJob(message.job, { ingestPolicy: message.ingestPolicy, onStage, releaseUploads: true, ...helpers });
    const wav = ownedBytes(result.wav);
    return { message: { type: 'result', jobId: message.jobId, result: { ...result, wav: wav.bytes } }, transfer: [wav.buffer] };
  } catch (error) {
    return { message: { type: 'failure', jobId: message.jobId, error: errorToWire(error) }, transfer: [] };
  }
}

/**
 * Posts a worker's answer; when the result cannot be cloned (a bug: something
 * in diagnostics or events that is not plain data), posts that as the
 * job's failure instead, so the pool never waits for an answer that will not come.
 *
 * @example deliverReply((message, transfer) => parentPort.postMessage(message, transfer), await answerJobMessage(message));
 */
export function deliverReply(post: (message: WorkerReply, transfer: ArrayBuffer[]) => void, answer: Outgoing<WorkerReply>): void {
  try {
    post(answer.message, answer.transfer);
  } catch (error) {
    if (answer.message.type === 'ready' || answer.message.type === 'stage') throw error;
    post({ type: 'failure', jobId: answer.message.jobId, error: errorToWire(error) }, []);
  }
}
