// The web page in real headless Chromium with a long target: it goes through
// a job on the real Node server (in-memory jobs, one at a time; a second
// mastering thread keeps /analyze answering),
// shows a determinate progress bar that only moves forward, and shows and
// downloads the job's result; Cancel on a job waiting behind another one
// cancels it, and the page says so.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { JOB_THRESHOLD_SECONDS } from '../../core/http/page/document.ts';
import { multipartForm } from '../support/doubles.ts';
import { nodeServerCommand, startServer, type RunningServer } from '../support/processes.ts';
import { requireTool } from '../support/tools.ts';
import { buildPcmWav } from '../support/wav-builder.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

if (requireTool('chromium', existsSync(CHROMIUM), 'page jobs in Chromium')) {
  const dir = mkdtempSync(join(tmpdir(), 'audo-eq-page-jobs-'));
  // Longer than the page's threshold, small enough to upload quickly: 8 kHz mono.
  const longTarget = join(dir, 'long-target.wav');
  writeFileSync(longTarget, buildPcmWav({ sampleRateHz: 8000, channels: 1, frames: 8000 * (JOB_THRESHOLD_SECONDS + 60) }));
  const reference = join(dir, 'reference.wav');
  writeFileSync(reference, buildPcmWav({ sampleRateHz: 8000, channels: 1, frames: 8000 * 20 }));
  let server: RunningServer;
  let browser: Browser;

  test.before(async () => {
    const [command, args] = nodeServerCommand();
    [server, browser] = await Promise.all([
      startServer(command, args, { AUDO_EQ_STORAGE_BACKEND: 'filesystem', AUDO_EQ_DATA_DIR: join(dir, 'data'), AUDO_EQ_LOG_FORMAT: 'json', AUDO_EQ_WORKERS: '2', AUDO_EQ_JOBS_CONCURRENCY: '1' }),
      chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
    ]);
  });
  test.after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function openPage() {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${server.baseUrl}/`);
    await page.waitForSelector('body[data-ready="true"]');
    // Every progress value the bar shows while a job runs.
    await page.evaluate(
      "window.progressSeen = []; new MutationObserver(() => { const s = document.getElementById('status'); if (s.getAttribute('data-phase') === 'job') window.progressSeen.push(Number(document.getElementById('progress').value)); }).observe(document.getElementById('status'), { attributes: true, subtree: true, childList: true, characterData: true })",
    );
    await page.setInputFiles('#file-target', longTarget);
    await page.setInputFiles('#file-reference', reference);
    await page.waitForFunction(() => !(document.getElementById('master-button') as HTMLButtonElement).disabled);
    return { page, problems, close: () => context.close() };
  }

  test('a long target is mastered as a job with a determinate, forward-only progress bar, and its result is shown and downloadable', async () => {
    const { page, problems, close } = await openPage();
    try {
      await page.click('#master-button');
      await page.waitForSelector('#status[data-phase="job"]', { timeout: 60_000 });
      await page.waitForSelector('#status[data-phase="done"], #status[data-phase="failed"]', { timeout: 180_000 });
      assert.is(await page.getAttribute('#status', 'data-phase'), 'done', (await page.textContent('#error')) ?? '');
      const seen: number[] = await page.evaluate('window.progressSeen');
      assert.ok(seen.length > 0, 'progress was shown');
      assert.ok(seen.every((value, i) => i === 0 || value >= seen[i - 1]), `progress went back: ${seen.join(',')}`);
      assert.ok(await page.isHidden('#cancel-button'), 'Cancel is hidden once the job is done');
      const list = await (await fetch(`${server.baseUrl}/jobs`)).json();
      assert.is(list.jobs.length, 1);
      assert.is(list.jobs[0].status, 'succeeded');
      const download = await Promise.all([page.waitForEvent('download'), page.click('#download')]).then(([d]) => d);
      const path = await download.path();
      const saved = new Uint8Array(readFileSync(path!));
      const result = new Uint8Array(await (await fetch(`${server.baseUrl}/jobs/${list.jobs[0].job_id}/result`)).arrayBuffer());
      assert.ok(Buffer.from(saved).equals(Buffer.from(result)), 'the download is the job result');
      assert.equal(problems, []);
    } finally {
      await close();
    }
  });

  test('Cancel on a job waiting behind another cancels it and the page says so', async () => {
    // Occupy the server's only job slot with a long job submitted through the API.
    const blocker = await fetch(`${server.baseUrl}/jobs`, {
      method: 'POST',
      body: multipartForm({ target: buildPcmWav({ sampleRateHz: 8000, channels: 1, frames: 8000 * 3000 }), reference: buildPcmWav({ sampleRateHz: 8000, channels: 1, frames: 8000 * 20 }) }),
    });
    const blockerId = (await blocker.json()).job_id;
    const { page, problems, close } = await openPage();
    try {
      await page.click('#master-button');
      await page.waitForSelector('#cancel-button:not([hidden])', { timeout: 60_000 });
      await page.click('#cancel-button');
      await page.waitForSelector('#status[data-phase="failed"]', { timeout: 30_000 });
      assert.is(await page.getAttribute('#error', 'data-code'), 'job_cancelled');
      const list = await (await fetch(`${server.baseUrl}/jobs`)).json();
      const mine = list.jobs.find((job: { job_id: string }) => job.job_id !== blockerId);
      assert.is(mine.status, 'cancelled');
      assert.equal(problems, []);
    } finally {
      await fetch(`${server.baseUrl}/jobs/${blockerId}`, { method: 'DELETE' });
      await close();
    }
  });
}

test.run();
