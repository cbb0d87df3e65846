// Every variable is documented where operators look: the compose files use
// only variables `.env.example` lists, and every AUDO_EQ_* variable the code
// reads (found by scanning the sources, so new ones are caught) is in
// `.env.example`, in the README's Configuration table and passed to the API
// container by compose.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadConfig } from '../../core/app/config.ts';
import { COMPOSE_COMMANDS, composeCommand } from '../../runtimes/node/preflight/run.ts';
import { DEV_FILES, PROD_FILES, exampleEnv, loadStack } from '../support/deploy.ts';
import { repoRoot } from '../support/processes.ts';

const SOURCE_ROOTS = ['core', 'adapters', 'runtimes', 'bin', 'mod.ts'];
const VARIABLE = /\bAUDO_EQ_[A-Z0-9_]*[A-Z0-9]\b/g;

function sourceFiles(path: string): string[] {
  const full = join(repoRoot, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return /\.(ts|mts|mjs|js)$/.test(path) ? [path] : [];
  return readdirSync(full).flatMap((name) => sourceFiles(join(path, name)));
}

/** AUDO_EQ_* names in the product's sources (tests and benches excluded), with where each appears. */
function variablesReadByCode(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of SOURCE_ROOTS.flatMap(sourceFiles)) {
    for (const name of readFileSync(join(repoRoot, file), 'utf8').match(VARIABLE) ?? []) {
      if (!found.has(name)) found.set(name, relative(repoRoot, join(repoRoot, file)));
    }
  }
  return found;
}

function readmeSection(title: string): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `README.md has a "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** Variable names in the first column of the README's Configuration table. */
function readmeTableVariables(): Set<string> {
  const names = new Set<string>();
  for (const line of readmeSection('Configuration').split('\n')) {
    const cell = /^\|\s*`([A-Z0-9_]+)`\s*\|/.exec(line);
    if (cell) names.add(cell[1]);
  }
  return names;
}

test('the source scan finds AUDO_EQ_* names in product sources and skips tests', () => {
  const found = variablesReadByCode();
  // The preflight reads the S3 keys by name; test/support's AUDO_EQ_FIXTURES_DIR is not product configuration.
  assert.ok(found.has('AUDO_EQ_S3_SECRET_KEY'));
  assert.not.ok(found.has('AUDO_EQ_FIXTURES_DIR'));
  assert.equal([...'x AUDO_EQ_X_Y=1 AUDO_EQ_'.matchAll(VARIABLE)].map((m) => m[0]), ['AUDO_EQ_X_Y']);
});

test('every variable the compose files reference is listed in .env.example', () => {
  const listed = new Set(Object.keys(exampleEnv()));
  const referenced = new Set<string>();
  for (const files of [DEV_FILES, PROD_FILES]) {
    for (const name of loadStack(files, {}, ['redis']).referencedVariables) referenced.add(name);
  }
  assert.ok(referenced.size > 10, 'the compose files are parameterised');
  assert.equal([...referenced].filter((name) => !listed.has(name)), [], 'referenced but not in .env.example');
  // And the reverse: .env.example documents nothing the stack ignores.
  assert.equal([...listed].filter((name) => !referenced.has(name)), [], 'in .env.example but unused by compose');
});

test('every AUDO_EQ_* variable the code reads is in .env.example, the README table and the API container', () => {
  const listed = new Set(Object.keys(exampleEnv()));
  const documented = readmeTableVariables();
  const apiEnvironment = loadStack(PROD_FILES).services['audo-eq-api'].environment!;
  const missing: string[] = [];
  for (const [name, file] of variablesReadByCode()) {
    if (!listed.has(name)) missing.push(`${name} (read in ${file}) is not in .env.example`);
    if (!documented.has(name)) missing.push(`${name} (read in ${file}) is not in README.md's Configuration table`);
    if (!(name in apiEnvironment)) missing.push(`${name} (read in ${file}) is not passed to audo-eq-api in compose.yaml: add ${name}: \${${name}:-}`);
  }
  assert.equal(missing, []);
});

test('the README Configuration table covers every variable of .env.example and SPEC section 8', () => {
  const documented = readmeTableVariables();
  const spec = ['API_HOST', 'API_PORT', 'MINIO_API_PORT', 'MINIO_CONSOLE_PORT', 'AUDO_EQ_S3_PUBLIC_ENDPOINT', 'AUDO_EQ_API_KEYS'];
  for (const name of [...Object.keys(exampleEnv()), ...spec]) assert.ok(documented.has(name), `${name} is in the table`);
  const header = readmeSection('Configuration').split('\n').find((line) => line.startsWith('| Variable'));
  assert.match(header ?? '', /Default.*Meaning/);
});

test('the README Default column states the defaults the configuration schema applies', () => {
  const defaults = loadConfig({}) as Record<string, unknown>;
  let compared = 0;
  for (const line of readmeSection('Configuration').split('\n')) {
    // | `NAME` | `default` ... | — only cells that start with a literal value are claims to check.
    const row = /^\|\s*`([A-Z0-9_]+)`\s*\|\s*`([^`]*)`/.exec(line);
    if (!row || !(row[1] in defaults)) continue;
    const value = defaults[row[1]];
    assert.is(Array.isArray(value) ? value.join(',') : String(value), row[2], `${row[1]} default`);
    compared++;
  }
  assert.ok(compared >= 15, `compared ${compared} defaults`);
});

test('the README compose section shows the preflight and the commands the preflight suggests', () => {
  const section = readmeSection('Running with Docker Compose');
  assert.match(section, /npm run preflight -- --mode dev/);
  for (const command of Object.values(COMPOSE_COMMANDS)) assert.ok(section.includes(command), `README shows: ${command}`);
  const withRedis = composeCommand('prod', (key) => (key === 'AUDO_EQ_QUEUE_BACKEND' ? 'redis' : ''));
  assert.ok(section.includes(withRedis), `README shows: ${withRedis}`);
  for (const files of ['compose.yaml:compose.override.yaml', 'compose.yaml:compose.prod.yaml']) {
    assert.ok(section.includes(`COMPOSE_FILE=${files} docker compose up -d --build`));
  }
  // Every file a README command names exists.
  for (const match of section.matchAll(/-f (\S+\.ya?ml)/g)) assert.ok(existsSync(join(repoRoot, match[1])), `${match[1]} exists`);
});

test.run();
