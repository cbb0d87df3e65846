/**
 * Streaming `multipart/form-data` reading for `POST /master` and
 * `POST /analyze`. The body is parsed as it arrives (never
 * `request.formData()`, which holds 4–5× the upload in memory) and cut off as soon as a limit is crossed: a part over the
 * per-file limit is `file_too_large`, a body over the total limit is
 * `request_too_large` (413), decided before the rest of the body is read.
 * Time is bounded the same way: a body that takes longer than `timeoutMs` in
 * all, or goes silent for `idleTimeoutMs`, is `400 invalid_payload` with
 * `reason: "upload_timeout"` (SPEC has no 408; the upload is what is wrong).
 * A file part past the spool's threshold goes to the spool while it arrives
 * (core/http/upload-spool.ts), and any spooled copy is removed when the
 * upload fails.
 */
import {
  getMultipartBoundary,
  MaxFileSizeExceededError,
  MaxTotalSizeExceededError,
  MultipartParseError,
} from '@remix-run/multipart-parser';
import { AudoEqError, type ErrorCode } from '../domain/errors.ts';
import { MAX_REFERENCES } from '../domain/limits.ts';
import { splitMultipart } from './multipart-stream.ts';
import { createUploadCollector, type UploadCollector, type UploadSpool } from './upload-spool.ts';
import { unknownParameterError } from './unknown-parameters.ts';

export interface UploadLimits {
  /** Largest accepted file part, in bytes. */
  readonly maxFileBytes: number;
  /** Largest accepted request body (all parts plus form overhead), in bytes. */
  readonly maxRequestBytes: number;
  /** Longest time the whole body may take to arrive, from the first read; default no limit. */
  readonly timeoutMs?: number;
  /** Longest silence between two pieces of the body; default no limit. */
  readonly idleTimeoutMs?: number;
  /** Where a file part larger than its threshold waits while it arrives; default none (memory). */
  readonly spool?: UploadSpool | null;
}

export interface UploadedFile {
  readonly bytes: Uint8Array;
  readonly filename?: string;
}

export interface MasteringUpload {
  readonly target: UploadedFile;
  /** One reference, or several (up to {@link MAX_REFERENCES}) in the order they were sent. */
  readonly reference: UploadedFile | readonly UploadedFile[];
}

export const FILE_PARTS = ['target', 'reference'] as const;

const MAX_PARTS = 16;
/** Largest header block of one part (the parser package's own default). */
const MAX_HEADER_BYTES = 8 * 1024;

function tooLarge(limits: UploadLimits): AudoEqError {
  return new AudoEqError('request_too_large', undefined, { max_bytes: limits.maxRequestBytes });
}

function uploadTimedOut(kind: 'total' | 'idle', timeoutMs: number): AudoEqError {
  const message =
    kind === 'total'
      ? `The upload did not arrive in full within ${timeoutMs} ms; it was too slow.`
      : `The upload stalled: no data arrived for ${timeoutMs} ms.`;
  return new AudoEqError('invalid_payload', message, { reason: 'upload_timeout', timeout_ms: timeoutMs });
}

type ReadOutcome = ReadableStreamReadResult<Uint8Array> | 'timeout';

/** One read, or `'timeout'` after `waitMs` (the read is left pending; releasing the lock rejects it). */
async function readWithin(reader: ReadableStreamDefaultReader<Uint8Array>, waitMs: number): Promise<ReadOutcome> {
  if (!Number.isFinite(waitMs)) return reader.read();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(0, waitMs))));
  try {
    return await Promise.race([reader.read(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Passes `body` through while counting bytes and watching the clock; errors
 * the stream with `request_too_large` once more than `maxBytes` arrived, or
 * with an upload timeout (see the file comment). The source is left
 * un-cancelled on purpose: on node:http, cancelling the request stream
 * destroys the socket before the answer can be written.
 */
function limitBytes(body: ReadableStream<Uint8Array>, maxBytes: number, limits: UploadLimits): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const totalMs = limits.timeoutMs ?? Infinity;
  const idleMs = limits.idleTimeoutMs ?? Infinity;
  let deadlineMs = Infinity;
  let seenBytes = 0;
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, error: AudoEqError) => {
    reader.releaseLock();
    controller.error(error);
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (deadlineMs === Infinity) deadlineMs = performance.now() + totalMs;
        const leftMs = deadlineMs - performance.now();
        const outcome = await readWithin(reader, Math.min(idleMs, leftMs));
        if (outcome === 'timeout') return fail(controller, leftMs <= idleMs ? uploadTimedOut('total', totalMs) : uploadTimedOut('idle', idleMs));
        const { done, value } = outcome;
        if (done) return controller.close();
        seenBytes += value.byteLength;
        if (seenBytes > maxBytes) return fail(controller, tooLarge(limits));
        controller.enqueue(value);
      },
      cancel: () => reader.releaseLock(),
    },
    { highWaterMark: 0 },
  );
}

function translateParseError(error: unknown, limits: UploadLimits): unknown {
  if (error instanceof AudoEqError) return error;
  if (error instanceof MaxFileSizeExceededError) {
    return new AudoEqError('file_too_large', undefined, { max_bytes: limits.maxFileBytes });
  }
  if (error instanceof MaxTotalSizeExceededError) return tooLarge(limits);
  if (error instanceof MultipartParseError) {
    return new AudoEqError('invalid_payload', `The request body is not valid multipart/form-data: ${error.message}.`);
  }
  // The body stream failed (client went away); nothing useful to tell it.
  if (error instanceof TypeError) return new AudoEqError('invalid_payload', 'The request body could not be read.', {}, { cause: error });
  return error;
}

/** "target and reference", "file": how a message names the expected parts. */
function partList(names: readonly string[]): string {
  return `file part${names.length > 1 ? 's' : ''} ${names.join(' and ')}`;
}

/** How often a file part may be sent when it may be sent more than once, and the code for one too many. */
export interface RepeatRule {
  readonly maxCount: number;
  readonly tooMany: ErrorCode;
}

/** Where a failing file is in its part's list, for a part that may repeat (1-based). */
function indexDetails(name: string, index: number, repeatable: boolean): Record<string, unknown> {
  return repeatable ? { part: name, [`${name}_index`]: index + 1 } : { part: name };
}

/**
 * Reads the file parts named in `names` from a multipart request under
 * `limits`; every one is required at least once and each file must be
 * non-empty. A part is sent at most once unless `repeat` gives it a rule: then
 * up to `maxCount` times, in order, and the part after that fails at once
 * with the rule's code (the rest of the body is not read). Any other named
 * part is `400 unknown_parameter` (naming the closest known one), decided as
 * it arrives.
 *
 * @example
 * const { target, reference } = await readFilePartLists(request, limits, ['target', 'reference'], { reference: { maxCount: 5, tooMany: 'too_many_references' } });
 */
export async function readFilePartLists<const Name extends string>(
  request: Request,
  limits: UploadLimits,
  names: readonly Name[],
  repeat: Partial<Record<Name, RepeatRule>> = {},
): Promise<Record<Name, UploadedFile[]>> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\s*(;|$)/i.test(contentType)) {
    throw new AudoEqError('invalid_payload', `The request body must be multipart/form-data with ${partList(names)}.`);
  }
  const boundary = getMultipartBoundary(contentType);
  if (!boundary) throw new AudoEqError('invalid_payload', 'The multipart Content-Type has no boundary.');
  const declaredLength = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declaredLength) && declaredLength > limits.maxRequestBytes) throw tooLarge(limits);
  if (!request.body) throw new AudoEqError('invalid_payload', 'The request body is empty.');

  const collected = Object.fromEntries(names.map((name) => [name, [] as Array<{ collector: UploadCollector; filename?: string }>])) as Record<
    Name,
    Array<{ collector: UploadCollector; filename?: string }>
  >;
  const files = Object.fromEntries(names.map((name) => [name, [] as UploadedFile[]])) as Record<Name, UploadedFile[]>;
  const limited = limitBytes(request.body, limits.maxRequestBytes, limits);
  try {
    await splitMultipart(limited, boundary, { maxHeaderBytes: MAX_HEADER_BYTES, maxParts: MAX_PARTS, maxPartBytes: limits.maxFileBytes }, ({ name, filename }) => {
      if (name === undefined) return null;
      // A field the route does not read is a typo or a misunderstanding, never silently dropped.
      if (!(names as readonly string[]).includes(name)) throw unknownParameterError(name, 'multipart', names);
      const part = name as Name;
      const rule = repeat[part];
      const maxCount = rule?.maxCount ?? 1;
      if (collected[part].length >= maxCount) {
        if (!rule) throw new AudoEqError('invalid_payload', `The file part '${name}' was sent more than once.`, { part: name });
        throw new AudoEqError(rule.tooMany, `The file part '${name}' may be sent at most ${maxCount} times.`, { part: name, max_count: maxCount });
      }
      const collector = createUploadCollector(limits.spool);
      collected[part].push({ collector, ...(filename ? { filename } : {}) });
      return collector;
    });
    for (const name of names) {
      for (const { collector, filename } of collected[name]) files[name].push({ bytes: await collector.finish(), ...(filename ? { filename } : {}) });
    }
  } catch (error) {
    // Spooled copies never outlive a failed upload.
    await Promise.all(names.flatMap((name) => collected[name].map(({ collector }) => collector.discard().catch(() => {}))));
    // Hand the unread rest of the body back (unlocked) so the server can drain it.
    if (!limited.locked) await limited.cancel().catch(() => {});
    throw translateParseError(error, limits);
  }

  const missing = names.filter((name) => files[name].length === 0);
  if (missing.length > 0) {
    throw new AudoEqError('missing_file', `Missing file part${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}.`, { missing_parts: missing });
  }
  for (const name of names) {
    const repeatable = repeat[name] !== undefined;
    files[name].forEach((file, index) => {
      if (file.bytes.byteLength > 0) return;
      const which = repeatable && files[name].length > 1 ? ` (number ${index + 1})` : '';
      throw new AudoEqError('empty_file', `The file part '${name}'${which} is empty.`, indexDetails(name, index, repeatable && files[name].length > 1));
    });
  }
  return files;
}

/**
 * Reads the file parts named in `names`, each exactly once (see
 * {@link readFilePartLists}).
 *
 * @example
 * const { file } = await readFileParts(request, limits, ['file']);
 */
export async function readFileParts<const Name extends string>(
  request: Request,
  limits: UploadLimits,
  names: readonly Name[],
): Promise<Record<Name, UploadedFile>> {
  const lists = await readFilePartLists(request, limits, names);
  return Object.fromEntries(names.map((name) => [name, lists[name][0]])) as Record<Name, UploadedFile>;
}

/**
 * Reads the `target` part and one to {@link MAX_REFERENCES} `reference` parts
 * of a mastering request under `limits`: `reference` is one file when sent
 * once and the list in the order sent when sent several times (the shape
 * jobs store). Any other part is `400 unknown_parameter`.
 *
 * @example
 * const { target, reference } = await readMasteringUpload(request, { maxFileBytes: 100 << 20, maxRequestBytes: 201 << 20 });
 */
export async function readMasteringUpload(request: Request, limits: UploadLimits): Promise<MasteringUpload> {
  const { target, reference } = await readFilePartLists(request, limits, FILE_PARTS, {
    reference: { maxCount: MAX_REFERENCES, tooMany: 'too_many_references' },
  });
  return { target: target[0], reference: reference.length === 1 ? reference[0] : reference };
}
