import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../support/processes.ts';

const coreDir = join(repoRoot, 'core');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : /\.(ts|js|mjs)$/.test(name) ? [path] : [];
  });
}

/** Strips comments and string contents so that prose about `process` does not count. */
function codeOnly(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1')
    .replace(/`(?:\\[\s\S]|[^`\\])*`/g, '``')
    .replace(/'(?:\\.|[^'\\\n])*'/g, (m) => (/^'(node:|fs|path|os|child_process)/.test(m) ? m : "''"))
    .replace(/"(?:\\.|[^"\\\n])*"/g, (m) => (/^"(node:|fs|path|os|child_process)/.test(m) ? m : '""'));
}

const forbidden: Array<[RegExp, string]> = [
  [/\bfrom\s+['"]node:/, 'imports a node: module'],
  [/\bimport\s*\(\s*['"]node:/, 'dynamically imports a node: module'],
  [/\bfrom\s+['"](fs|path|os|child_process|fs\/promises|worker_threads|http|net)['"]/, 'imports a Node built-in'],
  [/\brequire\s*\(/, 'uses require()'],
  [/\bprocess\s*[.[]/, 'uses process'],
  [/\bDeno\s*\./, 'uses Deno'],
  [/\bBun\s*\./, 'uses Bun'],
  [/\bBuffer\b/, 'uses Buffer'],
  [/\b(readFile|writeFile|readFileSync|writeFileSync|createReadStream|createWriteStream|mkdir|readdir)\s*\(/, 'touches the filesystem'],
];

test('core/ holds source files to check', () => {
  assert.ok(walk(coreDir).length > 3);
});

test('no file in core/ imports node:*, uses process, Deno, Bun, Buffer or the filesystem', () => {
  const offences: string[] = [];
  for (const file of walk(coreDir)) {
    const code = codeOnly(readFileSync(file, 'utf8'));
    for (const [pattern, what] of forbidden) {
      if (pattern.test(code)) offences.push(`${relative(repoRoot, file)} ${what}`);
    }
  }
  assert.equal(offences, []);
});

test('the purity check itself catches each forbidden use', () => {
  const samples = [
    "import { readFileSync } from 'node:fs';",
    "const x = await import('node:path');",
    'const env = process.env.X;',
    'Deno.exit(1);',
    'Bun.serve({});',
    'const b = Buffer.from([]);',
    'readFileSync("x")',
    "const fs = require('fs');",
  ];
  for (const sample of samples) {
    const code = codeOnly(sample);
    assert.ok(forbidden.some(([p]) => p.test(code)), `not caught: ${sample}`);
  }
  assert.not.ok(forbidden.some(([p]) => p.test(codeOnly('// process.env is not read here\nconst s = "Deno.exit";'))));
});

test.run();
