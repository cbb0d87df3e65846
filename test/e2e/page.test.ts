// The web page in real headless Chromium against the real Node server process:
// choose two fixture files (picker and drag and drop), master, then check the
// players, the charts (data for all three signals), the metrics table (against
// /analyze and ffmpeg), the level-matched A/B switch by keyboard, the download
// (a valid WAV, the same bytes as the stored artifact), and the API's error
// messages for a malformed file and a missing API key. Screenshots go to
// test-output/page/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runAnalysisJob } from '../../core/app/in-process-analysis-runner.ts';
import type { AnalysisJob } from '../../core/app/ports.ts';
import { createApp } from '../../core/http/app.ts';
import { toNodeListener } from '../../runtimes/node/fetch-adapter.ts';
import { createEchoRunner, createMemoryStorage } from '../support/doubles.ts';
import { fixtureHead, fixturePath, readFixture } from '../support/fixtures.ts';
import { ffmpegEbur128 } from '../support/ffmpeg-meter.ts';
import { hasFfmpeg } from '../support/ffmpeg.ts';
import { holdUpload } from '../support/held-upload.ts';
import { jsonLogRecords, readWavInfo } from '../support/http-client.ts';
import { nodeServerCommand, repoRoot, startServer, type RunningServer } from '../support/processes.ts';
import { requireTool } from '../support/tools.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const OUTPUT_DIR = join(repoRoot, 'test-output/page');
const API_KEY = 'page-e2e-key-7f3a';
const MASTERING_TIMEOUT_MS = 180_000;
const TARGET = 'indie_pop/target.wav';
const REFERENCE = 'indie_pop/reference.wav';

/**
 * Runs in the page (as source text, so nothing is transformed on the way):
 * controls without an accessible name, and visible text whose colour has less
 * than 4.5:1 contrast (WCAG AA) with the first opaque background behind it.
 */
const ACCESSIBILITY_AUDIT = `(() => {
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const luminance = (c) => { const [r, g, b] = c.slice(0, 3).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const background = (el) => { for (let node = el; node; node = node.parentElement) { const c = rgb(getComputedStyle(node).backgroundColor); if (c.length === 3 || c[3] > 0.99) return c; } return [255, 255, 255]; };
  const unnamed = [];
  document.querySelectorAll('input, select, button, audio, a[href]').forEach((el) => {
    if (el.closest('[hidden]')) return;
    const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el.textContent || '').trim();
    if (!named) unnamed.push(el.outerHTML.slice(0, 80));
  });
  const lowContrast = [];
  let checked = 0;
  document.querySelectorAll('body *').forEach((el) => {
    const ownText = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!ownText || !el.getClientRects().length || el.closest('svg, [hidden], [aria-hidden=true]') || el.matches(':disabled, option')) return;
    checked++;
    const fg = luminance(rgb(getComputedStyle(el).color)), bg = luminance(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5) lowContrast.push(el.tagName + ' ' + ratio.toFixed(2) + ': ' + el.textContent.trim().slice(0, 40));
  });
  return { unnamed, lowContrast, checked };
})()`;

/** A displayed figure as a number (the page writes a real minus sign, U+2212). */
const displayedNumber = (text: string) => Number.parseFloat(text.replace('\u2212', '-'));

if (requireTool('chromium', existsSync(CHROMIUM), 'web page in Chromium') && requireTool('ffmpeg', hasFfmpeg(), 'web page in Chromium')) {
  const dataDir = mkdtempSync(join(tmpdir(), 'audo-eq-page-'));
  let server: RunningServer;
  let browser: Browser;

  test.before(async () => {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    const [command, args] = nodeServerCommand();
    [server, browser] = await Promise.all([
      startServer(command, args, { AUDO_EQ_STORAGE_BACKEND: 'filesystem', AUDO_EQ_DATA_DIR: dataDir, AUDO_EQ_LOG_FORMAT: 'json' }),
      chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
    ]);
  });
  test.after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Opens the page; anything not served by `baseUrl` (or blob:/data:) is refused and recorded, as are script errors. */
  async function openPage(baseUrl: string) {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(baseUrl) || url.startsWith('blob:') || url.startsWith('data:')) return route.continue();
      problems.push(`offsite request: ${url}`);
      return route.abort();
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(`${baseUrl}/`);
    await page.waitForSelector('body[data-ready="true"]');
    return { page, problems, close: () => context.close() };
  }

  /** Drops a file on a drop zone the way a browser does: a drop event carrying a DataTransfer. */
  async function dropFile(page: Page, slot: string, path: string, name: string) {
    const dataTransfer = await page.evaluateHandle(
      ({ base64, fileName }) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], fileName, { type: 'audio/wav' }));
        return transfer;
      },
      { base64: readFileSync(path).toString('base64'), fileName: name },
    );
    await page.dispatchEvent(`.drop[data-slot="${slot}"]`, 'dragover', { dataTransfer });
    await page.dispatchEvent(`.drop[data-slot="${slot}"]`, 'drop', { dataTransfer });
  }

  /** The server's own measurements of a file, for comparing with what the page shows. */
  async function analyzeOnServer(baseUrl: string, bytes: Uint8Array, name: string, headers: Record<string, string> = {}) {
    const form = new FormData();
    form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>]), name);
    const response = await fetch(`${baseUrl}/analyze`, { method: 'POST', body: form, headers });
    assert.is(response.status, 200);
    return (await response.json()) as Record<string, any>;
  }

  const waitForOutcome = (page: Page) =>
    page.waitForSelector('#status[data-phase="done"], #status[data-phase="failed"]', { timeout: MASTERING_TIMEOUT_MS });

  test('choose two files, master, and get players, charts and metrics for all three signals and a WAV download', async () => {
    const { page, problems, close } = await openPage(server.baseUrl);
    await page.setInputFiles('#file-target', fixturePath(TARGET));
    await dropFile(page, 'reference', fixturePath(REFERENCE), 'reference.wav');
    assert.is(await page.inputValue('#file-reference').then((value) => value.endsWith('reference.wav')), true, 'the dropped file shows in the input');
    await page.selectOption('#opt-eq_mode', 'reference-match');
    // Record every phase the status region goes through.
    await page.evaluate(
      "window.phases = []; new MutationObserver(() => window.phases.push(document.getElementById('status').getAttribute('data-phase'))).observe(document.getElementById('status'), { attributes: true, attributeFilter: ['data-phase'] })",
    );
    // Master is enabled once both files are measured.
    await page.waitForSelector('#master-button:not([disabled])');
    await page.focus('#master-button');
    await page.keyboard.press('Enter');
    await waitForOutcome(page);
    const status = await page.textContent('#status-text');
    assert.is(await page.getAttribute('#status', 'data-phase'), 'done', `status: ${status}; error: ${await page.textContent('#error')}`);
    const phases = ((await page.evaluate('window.phases')) as string[]).filter((phase, i, all) => phase !== all[i - 1]);
    assert.equal(phases.filter((phase) => phase !== 'idle'), ['upload', 'processing', 'measuring', 'done']);

    // Download: a valid WAV with the target's rate, layout and length at the default 24 bits.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    assert.is(download.suggestedFilename(), 'target_mastered.wav');
    const downloadPath = join(OUTPUT_DIR, 'target_mastered.wav');
    await download.saveAs(downloadPath);
    const wav = new Uint8Array(readFileSync(downloadPath));
    const info = readWavInfo(wav);
    assert.is(info.sampleRateHz, 44100);
    assert.is(info.channels, 2);
    assert.is(info.bitsPerSample, 24);
    assert.is(info.frames, 441000);

    // Persistence: stored, and the object URL names a file holding exactly the downloaded bytes.
    assert.is(await page.getAttribute('#persistence [data-status]', 'data-status'), 'stored');
    // Filesystem storage answers with its artifact route (never a server path), which serves the same bytes.
    const objectUrl = (await page.textContent('#object-url'))!.trim();
    assert.match(objectUrl, /^http:\/\/127\.0\.0\.1:\d+\/artifacts\/mastered\/[0-9a-f-]{36}\.wav$/);
    assert.equal(new Uint8Array(await (await fetch(objectUrl)).arrayBuffer()), wav);
    const correlationId = (await page.textContent('#correlation-id'))!.trim();
    const access = jsonLogRecords(server.output()).find((r) => r.message === 'http_request' && r.path === '/master' && r.correlation_id === correlationId);
    assert.is(access?.status, 200, `access log line for ${correlationId}`);

    // Players: each has a local (blob:) source that the browser could read.
    for (const slot of ['target', 'reference', 'result']) {
      await page.waitForFunction((id) => (document.getElementById(id) as HTMLAudioElement).readyState >= 1, `player-${slot}`);
      const player = await page.$eval(`#player-${slot}`, (audio) => ({ src: (audio as HTMLAudioElement).currentSrc, duration: (audio as HTMLAudioElement).duration }));
      assert.match(player.src, /^blob:/, slot);
      assert.ok(Math.abs(player.duration - 10) < 0.05, `${slot} duration ${player.duration}`);
    }

    // What the server measures, to check the page draws exactly that.
    const measured: Record<string, Record<string, any>> = {
      target: await analyzeOnServer(server.baseUrl, readFixture(TARGET), 'target.wav'),
      reference: await analyzeOnServer(server.baseUrl, readFixture(REFERENCE), 'reference.wav'),
      result: await analyzeOnServer(server.baseUrl, wav, 'target_mastered.wav'),
    };
    const nonNull = (values: unknown[]) => values.filter((value) => value !== null).length;

    const spectrum = await page.$$eval('#spectrum-svg path[data-series]', (paths) => paths.map((p) => [p.getAttribute('data-series'), Number(p.getAttribute('data-points')), (p.getAttribute('d') ?? '').match(/[ML]/g)?.length ?? 0]));
    assert.equal(spectrum.map(([series]) => series), ['target', 'reference', 'result']);
    for (const [series, points, drawn] of spectrum) {
      const expected = nonNull(measured[series as string].spectrum.levels_db);
      assert.ok(expected >= 25, `${series}: ${expected} bands`);
      assert.is(points, expected, `${series} spectrum points`);
      assert.is(drawn, expected, `${series} spectrum path vertices`);
    }
    const loudness = await page.$$eval('#loudness-svg path[data-series]', (paths) => paths.map((p) => [p.getAttribute('data-series'), Number(p.getAttribute('data-points'))]));
    assert.equal(loudness, [
      ['target', nonNull(measured.target.short_term_loudness.lufs)],
      ['result', nonNull(measured.result.short_term_loudness.lufs)],
    ]);
    assert.is(loudness[0][1], 71);

    // Metrics table: numbers for every signal, equal to the server's (as displayed, to 0.1), and the result agrees with ffmpeg.
    for (const slot of ['target', 'reference', 'result']) {
      for (const metric of ['integrated_lufs', 'loudness_range_lu', 'true_peak_dbtp', 'crest_factor_db']) {
        const text = (await page.textContent(`#metrics td[data-slot="${slot}"][data-metric="${metric}"]`))!;
        const shown = displayedNumber(text);
        assert.ok(Number.isFinite(shown), `${slot} ${metric}: "${text}"`);
        assert.ok(Math.abs(shown - measured[slot][metric]) <= 0.051, `${slot} ${metric}: shown ${shown}, server ${measured[slot][metric]}`);
      }
    }
    const ffmpeg = ffmpegEbur128(downloadPath);
    const shownResultLufs = displayedNumber((await page.textContent('#metrics td[data-slot="result"][data-metric="integrated_lufs"]'))!);
    assert.ok(Math.abs(shownResultLufs - ffmpeg.integratedLufs) <= 0.15, `result ${shownResultLufs} LUFS, ffmpeg ${ffmpeg.integratedLufs}`);

    // Level matching: every player is brought to the quietest track's loudness.
    const lufs = Object.fromEntries(Object.entries(measured).map(([slot, m]) => [slot, m.integrated_lufs as number]));
    const quietest = Math.min(...Object.values(lufs));
    for (const slot of ['target', 'reference', 'result']) {
      const gainDb = Number(await page.getAttribute(`#player-${slot}`, 'data-gain-db'));
      assert.ok(Math.abs(gainDb - (quietest - lufs[slot])) < 0.011, `${slot} gain ${gainDb}`);
      const volume = await page.$eval(`#player-${slot}`, (audio) => (audio as HTMLAudioElement).volume);
      assert.ok(Math.abs(volume - Math.pow(10, gainDb / 20)) < 1e-3, `${slot} volume ${volume}`);
    }
    assert.ok(quietest - lufs.result < -6, 'the much louder result is turned down');

    // Accessibility on the finished page: every control is named, and all visible text has 4.5:1 contrast.
    const audit = (await page.evaluate(ACCESSIBILITY_AUDIT)) as { unnamed: string[]; lowContrast: string[]; checked: number };
    assert.equal(audit.unnamed, []);
    assert.equal(audit.lowContrast, []);
    assert.ok(audit.checked > 100, `${audit.checked} text elements checked`);

    await page.screenshot({ path: join(OUTPUT_DIR, 'page.png'), fullPage: true });
    assert.equal(problems, []);
    await close();
  });

  test('the A/B switch works from the keyboard: play, switch while playing, keep the position', async () => {
    const { page, problems, close } = await openPage(server.baseUrl);
    const short = (path: string) => ({ name: path.split('/').pop()!, mimeType: 'audio/wav', buffer: Buffer.from(fixtureHead(path, 5)) });
    await page.setInputFiles('#file-target', short(TARGET));
    await page.setInputFiles('#file-reference', short(REFERENCE));
    await page.click('#master-button');
    await waitForOutcome(page);
    assert.is(await page.getAttribute('#status', 'data-phase'), 'done');
    await page.waitForFunction(() => (document.getElementById('player-result') as HTMLAudioElement).readyState >= 1);

    await page.focus('#ab-play');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (document.getElementById('player-target') as HTMLAudioElement).currentTime > 0.3);
    assert.is(await page.getAttribute('#ab-play', 'aria-pressed'), 'true');
    // Arrow keys move through the radio group: target → result.
    await page.focus('input[name="ab-source"][value="target"]');
    await page.keyboard.press('ArrowRight');
    assert.is(await page.isChecked('input[name="ab-source"][value="result"]'), true);
    assert.is(await page.getAttribute('.player.active', 'data-slot'), 'result');
    await page.waitForFunction(() => !(document.getElementById('player-result') as HTMLAudioElement).paused);
    const handover = await page.evaluate(() => ({
      targetPaused: (document.getElementById('player-target') as HTMLAudioElement).paused,
      targetTime: (document.getElementById('player-target') as HTMLAudioElement).currentTime,
      resultTime: (document.getElementById('player-result') as HTMLAudioElement).currentTime,
    }));
    assert.ok(handover.targetPaused, 'only one player sounds');
    assert.ok(handover.resultTime >= handover.targetTime - 0.05, `position kept: target ${handover.targetTime}, result ${handover.resultTime}`);
    await page.focus('#ab-play');
    await page.keyboard.press('Space');
    await page.waitForFunction(() => (document.getElementById('player-result') as HTMLAudioElement).paused);
    // The button follows the player's pause event, which arrives a moment after pause() returns.
    await page.waitForFunction(() => document.getElementById('ab-play')!.getAttribute('aria-pressed') === 'false');
    assert.is(await page.textContent('#ab-play'), 'Play');
    // Without loudness matching every player plays at full volume.
    await page.focus('#level-match');
    await page.keyboard.press('Space');
    assert.equal(await page.$$eval('audio', (players) => players.map((a) => (a as HTMLAudioElement).volume)), [1, 1, 1]);
    assert.equal(problems, []);
    await close();
  });

  test('a malformed file shows the API’s error message and code beside the file, and Master stays disabled', async () => {
    const { page, problems, close } = await openPage(server.baseUrl);
    const malformed = 'malformed/adpcm_format2.wav';
    const form = new FormData();
    form.append('target', new Blob([readFixture(malformed) as Uint8Array<ArrayBuffer>]), 'adpcm_format2.wav');
    form.append('reference', new Blob([readFixture(REFERENCE) as Uint8Array<ArrayBuffer>]), 'reference.wav');
    const api = await fetch(`${server.baseUrl}/master`, { method: 'POST', body: form });
    const { detail } = await api.json();
    assert.is(api.status, 415);
    assert.is(detail.code, 'unsupported_codec');

    await page.setInputFiles('#file-target', fixturePath(malformed));
    await page.setInputFiles('#file-reference', fixturePath(REFERENCE));
    await page.waitForSelector('#file-target-info.error');
    const info = (await page.textContent('#file-target-info'))!;
    assert.ok(info.includes(detail.message), 'measured on choosing: the API message beside the file');
    assert.ok(info.includes('(unsupported_codec)'), info);
    // The reference measures fine, yet a file the server cannot read is never sent to be mastered.
    await page.waitForSelector('#file-reference-info:not(.error):has-text("LUFS")');
    assert.is(await page.isDisabled('#master-button'), true);
    assert.match((await page.textContent('#status-text'))!, /Target could not be read \(see beside the file\): choose another file/);
    assert.is(await page.isHidden('#result-panel'), true);
    // Choosing a readable target enables Master.
    await page.setInputFiles('#file-target', fixturePath(TARGET));
    await page.waitForSelector('#master-button:not([disabled])');
    assert.match((await page.textContent('#status-text'))!, /Ready: press Master/);
    await page.screenshot({ path: join(OUTPUT_DIR, 'page-error.png'), fullPage: true });
    assert.equal(problems, []);
    await close();
  });

  test('Master stays disabled while the files are measured, so the page never overloads a small server', async () => {
    // Analyses wait at a gate: with both files measuring, the server's two admission slots are taken.
    const analysed: AnalysisJob[] = [];
    let openGate = () => {};
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const masterer = createEchoRunner();
    const app = createApp({
      runner: masterer,
      storage: createMemoryStorage(),
      // Two admission slots: one running (the echo runner's concurrency) and one waiting.
      maxPending: 1,
      analysisRunner: { runAnalysis: async (job) => (analysed.push(job), await gate, runAnalysisJob(job)) },
    });
    const local = createServer(toNodeListener(app));
    await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(local.address() as { port: number }).port}`;
    try {
      const { page, problems, close } = await openPage(baseUrl);
      const short = (path: string) => ({ name: path.split('/').pop()!, mimeType: 'audio/wav', buffer: Buffer.from(fixtureHead(path, 4)) });
      await page.setInputFiles('#file-target', short(TARGET));
      await page.setInputFiles('#file-reference', short(REFERENCE));
      while (analysed.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.is(await page.isDisabled('#master-button'), true, 'no mastering while the measurements hold the slots');
      assert.match((await page.textContent('#status-text'))!, /Measuring the files/);
      openGate();
      await page.waitForSelector('#master-button:not([disabled])');
      await page.click('#master-button');
      await waitForOutcome(page);
      assert.is(await page.getAttribute('#status', 'data-phase'), 'done', (await page.textContent('#error')) ?? '');
      assert.is(masterer.jobs.length, 1);
      assert.equal(analysed.map((job) => job.file.filename), ['target.wav', 'reference.wav', 'target_mastered.wav']);
      assert.equal(problems, []);
      await close();
    } finally {
      local.closeAllConnections();
      await new Promise((resolve) => local.close(resolve));
    }
  });

  test('on a server with one worker and no queue the page waits out 503 Retry-After and ends with every measurement shown', async () => {
    const [command, args] = nodeServerCommand();
    const busy = await startServer(command, args, { AUDO_EQ_STORAGE_ENABLED: 'false', AUDO_EQ_WORKERS: '1', AUDO_EQ_MAX_PENDING: '0', AUDO_EQ_LOG_FORMAT: 'json' });
    const target = fixtureHead(TARGET, 4);
    const reference = fixtureHead(REFERENCE, 4);
    /** Another client's upload holding the server's only slot; resolves once /analyze is certainly refused. */
    const occupy = async () => {
      const held = holdUpload(busy.baseUrl, target, reference);
      for (;;) {
        const form = new FormData();
        form.append('file', new Blob([target as Uint8Array<ArrayBuffer>]), 'probe.wav');
        const probe = await fetch(`${busy.baseUrl}/analyze`, { method: 'POST', body: form, headers: { 'X-Correlation-Id': `probe-${crypto.randomUUID()}` } });
        await probe.arrayBuffer();
        if (probe.status === 503) return held;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    try {
      const { page, problems, close } = await openPage(busy.baseUrl);
      const file = (name: string, bytes: Uint8Array) => ({ name, mimeType: 'audio/wav', buffer: Buffer.from(bytes) });

      // The inputs are measured while another client holds the slot: 503, and the page waits as told.
      const first = await occupy();
      await page.setInputFiles('#file-target', file('target.wav', target));
      await page.setInputFiles('#file-reference', file('reference.wav', reference));
      await page.waitForSelector('#file-target-info:has-text("The server is busy; measuring again in 5 s")');
      assert.is(await page.isDisabled('#master-button'), true);
      first.release();
      assert.is((await first.response).status, 200);
      await page.waitForSelector('#master-button:not([disabled])', { timeout: MASTERING_TIMEOUT_MS });

      // The result's measurement meets a busy server too: the page's request waits until another upload holds the slot.
      let second: Awaited<ReturnType<typeof occupy>> | undefined;
      await page.route('**/analyze', async (route) => {
        if (!second) second = await occupy();
        await route.continue();
      });
      await page.click('#master-button');
      await page.waitForSelector('#player-result-name:has-text("The server is busy")', { timeout: MASTERING_TIMEOUT_MS });
      second!.release();
      assert.is((await second!.response).status, 200);
      await waitForOutcome(page);
      assert.is(await page.getAttribute('#status', 'data-phase'), 'done', (await page.textContent('#error')) ?? '');
      assert.is(await page.isHidden('#error'), true);
      for (const slot of ['target', 'reference', 'result']) {
        const shown = displayedNumber((await page.textContent(`#metrics td[data-slot="${slot}"][data-metric="integrated_lufs"]`))!);
        assert.ok(Number.isFinite(shown), `${slot} loudness shown`);
      }
      const refused = jsonLogRecords(busy.output()).filter(
        (r) => r.message === 'http_request' && r.path === '/analyze' && r.status === 503 && !String(r.correlation_id).startsWith('probe-'),
      );
      assert.ok(refused.length >= 3, `the page's own measurements were refused (2 inputs, then the result) and retried: ${refused.length}`);
      await page.screenshot({ path: join(OUTPUT_DIR, 'page-busy-server.png'), fullPage: true });
      assert.equal(problems, []);
      await close();
    } finally {
      await busy.stop();
    }
  });

  test('with API keys configured the page says a key is needed, then masters once one is pasted', async () => {
    const [command, args] = nodeServerCommand();
    const keyed = await startServer(command, args, { AUDO_EQ_STORAGE_ENABLED: 'false', AUDO_EQ_API_KEYS: API_KEY });
    try {
      const { page, problems, close } = await openPage(keyed.baseUrl);
      assert.match((await page.textContent('#api-key-hint'))!, /requires an API key/);
      const short = (path: string) => ({ name: path.split('/').pop()!, mimeType: 'audio/wav', buffer: Buffer.from(fixtureHead(path, 4)) });
      await page.setInputFiles('#file-target', short(TARGET));
      await page.setInputFiles('#file-reference', short(REFERENCE));
      await page.waitForSelector('#file-reference-info.error');
      assert.match((await page.textContent('#file-reference-info'))!, /\(unauthorized\)/);
      assert.is(await page.isDisabled('#master-button'), true, 'files the server refused to read keep Master disabled');
      assert.match((await page.textContent('#status-text'))!, /or enter the API key/);

      // Typing the key measures both files again, which enables Master.
      await page.fill('#api-key', API_KEY);
      await page.waitForSelector('#master-button:not([disabled])');
      await page.click('#master-button');
      await waitForOutcome(page);
      assert.is(await page.getAttribute('#status', 'data-phase'), 'done', (await page.textContent('#error')) ?? '');
      assert.is(await page.isHidden('#error'), true);
      assert.is(await page.getAttribute('#persistence [data-status]', 'data-status'), 'skipped');
      const target = await analyzeOnServer(keyed.baseUrl, fixtureHead(TARGET, 4), 'target.wav', { 'X-Api-Key': API_KEY });
      const shown = displayedNumber((await page.textContent('#metrics td[data-slot="target"][data-metric="integrated_lufs"]'))!);
      assert.ok(Math.abs(shown - target.integrated_lufs) <= 0.051, 'inputs are measured again once the key is there');
      assert.equal(await page.$$eval('#spectrum-svg path[data-series]', (paths) => paths.map((p) => p.getAttribute('data-series'))), ['target', 'reference', 'result']);
      // The key was only ever sent as a header; it never reached a URL or the page's storage.
      assert.is(await page.evaluate(() => window.localStorage.length + window.sessionStorage.length), 0);
      assert.not.match(keyed.output(), new RegExp(API_KEY));
      assert.equal(problems, []);
      await close();
    } finally {
      await keyed.stop();
    }
  });
}

test.run();
