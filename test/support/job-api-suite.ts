// The API-level job tests, written once and run against each job backend:
// in memory (one process, no Redis) and BullMQ (real Redis). Each backend
// gives an app wired with a real storage, a real mastering runner (in
// process, gated where a test needs a job held at a stage) and its job queue.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { App } from '../../core/http/app.ts';
import { createInProcessRunner } from '../../core/app/in-process-runner.ts';
import type { MasteringRunner, RunControl, MasteringJob, ArtifactStorage } from '../../core/app/ports.ts';
import { parseAllowList } from '../../core/app/jobs/address-policy.ts';
import type { CallbackSettings } from '../../core/app/jobs/callbacks.ts';
import { verifyWebhookSignature } from '../../core/app/jobs/webhook-signature.ts';
import { createMetrics, type AppMetrics } from '../../core/http/metrics.ts';
import { waitUntil } from './deadline.ts';
import { buildPcmWav } from './wav-builder.ts';
import { createMemoryStorage, multipartForm } from './doubles.ts';

export const WEBHOOK_SECRET = 'test-webhook-secret';

export interface JobBackendSetup {
  readonly runner: MasteringRunner;
  readonly storage: ArtifactStorage & { objects: Map<string, unknown> };
  readonly callbacks: CallbackSettings;
  readonly capacity: number;
  readonly apiKeys: readonly string[];
  readonly metrics: AppMetrics;
  /** Seconds a succeeded job's result stays in storage; 0 keeps it. */
  readonly resultRetentionSeconds: number;
}

export interface JobBackendUnderTest {
  readonly app: App;
  close(): Promise<void>;
}

/** Builds an app whose job routes use the backend under test. */
export type MakeJobBackend = (setup: JobBackendSetup) => Promise<JobBackendUnderTest>;

/** A runner that holds controlled runs at their first stage until released, then runs the real job. */
export function createGatedRunner(): MasteringRunner & { release(): void; held(): number; runs: number } {
  const inner = createInProcessRunner();
  let open: () => void = () => {};
  let gate = new Promise<void>((resolve) => (open = resolve));
  let held = 0;
  const runner = {
    concurrency: 1,
    runs: 0,
    async run(job: MasteringJob, control?: RunControl) {
      runner.runs++;
      control?.onStage?.('decode');
      held++;
      await gate;
      held--;
      return inner.run(job, control);
    },
    release() {
      open();
    },
    held: () => held,
  };
  return runner;
}

export const TARGET = buildPcmWav({ sampleRateHz: 44_100, channels: 2, frames: 44_100 * 3 });
export const REFERENCE = buildPcmWav({ sampleRateHz: 48_000, channels: 2, frames: 48_000 * 2 });

function callbackSettings(overrides: Partial<CallbackSettings> = {}): CallbackSettings {
  return { secret: WEBHOOK_SECRET, allowList: parseAllowList([]), maxAttempts: 4, baseDelayMs: 50, maxDelayMs: 200, timeoutMs: 2000, ...overrides };
}

/** A callback receiver on 127.0.0.1 answering the listed statuses in turn (then 200). */
async function startReceiver(statuses: number[]) {
  const received: Array<{ body: string; headers: IncomingMessage['headers'] }> = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: request.headers });
      response.statusCode = statuses.shift() ?? 200;
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Registers and runs the shared job API tests for one backend. */
export function runJobApiSuite(label: string, makeBackend: MakeJobBackend): void {
  const test = suite(`jobs API (${label})`);
  const open: JobBackendUnderTest[] = [];

  async function backend(overrides: Partial<JobBackendSetup> = {}) {
    const setup: JobBackendSetup = {
      runner: createInProcessRunner(),
      storage: createMemoryStorage(),
      callbacks: callbackSettings(),
      capacity: 100,
      apiKeys: [],
      metrics: createMetrics(),
      resultRetentionSeconds: 0,
      ...overrides,
    };
    const built = await makeBackend(setup);
    open.push(built);
    const call = (path: string, init: RequestInit = {}) => built.app(new Request(`http://local${path}`, init));
    const submit = (query = '', files: Record<string, Uint8Array> = { target: TARGET, reference: REFERENCE }, headers: HeadersInit = {}) =>
      call(`/jobs${query}`, { method: 'POST', body: multipartForm(files), headers });
    const status = async (id: string, headers: HeadersInit = {}) => (await call(`/jobs/${id}`, { headers })).json();
    const until = async (id: string, wanted: (doc: any) => boolean, headers: HeadersInit = {}, ms = 20_000) => {
      let last: any = null;
      const seen: number[] = [];
      await waitUntil(
        async () => {
          last = await status(id, headers);
          seen.push(last.progress);
          return wanted(last);
        },
        ms,
        () => JSON.stringify(last),
        25,
      );
      return { doc: last, progress: seen };
    };
    return { ...setup, app: built.app, call, submit, status, until };
  }

  test.after.each(async () => {
    for (const built of open.splice(0)) await built.close();
  });

  test('a submitted job answers 202 with its status URL, runs, and its result is byte-identical to POST /master', async () => {
    const { submit, until, call } = await backend();
    const query = '?eq_mode=reference-match&bit_depth=16&target_lufs=-16';
    const response = await submit(query, undefined, { 'X-Correlation-Id': 'job-smoke-1' });
    assert.is(response.status, 202);
    const accepted = await response.json();
    assert.match(accepted.job_id, /^[0-9a-f-]{36}$/);
    assert.is(response.headers.get('location'), `/jobs/${accepted.job_id}`);
    assert.is(accepted.status_url, `http://local/jobs/${accepted.job_id}`);
    const { doc, progress } = await until(accepted.job_id, (d) => d.status === 'succeeded' || d.status === 'failed');
    assert.is(doc.status, 'succeeded', JSON.stringify(doc.error));
    assert.is(doc.progress, 100);
    assert.ok(progress.every((value, i) => i === 0 || value >= progress[i - 1]), `progress went back: ${progress.join(',')}`);
    assert.is(doc.correlation_id, 'job-smoke-1');
    assert.equal(doc.options, { eqMode: 'reference-match', eqPreset: 'neutral', deEsserMode: 'off', goalLufs: -16, strength: 100, match: ['loudness', 'tone', 'dynamics', 'width'], preview: false, bitDepth: 16 });
    assert.is(doc.result_object_key, `mastered/${accepted.job_id}.wav`);
    assert.type(doc.diagnostics?.output_lufs, 'number');
    assert.ok(doc.started_at && doc.finished_at && doc.created_at);
    const result = await call(`/jobs/${accepted.job_id}/result`);
    assert.is(result.status, 200);
    assert.is(result.headers.get('content-type'), 'audio/wav');
    const jobWav = new Uint8Array(await result.arrayBuffer());
    const master = await call(`/master${query}`, { method: 'POST', body: multipartForm({ target: TARGET, reference: REFERENCE }) });
    assert.is(master.status, 200);
    assert.equal(jobWav, new Uint8Array(await master.arrayBuffer()));
  });

  test('several references: stored one object each, the result equals POST /master\'s whatever their order, inputs listed and removed', async () => {
    const { call, until, storage } = await backend();
    const second = buildPcmWav({ sampleRateHz: 44_100, channels: 1, frames: 44_100 * 2 });
    const form = (references: Uint8Array[]) => {
      const body = new FormData();
      body.append('target', new Blob([TARGET as Uint8Array<ArrayBuffer>]), 'target.wav');
      references.forEach((bytes, i) => body.append('reference', new Blob([bytes as Uint8Array<ArrayBuffer>]), `reference-${i + 1}.wav`));
      return body;
    };
    const query = '?eq_mode=reference-match&bit_depth=16';
    const response = await call(`/jobs${query}`, { method: 'POST', body: form([REFERENCE, second]) });
    assert.is(response.status, 202);
    const { job_id } = await response.json();
    const { doc } = await until(job_id, (d) => d.status === 'succeeded' || d.status === 'failed');
    assert.is(doc.status, 'succeeded', JSON.stringify(doc.error));
    assert.equal(doc.inputs.reference, [
      { filename: 'reference-1.wav', size_bytes: REFERENCE.byteLength },
      { filename: 'reference-2.wav', size_bytes: second.byteLength },
    ]);
    assert.is(doc.diagnostics.references, 2);
    const jobWav = new Uint8Array(await (await call(`/jobs/${job_id}/result`)).arrayBuffer());
    const swapped = await call(`/master${query}`, { method: 'POST', body: form([second, REFERENCE]) });
    assert.is(swapped.status, 200);
    assert.equal(jobWav, new Uint8Array(await swapped.arrayBuffer()));
    await waitUntil(() => ![...storage.objects.keys()].some((key) => key.startsWith(`jobs/${job_id}/`)), 5000, () => [...storage.objects.keys()].join(','));
    const six = await call('/jobs', { method: 'POST', body: form(Array.from({ length: 6 }, () => REFERENCE)) });
    assert.is(six.status, 400);
    const { detail } = await six.json();
    assert.is(detail.code, 'too_many_references');
    assert.is(detail.max_count, 5);
    assert.equal([...storage.objects.keys()].filter((key) => key.startsWith('jobs/')), []);
  });

  test('bad queries and uploads get the same codes as /master and queue nothing', async () => {
    const { submit, call, storage } = await backend();
    const bad = await submit('?eq_mode=loud');
    assert.is(bad.status, 400);
    assert.is((await bad.json()).detail.code, 'invalid_query_parameter');
    const missing = await submit('', { target: TARGET });
    assert.is(missing.status, 400);
    assert.is((await missing.json()).detail.code, 'missing_file');
    const masterMissing = await call('/master', { method: 'POST', body: multipartForm({ target: TARGET }) });
    assert.is((await masterMissing.json()).detail.code, 'missing_file');
    const list = await (await call('/jobs')).json();
    assert.equal(list.jobs, []);
    assert.equal([...storage.objects.keys()].filter((key) => key.startsWith('jobs/')), []);
  });

  test('a corrupt input found by the worker ends the job failed with its code, and its inputs are removed', async () => {
    const { submit, until, storage } = await backend();
    const corrupt = TARGET.slice();
    corrupt.set(new TextEncoder().encode('RIFX'), 0);
    const { job_id } = await (await submit('', { target: corrupt, reference: REFERENCE })).json();
    const { doc } = await until(job_id, (d) => d.status === 'failed' || d.status === 'succeeded');
    assert.is(doc.status, 'failed');
    assert.ok(['unsupported_container', 'corrupted_file'].includes(doc.error.code), doc.error.code);
    assert.is(doc.result_url, null);
    await waitUntil(() => ![...storage.objects.keys()].some((key) => key.startsWith(`jobs/${job_id}/`)), 5000, () => [...storage.objects.keys()].join(','));
  });

  test('a queued job is cancelled at once and a running one at its next stage boundary; a finished one answers 409', async () => {
    const runner = createGatedRunner();
    const { submit, call, status, until, storage } = await backend({ runner });
    const first = (await (await submit()).json()).job_id;
    await waitUntil(() => runner.held() === 1, 10_000, () => 'the first job did not start');
    const second = (await (await submit()).json()).job_id;
    const cancelQueued = await call(`/jobs/${second}`, { method: 'DELETE' });
    assert.is(cancelQueued.status, 202);
    assert.is((await cancelQueued.json()).status, 'cancelled');
    assert.is((await status(second)).status, 'cancelled');
    const cancelRunning = await call(`/jobs/${first}`, { method: 'DELETE' });
    assert.is(cancelRunning.status, 202);
    const flagged = await cancelRunning.json();
    assert.is(flagged.status, 'running');
    assert.is(flagged.cancel_requested, true);
    // The worker notices the request (the memory backend at once, BullMQ within its poll) before the stage ends.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    runner.release();
    const { doc } = await until(first, (d) => d.status !== 'running');
    assert.is(doc.status, 'cancelled', JSON.stringify(doc.error));
    assert.not.ok([...storage.objects.keys()].some((key) => key.startsWith('mastered/')), 'a cancelled job stored a result');
    const again = await call(`/jobs/${first}`, { method: 'DELETE' });
    assert.is(again.status, 409);
    assert.is((await again.json()).detail.code, 'job_finished');
    const noResult = await call(`/jobs/${first}/result`);
    assert.is((await noResult.json()).detail.code, 'job_result_unavailable');
  });

  test('an unknown job and another key’s job are 404; each key lists only its own jobs, a page at a time', async () => {
    const { submit, call, until } = await backend({ apiKeys: ['key-a', 'key-b'] });
    const asA = { authorization: 'Bearer key-a' };
    const asB = { 'x-api-key': 'key-b' };
    assert.is((await submit('', undefined, {})).status, 401);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await (await submit('', undefined, asA)).json()).job_id);
    const other = (await (await submit('', undefined, asB)).json()).job_id;
    const unknown = await call('/jobs/00000000-0000-4000-8000-000000000000', { headers: asA });
    assert.is(unknown.status, 404);
    assert.is((await unknown.json()).detail.code, 'job_not_found');
    const foreign = await call(`/jobs/${other}`, { headers: asA });
    assert.is(foreign.status, 404);
    assert.is((await foreign.json()).detail.code, 'job_not_found');
    assert.is((await call(`/jobs/${other}`, { method: 'DELETE', headers: asA })).status, 404);
    const page1 = await (await call('/jobs?limit=2', { headers: asA })).json();
    assert.equal(page1.jobs.map((job: { job_id: string }) => job.job_id), [ids[2], ids[1]]);
    assert.ok(page1.next_cursor);
    const page2 = await (await call(`/jobs?limit=2&cursor=${page1.next_cursor}`, { headers: asA })).json();
    assert.equal(page2.jobs.map((job: { job_id: string }) => job.job_id), [ids[0]]);
    assert.is(page2.next_cursor, null);
    const bList = await (await call('/jobs', { headers: asB })).json();
    assert.equal(bList.jobs.map((job: { job_id: string }) => job.job_id), [other]);
    assert.is((await call('/jobs?limit=0', { headers: asA })).status, 400);
    for (const id of [...ids, other]) await until(id, (d) => d.status === 'succeeded', id === other ? asB : asA);
  });

  test('a callback is signed, retried after the receiver first answers 500, and its attempts are on the job', async () => {
    const receiver = await startReceiver([500]);
    try {
      const { submit, until } = await backend({ callbacks: callbackSettings({ allowList: parseAllowList(['127.0.0.1']) }) });
      const response = await submit(`?callback_url=${encodeURIComponent(receiver.url)}`);
      assert.is(response.status, 202);
      const { job_id } = await response.json();
      const { doc } = await until(job_id, (d) => d.callback?.status === 'delivered' || d.callback?.status === 'failed');
      assert.is(doc.callback.status, 'delivered');
      assert.equal(doc.callback.deliveries.map((d: { status_code: number }) => d.status_code), [500, 200]);
      assert.is(receiver.received.length, 2);
      for (const { body, headers } of receiver.received) {
        const signature = String(headers['x-audo-eq-signature']);
        assert.match(signature, /^t=\d+,v1=[0-9a-f]{64}$/);
        assert.ok(await verifyWebhookSignature(WEBHOOK_SECRET, body, signature, Date.now() / 1000), 'signature does not verify');
        assert.not.ok(await verifyWebhookSignature('another-secret', body, signature, Date.now() / 1000));
        assert.not.ok(await verifyWebhookSignature(WEBHOOK_SECRET, body.replace('succeeded', 'failed'), signature, Date.now() / 1000));
        const sent = JSON.parse(body);
        assert.is(sent.job_id, job_id);
        assert.is(sent.status, 'succeeded');
        assert.is(headers['x-audo-eq-job-id'], job_id);
      }
      assert.equal(receiver.received.map((r) => r.headers['x-audo-eq-delivery-attempt']), ['1', '2']);
    } finally {
      await receiver.close();
    }
  });

  test('callbacks to loopback, metadata and private addresses are refused without an allow-list', async () => {
    const { submit, call } = await backend();
    for (const url of ['http://127.0.0.1:9/hook', 'http://169.254.169.254/latest/meta-data/', 'http://localhost:8000/x', 'http://[::1]/x', 'http://10.1.2.3/x', 'http://[::ffff:127.0.0.1]/x']) {
      const response = await submit(`?callback_url=${encodeURIComponent(url)}`);
      assert.is(response.status, 400, url);
      const { detail } = await response.json();
      assert.is(detail.code, 'callback_not_allowed', url);
    }
    const malformed = await submit(`?callback_url=${encodeURIComponent('ftp://example.com/x')}`);
    assert.is((await malformed.json()).detail.code, 'invalid_query_parameter');
    assert.equal((await (await call('/jobs')).json()).jobs, []);
  });

  test('a full queue answers 503 queue_full with Retry-After', async () => {
    const runner = createGatedRunner();
    const { submit } = await backend({ runner, capacity: 1 });
    assert.is((await submit()).status, 202);
    await waitUntil(() => runner.held() === 1, 10_000, () => 'the first job did not start');
    assert.is((await submit()).status, 202);
    const full = await submit();
    assert.is(full.status, 503);
    assert.is(full.headers.get('retry-after'), '5');
    assert.is((await full.json()).detail.code, 'queue_full');
    runner.release();
  });

  test('with result retention a succeeded job\'s result leaves storage once it has passed; the job stays readable and its download says why', async () => {
    const { submit, until, call, status, storage } = await backend({ resultRetentionSeconds: 1 });
    const { job_id } = await (await submit()).json();
    const { doc } = await until(job_id, (d) => d.status === 'succeeded');
    const finishedMs = Date.parse(doc.finished_at);
    assert.is((await call(`/jobs/${job_id}/result`)).status, 200, 'downloadable right after it finished');
    await waitUntil(() => !storage.objects.has(doc.result_object_key), 15_000, () => [...storage.objects.keys()].join(','));
    assert.ok(Date.now() - finishedMs >= 900, `removed ${Date.now() - finishedMs} ms after the job finished`);
    const gone = await call(`/jobs/${job_id}/result`);
    assert.is(gone.status, 409);
    const body = await gone.json();
    assert.is(body.detail.code, 'job_result_unavailable');
    assert.match(body.detail.message, /no longer in storage/);
    assert.is((await status(job_id)).status, 'succeeded');
  });

  test('without result retention the result stays in storage', async () => {
    const { submit, until, storage } = await backend();
    const { job_id } = await (await submit()).json();
    const { doc } = await until(job_id, (d) => d.status === 'succeeded');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.ok(storage.objects.has(doc.result_object_key));
  });

  test('/metrics counts jobs by state and observes queue wait and run time', async () => {
    const { submit, until, call } = await backend();
    const { job_id } = await (await submit()).json();
    await until(job_id, (d) => d.status === 'succeeded');
    await waitUntil(async () => /audo_eq_job_duration_seconds_count\{status="succeeded"\} 1/.test(await (await call('/metrics')).text()), 5000, () => 'no duration observed');
    const text = await (await call('/metrics')).text();
    assert.match(text, /audo_eq_jobs\{state="succeeded"\} 1/);
    assert.match(text, /audo_eq_jobs\{state="queued"\} 0/);
    assert.match(text, /audo_eq_job_queue_wait_seconds_count 1/);
  });

  test.run();
}
