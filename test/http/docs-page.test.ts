import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import { createApp } from '../../core/http/app.ts';
import { toNodeListener } from '../../runtimes/node/fetch-adapter.ts';
import { createEchoRunner, createMemoryStorage, tinyWav } from '../support/doubles.ts';
import { requireTool } from '../support/tools.ts';

const CHROMIUM = '/usr/bin/chromium';

if (requireTool('chromium', existsSync(CHROMIUM), '/docs page in a browser')) {
  let server: Server;
  let baseUrl = '';
  let browser: Browser;
  const offsite: string[] = [];

  test.before(async () => {
    server = createServer(toNodeListener(createApp({ runner: createEchoRunner(), storage: createMemoryStorage() })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  test.after(async () => {
    await browser?.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function openDocs() {
    const page = await browser.newPage();
    // Anything not served by the app is recorded and refused: the page must work offline.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(baseUrl) || url.startsWith('blob:') || url.startsWith('data:')) return route.continue();
      offsite.push(url);
      return route.abort();
    });
    await page.goto(`${baseUrl}/docs`);
    await page.waitForSelector('body[data-rendered="true"]', { timeout: 10_000 });
    return page;
  }

  test('/docs renders every route, parameter, header and error code from /openapi.json without leaving the server', async () => {
    const page = await openDocs();
    const doc = await (await fetch(`${baseUrl}/openapi.json`)).json();
    const text = await page.locator('main').innerText();
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const method of Object.keys(methods)) {
        assert.is(await page.locator(`section[data-path="${path}"][data-method="${method.toUpperCase()}"]`).count(), 1, `${method} ${path}`);
      }
    }
    for (const name of ['eq_mode', 'eq_preset', 'de_esser_mode', 'profile', 'target_lufs', 'bit_depth', 'X-Mastering-Diagnostics', 'X-Mastered-Object-Url', 'X-Artifact-Persistence-Status']) {
      assert.ok(text.includes(name), name);
    }
    for (const code of ['invalid_query_parameter', 'missing_file', 'request_too_large', 'unsupported_codec', 'storage_unavailable', 'overloaded', 'not_ready', 'internal_error', 'unauthorized']) {
      assert.ok(text.includes(code), code);
    }
    assert.equal(offsite, []);
    await page.close();
  });

  test('the try-it form sends a real request and shows the answer', async () => {
    const page = await openDocs();
    const health = page.locator('form[data-operation="getHealth"]');
    await health.locator('button').click();
    await page.waitForFunction(() => /HTTP 200/.test(document.querySelector('form[data-operation="getHealth"] pre')?.textContent ?? ''));
    assert.match(await health.locator('pre').innerText(), /"status":"ok"/);

    const master = page.locator('form[data-operation="postMaster"]');
    await master.locator('select[name="bit_depth"]').selectOption('16');
    await master.locator('input[name="target"]').setInputFiles({ name: 'target.wav', mimeType: 'audio/wav', buffer: Buffer.from(tinyWav()) });
    await master.locator('input[name="reference"]').setInputFiles({ name: 'reference.wav', mimeType: 'audio/wav', buffer: Buffer.from(tinyWav()) });
    await master.locator('button').click();
    await page.waitForFunction(() => /bytes of audio/.test(document.querySelector('form[data-operation="postMaster"] pre')?.textContent ?? ''), undefined, { timeout: 10_000 });
    const shown = await master.locator('pre').innerText();
    assert.match(shown, /HTTP 200/);
    assert.match(shown, /x-artifact-persistence-status: stored/);
    assert.equal(offsite, []);
    await page.close();
  });
}

test.run();
