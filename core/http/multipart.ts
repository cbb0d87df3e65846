/**
 * Streaming `multipart/form-data` reading for `POST /master` and
 * `POST /analyze`. The body is parsed as it arrives (never
 * `request.formData()`, which holds 4–5× the upload in memory) and cut off as soon as a limit is crossed: a part over the
 * per-file limit is `file_too_large`, a body over the total limit is
 * `request_too_large` (413), decided before the rest of the body is read.
 */
import {
  getMultipartBoundary,
  MaxFileSizeExceededError,
  MaxTotalSizeExceededError,
  MultipartParseError,
  parseMultipartStream,
} from '@remix-run/multipart-parser';
import { AudoEqError } from '../domain/errors.ts';

export interface UploadLimits {
  /** Largest accepted file part, in bytes. */
  readonly maxFileBytes: number;
  /** Largest accepted request body (all parts plus form overhead), in bytes. */
  readonly maxRequestBytes: number;
}

export interface UploadedFile {
  readonly bytes: Uint8Array;
  readonly filename?: string;
}

export interface MasteringUpload {
  readonly target: UploadedFile;
  readonly reference: UploadedFile;
}

export const FILE_PARTS = ['target', 'reference'] as const;

const MAX_PARTS = 16;

function tooLarge(limits: UploadLimits): AudoEqError {
  return new AudoEqError('request_too_large', undefined, { max_bytes: limits.maxRequestBytes });
}

/**
 * Passes `body` through while counting bytes; errors the stream with
 * `request_too_large` once more than `maxBytes` arrived. The source is left
 * un-cancelled on purpose: on node:http, cancelling the request stream
 * destroys the socket before the 413 can be written.
 */
function limitBytes(body: ReadableStream<Uint8Array>, maxBytes: number, limits: UploadLimits): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let seenBytes = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        seenBytes += value.byteLength;
        if (seenBytes > maxBytes) {
          reader.releaseLock();
          return controller.error(tooLarge(limits));
        }
        controller.enqueue(value);
      },
      cancel: () => reader.releaseLock(),
    },
    { highWaterMark: 0 },
  );
}

/** Joins a part's chunks without copying when there is only one. */
function joinChunks(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
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

/**
 * Reads the file parts named in `names` from a multipart request under
 * `limits`; every one is required and must be non-empty. Other parts are
 * ignored (they still count toward the total).
 *
 * @example
 * const { file } = await readFileParts(request, limits, ['file']);
 */
export async function readFileParts<const Name extends string>(
  request: Request,
  limits: UploadLimits,
  names: readonly Name[],
): Promise<Record<Name, UploadedFile>> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\s*(;|$)/i.test(contentType)) {
    throw new AudoEqError('invalid_payload', `The request body must be multipart/form-data with ${partList(names)}.`);
  }
  const boundary = getMultipartBoundary(contentType);
  if (!boundary) throw new AudoEqError('invalid_payload', 'The multipart Content-Type has no boundary.');
  const declaredLength = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declaredLength) && declaredLength > limits.maxRequestBytes) throw tooLarge(limits);
  if (!request.body) throw new AudoEqError('invalid_payload', 'The request body is empty.');

  const files: Partial<Record<Name, UploadedFile>> = {};
  const limited = limitBytes(request.body, limits.maxRequestBytes, limits);
  try {
    const parts = parseMultipartStream(limited, {
      boundary,
      maxFileSize: limits.maxFileBytes,
      maxTotalSize: limits.maxRequestBytes,
      maxParts: MAX_PARTS,
    });
    for await (const part of parts) {
      const name = part.name as Name | undefined;
      if (name === undefined || !names.includes(name)) continue;
      if (files[name]) throw new AudoEqError('invalid_payload', `The file part '${name}' was sent more than once.`, { part: name });
      const filename = part.filename;
      files[name] = { bytes: joinChunks(part.content, part.size), ...(filename ? { filename } : {}) };
    }
  } catch (error) {
    // Hand the unread rest of the body back (unlocked) so the server can drain it.
    if (!limited.locked) await limited.cancel().catch(() => {});
    throw translateParseError(error, limits);
  }

  const missing = names.filter((name) => !files[name]);
  if (missing.length > 0) {
    throw new AudoEqError('missing_file', `Missing file part${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}.`, { missing_parts: missing });
  }
  for (const name of names) {
    if (files[name]!.bytes.byteLength === 0) {
      throw new AudoEqError('empty_file', `The file part '${name}' is empty.`, { part: name });
    }
  }
  return files as Record<Name, UploadedFile>;
}

/**
 * Reads the `target` and `reference` file parts of a mastering request under
 * `limits`. Other parts are ignored (they still count toward the total).
 *
 * @example
 * const { target, reference } = await readMasteringUpload(request, { maxFileBytes: 100 << 20, maxRequestBytes: 201 << 20 });
 */
export async function readMasteringUpload(request: Request, limits: UploadLimits): Promise<MasteringUpload> {
  return readFileParts(request, limits, FILE_PARTS);
}
