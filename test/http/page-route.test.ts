// GET / without a browser: a self-contained page whose controls come from the
// API's own tables, a script that parses, and nothing loaded from elsewhere.
// (test/e2e/page.test.ts drives the page in Chromium.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createApp } from '../../core/http/app.ts';
import { ERROR_TABLE } from '../../core/domain/errors.ts';
import { MASTER_QUERY_PARAMETERS } from '../../core/http/query.ts';
import { CEILING_DBTP_RANGE, MATCH_DIMENSIONS, PROFILE_ALIASES, STRENGTH_RANGE, TARGET_LUFS_RANGE } from '../../core/mastering/options.ts';
import { createEchoRunner } from '../support/doubles.ts';

const app = createApp({ runner: createEchoRunner(), limits: { maxFileBytes: 5_000_000 } });
const getPage = async (target = app) => {
  const response = await target(new Request('http://local/'));
  return { response, html: await response.text() };
};

/** The inline script elements' bodies, and the JSON settings block. */
function scripts(html: string): { code: string[]; config: Record<string, any> } {
  const code = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1]);
  const json = /<script type="application\/json" id="page-config">([\s\S]*?)<\/script>/.exec(html)![1];
  return { code, config: JSON.parse(json) };
}

test('GET / answers an HTML page that allows nothing from other origins', async () => {
  const { response, html } = await getPage();
  assert.is(response.status, 200);
  assert.is(response.headers.get('content-type'), 'text/html; charset=utf-8');
  const policy = response.headers.get('content-security-policy') ?? '';
  assert.match(policy, /default-src 'self'/);
  assert.match(policy, /media-src 'self' blob:/);
  assert.not.match(policy, /https?:|\*/);
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /<html lang="en">/);
  // No absolute or protocol-relative URL in any src, href or url(): the page works offline.
  assert.not.match(html, /(src|href|action)\s*=\s*["'](https?:)?\/\//i);
  assert.not.match(html, /url\(\s*["']?(https?:)?\/\//i);
  assert.not.match(html, /@import/);
});

test('the client script is valid JavaScript', async () => {
  const { code } = scripts((await getPage()).html);
  assert.is(code.length, 1);
  assert.ok(code[0].length > 5000);
  // Throws a SyntaxError if the string modules were joined into something that does not parse.
  new Function(code[0]);
});

test('script and stylesheet are ASCII, so every runtime’s transpiler leaves them byte for byte', async () => {
  const { PAGE_SCRIPT } = await import('../../core/http/page/client/index.ts');
  const { PAGE_CSS } = await import('../../core/http/page/styles.ts');
  assert.not.match(PAGE_SCRIPT, /[^\x00-\x7f]/);
  assert.not.match(PAGE_CSS, /[^\x00-\x7f]/);
});

test('every /master option is a labelled control offering exactly the allowed values, defaults preselected', async () => {
  const { html } = await getPage();
  for (const [name, spec] of Object.entries(MASTER_QUERY_PARAMETERS)) {
    if (name === 'preview') {
      assert.match(html, /<button id="preview-button" type="button"[^>]*>Preview 30 s<\/button>/, 'preview is a button');
      continue;
    }
    if (name === 'match') {
      assert.match(html, /<fieldset id="opt-match" class="switches" aria-describedby="opt-match-hint"><legend>Match<\/legend>/);
      const boxes = [...html.matchAll(/<input type="checkbox" name="match" value="([a-z]+)" checked>/g)].map((match) => match[1]);
      assert.equal(boxes, [...MATCH_DIMENSIONS], 'one switch per dimension, all on');
      continue;
    }
    assert.match(html, new RegExp(`<label for="opt-${name}">`), `${name} label`);
    assert.match(html, new RegExp(`id="opt-${name}" name="${name}"`), `${name} control`);
    if (name === 'strength') {
      assert.match(html, new RegExp(`id="opt-strength" name="strength" type="range" min="${STRENGTH_RANGE.min}" max="${STRENGTH_RANGE.max}" step="1" value="100"`));
      assert.match(html, /<output id="opt-strength-value" for="opt-strength">100<\/output>/);
      continue;
    }
    const numeric = ({ target_lufs: TARGET_LUFS_RANGE, ceiling_dbtp: CEILING_DBTP_RANGE } as Record<string, { min: number; max: number }>)[name];
    if (numeric) {
      assert.match(html, new RegExp(`id="opt-${name}" name="${name}" type="number" inputmode="decimal" min="${numeric.min}" max="${numeric.max}"`));
      continue;
    }
    const select = new RegExp(`<select id="opt-${name}"[^>]*>([\\s\\S]*?)</select>`).exec(html)![1];
    const values = [...select.matchAll(/<option value="([^"]*)"/g)].map((match) => match[1]).filter((value) => value !== '');
    const allowed = name === 'profile' ? Object.keys(PROFILE_ALIASES) : [...spec.allowed];
    assert.equal(values.sort(), allowed.sort(), name);
    if (spec.default !== null) assert.match(select, new RegExp(`<option value="${spec.default}" selected>`), `${name} default`);
  }
});

test('file inputs, the API key and the A/B switch are labelled; status and errors are live regions', async () => {
  const { html } = await getPage();
  for (const slot of ['target', 'reference']) {
    assert.match(html, new RegExp(`<label for="file-${slot}">`));
    assert.match(html, new RegExp(`<input id="file-${slot}" name="${slot}" type="file"`));
  }
  assert.match(html, /<label for="api-key">API key<\/label>/);
  assert.match(html, /<input id="api-key" type="password" autocomplete="off"/);
  assert.match(html, /<fieldset class="ab" id="ab" aria-describedby="ab-hint">\s*<legend>A\/B switch<\/legend>/);
  assert.match(html, /id="status" role="status" aria-live="polite"/);
  assert.match(html, /id="error" class="alert" role="alert"/);
  for (const slot of ['target', 'reference', 'result']) assert.match(html, new RegExp(`<audio id="player-${slot}" controls[^>]*aria-labelledby="player-${slot}-title"`));
});

test('the page carries a hint and the API message for every error code, and the server’s file limit', async () => {
  const { config } = scripts((await getPage()).html);
  assert.equal(Object.keys(config.errorHints).sort(), Object.keys(ERROR_TABLE).sort());
  for (const [code, { message }] of Object.entries(ERROR_TABLE)) {
    assert.is(config.errorMessages[code], message);
    assert.ok(config.errorHints[code].length > 10, code);
  }
  assert.is(config.maxFileBytes, 5_000_000);
  assert.is(config.apiKeyRequired, false);
});

test('with API keys configured the page stays open, says a key is needed, and never contains a key', async () => {
  const keyed = createApp({ runner: createEchoRunner(), apiKeys: ['page-secret-key-42'] });
  const { response, html } = await getPage(keyed);
  assert.is(response.status, 200);
  assert.is(scripts(html).config.apiKeyRequired, true);
  assert.match(html, /This server requires an API key\./);
  assert.not.match(html, /page-secret-key-42/);
  assert.is((await keyed(new Request('http://local/analyze', { method: 'POST' }))).status, 401);
});

test('HEAD / answers the headers without a body, and POST / is 405', async () => {
  const head = await app(new Request('http://local/', { method: 'HEAD' }));
  assert.is(head.status, 200);
  assert.is(await head.text(), '');
  const post = await app(new Request('http://local/', { method: 'POST' }));
  assert.is(post.status, 405);
  assert.is(post.headers.get('allow'), 'GET, HEAD');
});

test.run();
