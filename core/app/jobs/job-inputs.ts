/**
 * A job's uploads in object storage: stored by the API under
 * `jobs/<job id>/<field>` (`<field>-<n>` for a field sent several times),
 * read back by the worker into the very shape the multipart reader returned,
 * and removed once the job has finished. Generic over the upload object, so
 * a new file field of `POST /master` reaches jobs without changes here.
 */
import { AudoEqError } from '../../domain/errors.ts';
import type { ArtifactStorage, MasteringJob } from '../ports.ts';
import type { StoredUpload, StoredUploads } from './job-record.ts';

/** One uploaded file as the multipart reader returns it. */
export interface UploadedBytes {
  readonly bytes: Uint8Array;
  readonly filename?: string;
}

export type Uploads = Readonly<Record<string, UploadedBytes | readonly UploadedBytes[]>>;

/** Any upload object of that shape, e.g. the multipart reader's `{ target, reference }`. */
export type UploadFields<U> = { readonly [Field in keyof U]: UploadedBytes | readonly UploadedBytes[] };

const INPUT_CONTENT_TYPE = 'application/octet-stream';

/**
 * Stores every upload of a job; on a failure, removes what was stored and
 * rethrows (`storage_unavailable`).
 *
 * @example const inputs = await storeJobInputs(storage, 'j1', 'c1', { target, reference });
 */
export async function storeJobInputs<U extends UploadFields<U>>(storage: ArtifactStorage, jobId: string, correlationId: string, uploads: U): Promise<StoredUploads> {
  const stored: StoredUpload[] = [];
  const put = async (key: string, upload: UploadedBytes): Promise<StoredUpload> => {
    await storage.store({ key, bytes: upload.bytes, contentType: INPUT_CONTENT_TYPE, metadata: { 'correlation-id': correlationId, 'job-id': jobId } });
    const entry = { key, sizeBytes: upload.bytes.byteLength, ...(upload.filename ? { filename: upload.filename } : {}) };
    stored.push(entry);
    return entry;
  };
  try {
    const entries = await Promise.all(
      Object.entries<UploadedBytes | readonly UploadedBytes[]>(uploads).map(async ([field, value]) => {
        if (Array.isArray(value)) {
          return [field, await Promise.all((value as readonly UploadedBytes[]).map((upload, index) => put(`jobs/${jobId}/${field}-${index + 1}`, upload)))] as const;
        }
        return [field, await put(`jobs/${jobId}/${field}`, value as UploadedBytes)] as const;
      }),
    );
    return Object.fromEntries(entries);
  } catch (error) {
    await Promise.all(stored.map((entry) => storage.remove(entry.key).catch(() => {})));
    throw new AudoEqError('storage_unavailable', 'The uploaded files could not be stored for the job; retry later.', { retry_after_seconds: 5 }, { cause: error });
  }
}

/** Every stored upload of a job, flat. */
export function inputList(inputs: StoredUploads): StoredUpload[] {
  return Object.values(inputs).flatMap((value) => (Array.isArray(value) ? [...(value as readonly StoredUpload[])] : [value as StoredUpload]));
}

/**
 * Reads a job's uploads back into the multipart reader's shape. An input no
 * longer in storage is `missing_file` (the job cannot run again).
 *
 * @example const { target, reference } = await loadJobInputs(storage, record.submission.inputs);
 */
export async function loadJobInputs(storage: ArtifactStorage, inputs: StoredUploads, signal?: AbortSignal): Promise<Uploads> {
  const load = async (field: string, entry: StoredUpload): Promise<UploadedBytes> => {
    const bytes = await storage.read(entry.key, { signal });
    if (!bytes) throw new AudoEqError('missing_file', `The uploaded file '${field}' of this job is no longer in storage.`, { part: field });
    return { bytes, ...(entry.filename ? { filename: entry.filename } : {}) };
  };
  const entries = await Promise.all(
    Object.entries(inputs).map(async ([field, value]) =>
      Array.isArray(value)
        ? ([field, await Promise.all((value as readonly StoredUpload[]).map((entry) => load(field, entry)))] as const)
        : ([field, await load(field, value as StoredUpload)] as const),
    ),
  );
  return Object.fromEntries(entries);
}

/** Removes a job's stored uploads; failures are left for storage retention. */
export async function removeJobInputs(storage: ArtifactStorage, inputs: StoredUploads): Promise<void> {
  await Promise.all(inputList(inputs).map((entry) => storage.remove(entry.key).catch(() => {})));
}

/**
 * A mastering job's files from its loaded uploads: one `target`, and one
 * `reference` or a list. Anything else (a field missing from storage, a
 * record written by something else) is `missing_file`, not a job run on
 * half its inputs.
 *
 * @example const job: MasteringJob = { correlationId, ...masteringFiles(await loadJobInputs(storage, inputs)), options };
 */
export function masteringFiles(uploads: Uploads): Pick<MasteringJob, 'target' | 'reference'> {
  const { target, reference } = uploads;
  if (target === undefined || Array.isArray(target)) {
    throw new AudoEqError('missing_file', "The job's stored uploads have no single 'target' file.", { part: 'target' });
  }
  if (reference === undefined || (Array.isArray(reference) && reference.length === 0)) {
    throw new AudoEqError('missing_file', "The job's stored uploads have no 'reference' file.", { part: 'reference' });
  }
  return { target: target as UploadedBytes, reference };
}
