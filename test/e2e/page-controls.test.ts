// The page's matching controls in real headless Chromium against the real
// Node server process: the strength slider (moved by keyboard), the match
// switches, the loudness preset, the ceiling and the sample rate reach the
// /master request and come back in the diagnostics the page shows; "Add a
// reference" sends a second reference; Preview renders the loudest 30 s of a
// 40 s target; references can be added up to five and removed, and an added
// file the server cannot read keeps Master disabled.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page, type Request as BrowserRequest } from 'playwright-core';
import { fixturePath } from '../support/fixtures.ts';
import { hasFfmpeg } from '../support/ffmpeg.ts';
import { readWavInfo } from '../support/http-client.ts';
import { nodeServerCommand, startServer, type RunningServer } from '../support/processes.ts';
import { requireTool } from '../support/tools.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const MASTERING_TIMEOUT_MS = 180_000;
const TARGET = fixturePath('indie_pop/target.wav');
const REFERENCE = fixturePath('indie_pop/reference.wav');
const SECOND_REFERENCE = fixturePath('synthwave_48k_24bit/reference.wav');

/** Controls (outside hidden parts) without an accessible name. */
const UNNAMED_CONTROLS = `(() => Array.from(document.querySelectorAll('input, select, button, output')).filter((el) => {
  if (el.closest('[hidden]')) return false;
  const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el.textContent || '').trim() || el.closest('fieldset legend, label');
  return !named;
}).map((el) => el.outerHTML.slice(0, 80)))()`;

if (requireTool('chromium', existsSync(CHROMIUM), 'page controls in Chromium') && requireTool('ffmpeg', hasFfmpeg(), 'page controls in Chromium')) {
  const dataDir = mkdtempSync(join(tmpdir(), 'audo-eq-page-controls-'));
  const longTarget = join(dataDir, 'long_target.wav');
  let server: RunningServer;
  let browser: Browser;

  test.before(async () => {
    // A 40 s target (the 10 s fixture four times), so a preview is shorter than the track.
    const cut = spawnSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '3', '-i', TARGET, '-c:a', 'pcm_s16le', longTarget]);
    if (cut.status !== 0) throw new Error(`ffmpeg: ${cut.stderr}`);
    const [command, args] = nodeServerCommand();
    [server, browser] = await Promise.all([
      startServer(command, args, { AUDO_EQ_STORAGE_BACKEND: 'filesystem', AUDO_EQ_DATA_DIR: dataDir }),
      chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
    ]);
  });
  test.after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function openPage() {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(server.baseUrl) || url.startsWith('blob:') || url.startsWith('data:')) return route.continue();
      problems.push(`offsite request: ${url}`);
      return route.abort();
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(`${server.baseUrl}/`);
    await page.waitForSelector('body[data-ready="true"]');
    return { page, problems, close: () => context.close() };
  }

  const waitForOutcome = (page: Page) => page.waitForSelector('#status[data-phase="done"], #status[data-phase="failed"]', { timeout: MASTERING_TIMEOUT_MS });

  async function expectDone(page: Page): Promise<void> {
    await waitForOutcome(page);
    assert.is(await page.getAttribute('#status', 'data-phase'), 'done', `status: ${await page.textContent('#status-text')}; error: ${await page.textContent('#error')}`);
  }

  const diagnosticsOf = async (page: Page) => JSON.parse((await page.textContent('#diagnostics')) ?? '{}');
  const referenceParts = (request: BrowserRequest) => (request.postDataBuffer()?.toString('latin1').match(/name="reference"/g) ?? []).length;

  test('slider, switches, preset, ceiling, sample rate and an added reference reach /master and come back in the diagnostics', async () => {
    const { page, problems, close } = await openPage();
    await page.setInputFiles('#file-target', TARGET);
    await page.setInputFiles('#file-reference', REFERENCE);
    await page.click('#add-reference');
    await page.setInputFiles('#file-reference-1', SECOND_REFERENCE);
    assert.is((await page.textContent('.drop[data-slot="reference-1"] .title'))?.trim(), 'Reference 2');
    await page.selectOption('#opt-eq_mode', 'reference-match');
    // The slider as a keyboard user moves it: Home (0), then 40 steps right.
    await page.focus('#opt-strength');
    await page.keyboard.press('Home');
    for (let i = 0; i < 40; i++) await page.keyboard.press('ArrowRight');
    assert.is(await page.textContent('#opt-strength-value'), '40');
    await page.uncheck('input[name="match"][value="dynamics"]');
    await page.uncheck('input[name="match"][value="width"]');
    await page.selectOption('#opt-loudness_preset', 'podcast');
    await page.fill('#opt-ceiling_dbtp', '-2');
    await page.selectOption('#opt-sample_rate', '48000');
    assert.equal(await page.evaluate(UNNAMED_CONTROLS), []);

    await page.waitForSelector('#master-button:not([disabled])', { timeout: MASTERING_TIMEOUT_MS });
    const [request] = await Promise.all([page.waitForRequest((r) => new URL(r.url()).pathname === '/master'), page.click('#master-button')]);
    await expectDone(page);
    const query = new URL(request.url()).searchParams;
    assert.equal(Object.fromEntries(query), {
      eq_mode: 'reference-match',
      eq_preset: 'neutral',
      de_esser_mode: 'off',
      loudness_preset: 'podcast',
      ceiling_dbtp: '-2',
      strength: '40',
      sample_rate: '48000',
      match: 'loudness,tone',
      bit_depth: '24',
    });
    assert.is(referenceParts(request), 2, 'both references are sent');

    const diagnostics = await diagnosticsOf(page);
    assert.is(diagnostics.strength, 40);
    assert.equal(diagnostics.match, ['loudness', 'tone']);
    assert.is(diagnostics.references, 2);
    assert.is(diagnostics.loudness_goal_lufs, -16);
    assert.is(diagnostics.loudness_goal_source, 'loudness_preset');
    assert.is(diagnostics.limiter.true_peak_ceiling_dbtp, -2);
    assert.is(diagnostics.output_sample_rate_hz, 48000);
    assert.is(diagnostics.preview, null);
    const summary = (await page.textContent('#matching-summary')) ?? '';
    for (const part of ['strength 40 %', 'matched: loudness, tone', '2 references', 'loudness goal \u221216.0 LUFS (loudness preset)', 'ceiling \u22122.0 dBTP', '48 kHz']) {
      assert.ok(summary.includes(part), `summary "${summary}" says ${part}`);
    }
    assert.is(await page.textContent('#rendered-what'), 'the whole track');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    assert.is(download.suggestedFilename(), 'target_mastered.wav');
    const path = join(dataDir, 'controls.wav');
    await download.saveAs(path);
    assert.is(readWavInfo(new Uint8Array(readFileSync(path))).sampleRateHz, 48000);

    // All switches off sends match=none; the slider back at 100 is left out (the default).
    await page.focus('#opt-strength');
    await page.keyboard.press('End');
    for (const dimension of ['loudness', 'tone']) await page.uncheck(`input[name="match"][value="${dimension}"]`);
    await page.waitForSelector('#master-button:not([disabled])', { timeout: MASTERING_TIMEOUT_MS });
    const [second] = await Promise.all([page.waitForRequest((r) => new URL(r.url()).pathname === '/master'), page.click('#master-button')]);
    await expectDone(page);
    const secondQuery = new URL(second.url()).searchParams;
    assert.is(secondQuery.get('match'), 'none');
    assert.is(secondQuery.get('strength'), null);
    const secondDiagnostics = await diagnosticsOf(page);
    assert.equal(secondDiagnostics.match, []);
    assert.is(secondDiagnostics.strength, 100);
    assert.ok(((await page.textContent('#matching-summary')) ?? '').includes('nothing matched'));
    assert.equal(problems, []);
    await close();
  });

  test('Preview renders the loudest 30 s of a 40 s target, says so, and downloads as a preview', async () => {
    const { page, problems, close } = await openPage();
    await page.setInputFiles('#file-target', longTarget);
    await page.setInputFiles('#file-reference', REFERENCE);
    await page.selectOption('#opt-eq_mode', 'reference-match');
    await page.waitForSelector('#preview-button:not([disabled])', { timeout: MASTERING_TIMEOUT_MS });
    const [request] = await Promise.all([page.waitForRequest((r) => new URL(r.url()).pathname === '/master'), page.click('#preview-button')]);
    await expectDone(page);
    assert.is(new URL(request.url()).searchParams.get('preview'), 'true');
    assert.match((await page.textContent('#status-text')) ?? '', /^Preview done in /);
    const diagnostics = await diagnosticsOf(page);
    assert.ok(diagnostics.preview && Math.abs(diagnostics.preview.duration_s - 30) < 0.05, JSON.stringify(diagnostics.preview));
    assert.is(await page.getAttribute('#rendered-what', 'data-preview'), 'true');
    assert.match((await page.textContent('#rendered-what')) ?? '', /^a preview: the loudest 30\.0 s from /);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    assert.is(download.suggestedFilename(), 'long_target_preview.wav');
    const path = join(dataDir, 'preview.wav');
    await download.saveAs(path);
    const info = readWavInfo(new Uint8Array(readFileSync(path)));
    assert.ok(Math.abs(info.frames / info.sampleRateHz - 30) < 0.05, `preview is ${info.frames / info.sampleRateHz} s`);
    // The player holds the preview too.
    await page.waitForFunction(() => (document.getElementById('player-result') as HTMLAudioElement).readyState >= 1);
    const duration = await page.$eval('#player-result', (audio) => (audio as HTMLAudioElement).duration);
    assert.ok(Math.abs(duration - 30) < 0.05, `player duration ${duration}`);
    assert.equal(problems, []);
    await close();
  });

  test('references can be added up to five and removed (renumbered); an added file the server cannot read keeps Master disabled', async () => {
    const { page, problems, close } = await openPage();
    await page.setInputFiles('#file-target', TARGET);
    await page.setInputFiles('#file-reference', REFERENCE);
    for (let i = 0; i < 4; i++) await page.click('#add-reference');
    assert.is(await page.locator('#extra-references .drop').count(), 4);
    assert.is(await page.isDisabled('#add-reference'), true, 'five references in all: no more can be added');
    await page.click('.drop[data-slot="reference-2"] .remove');
    assert.is(await page.isDisabled('#add-reference'), false);
    const titles = await page.$$eval('#extra-references .drop .title', (spans) => spans.map((span) => span.textContent));
    assert.equal(titles, ['Reference 2', 'Reference 3', 'Reference 4']);
    // Empty added zones do not hold Master back; a file the server refuses does.
    await page.waitForSelector('#master-button:not([disabled])', { timeout: MASTERING_TIMEOUT_MS });
    await page.setInputFiles('#file-reference-3', fixturePath('malformed/truncated.wav'));
    await page.waitForSelector('#file-reference-3-info.error', { timeout: MASTERING_TIMEOUT_MS });
    assert.match((await page.textContent('#file-reference-3-info')) ?? '', /^Reference 3 could not be measured: .*\(corrupted_file\)$/);
    assert.is(await page.isDisabled('#master-button'), true);
    assert.is(await page.isDisabled('#preview-button'), true);
    assert.match((await page.textContent('#status-text')) ?? '', /Reference 3 could not be read/);
    await page.click('.drop[data-slot="reference-3"] .remove');
    await page.waitForSelector('#master-button:not([disabled])');
    assert.equal(await page.evaluate(UNNAMED_CONTROLS), []);
    assert.equal(problems, []);
    await close();
  });
}

test.run();
