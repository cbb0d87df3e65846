// The page's warning notice in real headless Chromium against the Node server
// process: a clipped target mastered against a band-limited reference shows
// "Mastered with 2 warnings" with each code and message above the result; a
// clean pair shows no notice.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { nodeServerCommand, startServer, type RunningServer } from '../support/processes.ts';
import { requireTool } from '../support/tools.ts';
import { buildWarningMaterial } from '../support/warning-material.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const MASTERING_TIMEOUT_MS = 180_000;

if (requireTool('chromium', existsSync(CHROMIUM), 'page warnings in Chromium')) {
  const dir = mkdtempSync(join(tmpdir(), 'audo-eq-page-warnings-'));
  let server: RunningServer;
  let browser: Browser;

  test.before(async () => {
    const material = await buildWarningMaterial();
    writeFileSync(join(dir, 'clipped.wav'), material.clippedTarget);
    writeFileSync(join(dir, 'band-limited.wav'), material.bandLimitedReference);
    writeFileSync(join(dir, 'clean.wav'), material.cleanTarget);
    writeFileSync(join(dir, 'reference.wav'), material.cleanReference);
    const [command, args] = nodeServerCommand();
    [server, browser] = await Promise.all([
      startServer(command, args, { AUDO_EQ_STORAGE_ENABLED: 'false' }),
      chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
    ]);
  });
  test.after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function masterOnPage(target: string, reference: string) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${server.baseUrl}/`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.setInputFiles('#file-target', join(dir, target));
    await page.setInputFiles('#file-reference', join(dir, reference));
    await page.waitForSelector('#master-button:not([disabled])', { timeout: MASTERING_TIMEOUT_MS });
    await page.click('#master-button');
    await page.waitForSelector('#status[data-phase="done"], #status[data-phase="failed"]', { timeout: MASTERING_TIMEOUT_MS });
    assert.is(await page.getAttribute('#status', 'data-phase'), 'done', (await page.textContent('#error')) ?? '');
    assert.equal(problems, []);
    return { page, close: () => context.close() };
  }

  test('a master with warnings shows a visible notice listing each code and message', async () => {
    const { page, close } = await masterOnPage('clipped.wav', 'band-limited.wav');
    try {
      assert.ok(await page.isVisible('#warnings'), 'the notice is shown');
      assert.is((await page.textContent('#warnings strong'))?.trim(), 'Mastered with 2 warnings:');
      const items = await page.$$eval('#warnings li', (nodes) => nodes.map((node) => [node.getAttribute('data-code') ?? '', node.textContent ?? '']));
      assert.equal(items.map(([code]) => code), ['target_clipped', 'reference_band_limited']);
      assert.match(items[0][1], /clipped/);
      assert.match(items[1][1], /Hz/);
    } finally {
      await close();
    }
  });

  test('a clean master shows no notice', async () => {
    const { page, close } = await masterOnPage('clean.wav', 'reference.wav');
    try {
      assert.not.ok(await page.isVisible('#warnings'));
      assert.is(await page.$$eval('#warnings li', (nodes) => nodes.length), 0);
    } finally {
      await close();
    }
  });

  test.run();
}
