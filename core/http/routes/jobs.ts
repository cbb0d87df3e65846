/**
 * The job routes: `POST /jobs` (same inputs, options and validation as
 * `POST /master`, read by the very same query parser and multipart reader;
 * inputs go to storage and the job to the queue; `202` with its status
 * URL), `GET /jobs` (the caller's recent jobs), `GET /jobs/{id}`,
 * `DELETE /jobs/{id}` (cancel) and `GET /jobs/{id}/result` (the WAV).
 * Jobs belong to the API key that submitted them; another key's job is 404.
 */
import { checkCallbackUrl } from '../../app/jobs/callbacks.ts';
import { jobDocument } from '../../app/jobs/job-document.ts';
import { isFinished, type JobRecord } from '../../app/jobs/job-record.ts';
import { submitMasteringJob } from '../../app/jobs/submit-job.ts';
import { AudoEqError } from '../../domain/errors.ts';
import type { AppDeps, RequestContext, RouteHandler } from '../context.ts';
import { jobOwner } from '../job-owner.ts';
import { readMasteringUpload, type MasteringUpload } from '../multipart.ts';
import { parseMasteringQuery } from '../query.ts';
import { jsonResponse } from '../responses.ts';

/** The one query parameter jobs add to `/master`'s. */
export const CALLBACK_PARAMETER = 'callback_url';

/** The query parameters of `GET /jobs`. */
export const LIST_JOBS_PARAMETERS = ['limit', 'cursor'] as const;

const RETRY_AFTER_SECONDS = 5;
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

function requireJobs(deps: AppDeps): NonNullable<AppDeps['jobs']> {
  if (!deps.jobs) throw new AudoEqError('jobs_unavailable');
  return deps.jobs;
}

/** The queue's answer, or `queue_unavailable` (503 with Retry-After) when it fails or does not answer in time. */
async function fromQueue<T>(deps: AppDeps, what: string, run: () => Promise<T>): Promise<T> {
  const { timeoutMs } = requireJobs(deps);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the job queue did not answer ${what} within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([run(), timeout]);
  } catch (error) {
    if (error instanceof AudoEqError) throw error;
    throw new AudoEqError('queue_unavailable', undefined, { retry_after_seconds: RETRY_AFTER_SECONDS }, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

/** The caller's job, or `job_not_found` (unknown, expired, or another key's). */
async function ownJob(request: Request, { deps }: RequestContext, id: string): Promise<JobRecord> {
  const { queue } = requireJobs(deps);
  const owner = await jobOwner(request.headers, deps.apiKeys);
  const record = await fromQueue(deps, 'a read', () => queue.get(id));
  if (!record || record.submission.owner !== owner) throw new AudoEqError('job_not_found', undefined, { job_id: id });
  return record;
}

const baseUrlOf = (url: URL) => url.origin;

function idParameter(request: Request): string {
  const id = (request as Request & { params?: Record<string, string> }).params?.id ?? '';
  return decodeURIComponent(id);
}

/**
 * `POST /jobs`
 *
 * @example
 * const response = await postJob(new Request('http://x/jobs?eq_mode=reference-match', { method: 'POST', body: form }), context);
 * response.status; // 202, Location: /jobs/<id>
 */
export const postJob: RouteHandler = async (request, { correlationId, url, deps }) => {
  const jobs = requireJobs(deps);
  const record = await submitMasteringJob(
    {
      storage: deps.storage,
      submit: (submission) => fromQueue(deps, 'the submission', () => jobs.queue.submit(submission)),
      events: deps.events,
      clock: deps.clock,
      logger: deps.logger,
      queue: jobs.queue,
      ids: () => crypto.randomUUID(),
    },
    {
      correlationId,
      receive: async () => {
        // Query and callback first: they are answered before a byte of the upload is read.
        const params = new URLSearchParams(url.searchParams);
        const callbacks = params.getAll(CALLBACK_PARAMETER).filter((value) => value.trim() !== '');
        params.delete(CALLBACK_PARAMETER);
        const options = parseMasteringQuery(params);
        if (callbacks.length > 1) {
          throw new AudoEqError('invalid_query_parameter', `Query parameter '${CALLBACK_PARAMETER}' was given more than once.`, { parameter: CALLBACK_PARAMETER, allowed_values: ['one absolute http(s) URL'] });
        }
        const callbackUrl = callbacks.length === 1 ? await checkCallbackUrl(callbacks[0].trim(), jobs.resolveHost, jobs.callbacks) : null;
        // Uploads are admitted like /master's (they hold memory while they arrive); the mastering itself waits in the job queue.
        const upload: MasteringUpload = await readMasteringUpload(request, deps.limits);
        return { owner: await jobOwner(request.headers, deps.apiKeys), options, callbackUrl, upload };
      },
    },
  );
  const document = jobDocument(record, baseUrlOf(url));
  return jsonResponse(202, { job_id: record.submission.id, status: record.status, status_url: document.status_url }, { location: `/jobs/${record.submission.id}` });
};

/** `GET /jobs/{id}` */
export const getJob: RouteHandler = async (request, context) => {
  const record = await ownJob(request, context, idParameter(request));
  return jsonResponse(200, jobDocument(record, baseUrlOf(context.url)));
};

/** `DELETE /jobs/{id}`: cancels; `409 job_finished` when it had already finished. */
export const deleteJob: RouteHandler = async (request, context) => {
  const { deps } = context;
  const id = idParameter(request);
  const record = await ownJob(request, context, id);
  if (isFinished(record.status)) {
    throw new AudoEqError('job_finished', `The job has already ${record.status === 'succeeded' ? 'succeeded' : record.status}.`, { job_id: id, status: record.status });
  }
  const cancelled = (await fromQueue(deps, 'the cancel', () => requireJobs(deps).queue.cancel(id))) ?? record;
  return jsonResponse(202, jobDocument(cancelled, baseUrlOf(context.url)));
};

/** `GET /jobs`: the caller's jobs, newest first, `limit` per page, `cursor` from the previous page. */
export const listJobs: RouteHandler = async (request, { deps, url }) => {
  const { queue } = requireJobs(deps);
  const limitText = url.searchParams.get('limit');
  const limit = limitText === null || limitText === '' ? DEFAULT_PAGE_SIZE : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new AudoEqError('invalid_query_parameter', `Query parameter 'limit' must be a whole number from 1 to ${MAX_PAGE_SIZE}.`, {
      parameter: 'limit',
      allowed_values: [`1-${MAX_PAGE_SIZE}`],
    });
  }
  const cursor = url.searchParams.get('cursor') || undefined;
  const owner = await jobOwner(request.headers, deps.apiKeys);
  const page = await fromQueue(deps, 'the list', () => queue.list(owner, { limit, ...(cursor ? { cursor } : {}) }));
  const next = page.nextCursor ? `/jobs?limit=${limit}&cursor=${encodeURIComponent(page.nextCursor)}` : null;
  return jsonResponse(200, { jobs: page.jobs.map((record) => jobDocument(record, baseUrlOf(url))), next_cursor: page.nextCursor, next });
};

/** `GET /jobs/{id}/result`: the mastered WAV of a succeeded job. */
export const getJobResult: RouteHandler = async (request, context) => {
  const id = idParameter(request);
  const record = await ownJob(request, context, id);
  if (record.status !== 'succeeded' || !record.result) {
    throw new AudoEqError('job_result_unavailable', `The job is ${record.status}; it has no result.`, { job_id: id, status: record.status });
  }
  const storage = context.deps.storage;
  if (!storage) throw new AudoEqError('jobs_unavailable', 'Storage is disabled on this server.');
  let bytes: Uint8Array | null;
  try {
    bytes = await storage.read(record.result.key);
  } catch (error) {
    throw new AudoEqError('storage_unavailable', 'The result could not be read from storage; retry later.', { retry_after_seconds: RETRY_AFTER_SECONDS }, { cause: error });
  }
  if (!bytes) throw new AudoEqError('job_result_unavailable', 'The result is no longer in storage (retention).', { job_id: id });
  return new Response(context.deps.byteBody(bytes), {
    status: 200,
    headers: {
      'content-type': 'audio/wav',
      'content-length': String(bytes.byteLength),
      'content-disposition': `attachment; filename="${id}.wav"`,
      'x-mastered-object-key': record.result.key,
    },
  });
};
