// Retention with the Node server as a process. Filesystem: with
// AUDO_EQ_ARTIFACT_RETENTION_DAYS=2 the start-up sweep removes an artifact
// last written three days ago and keeps one written an hour ago (and job
// inputs, however old); the route then answers 404 for the removed one and
// 200 for the kept one. S3 against s3rver, which has no lifecycle support:
// one warning line says the rule was not applied and the server serves on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonLogRecords, waitForOutput } from '../support/http-client.ts';
import { nodeServerCommand, startServer } from '../support/processes.ts';
import { s3rverEnv, startS3rver } from '../support/s3.ts';

const HOUR_MS = 3_600_000;

function writeAged(path: string, bytes: Uint8Array, ageMs: number): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, bytes);
  const when = new Date(Date.now() - ageMs);
  utimesSync(path, when, when);
}

test('filesystem: retention removes the artifact older than the limit and keeps the newer one', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'audo-eq-retention-e2e-'));
  const [oldKey, newKey] = [`mastered/${crypto.randomUUID()}.wav`, `mastered/${crypto.randomUUID()}.wav`];
  const newBytes = new TextEncoder().encode('RIFF kept');
  writeAged(join(dataDir, oldKey), new TextEncoder().encode('RIFF old'), 72 * HOUR_MS);
  writeAged(join(dataDir, `${oldKey}.meta.json`), new TextEncoder().encode('{}'), 72 * HOUR_MS);
  writeAged(join(dataDir, newKey), newBytes, HOUR_MS);
  writeAged(join(dataDir, 'jobs', 'j-old', 'target'), new TextEncoder().encode('input'), 30 * 24 * HOUR_MS);
  const [command, args] = nodeServerCommand();
  const server = await startServer(command, args, {
    AUDO_EQ_STORAGE_BACKEND: 'filesystem',
    AUDO_EQ_DATA_DIR: dataDir,
    AUDO_EQ_ARTIFACT_RETENTION_DAYS: '2',
    AUDO_EQ_LOG_FORMAT: 'json',
  });
  try {
    await waitForOutput(server.output, (out) => jsonLogRecords(out).some((r) => r.message === 'Artifact retention sweep'), 20_000);
    const sweep = jsonLogRecords(server.output()).find((r) => r.message === 'Artifact retention sweep')!;
    assert.is(sweep.removed, 1);
    assert.is(sweep.days, 2);
    assert.not.ok(existsSync(join(dataDir, oldKey)));
    assert.not.ok(existsSync(join(dataDir, `${oldKey}.meta.json`)));
    assert.ok(existsSync(join(dataDir, newKey)));
    assert.ok(existsSync(join(dataDir, 'jobs', 'j-old', 'target')));
    assert.is((await fetch(`${server.baseUrl}/artifacts/${oldKey}`)).status, 404);
    const kept = await fetch(`${server.baseUrl}/artifacts/${newKey}`);
    assert.is(kept.status, 200);
    assert.equal(new Uint8Array(await kept.arrayBuffer()), newBytes);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('S3 without lifecycle support (s3rver): one warning that the rule was not applied; the server serves on', async () => {
  const s3 = await startS3rver({ buckets: ['retention'] });
  const [command, args] = nodeServerCommand();
  const server = await startServer(command, args, { ...s3rverEnv(s3.endpoint, 'retention', { timeoutMs: 5000 }), AUDO_EQ_ARTIFACT_RETENTION_DAYS: '30', AUDO_EQ_LOG_FORMAT: 'json' });
  try {
    const isWarning = (r: Record<string, unknown>) => String(r.message).startsWith('Artifact retention not applied');
    await waitForOutput(server.output, (out) => jsonLogRecords(out).some(isWarning), 20_000);
    const warning = jsonLogRecords(server.output()).find(isWarning)!;
    assert.is(warning.level, 'WARN');
    assert.match(String(warning.detail), /NotImplemented/);
    assert.is((await fetch(`${server.baseUrl}/ready`)).status, 200);
  } finally {
    await server.stop();
    await s3.stop();
  }
});

test.run();
