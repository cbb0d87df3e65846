import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTslogLogger, resolveLogFormat, serializeError } from '../../adapters/events/tslog.ts';
import { createLoggingEventPublisher } from '../../core/app/logging-event-publisher.ts';

/** Runs `body` while capturing what tslog writes to stdout (its JSON sink batches process.stdout.write). */
async function captureStdout(body: () => Promise<void>): Promise<string> {
  const original = process.stdout.write.bind(process.stdout);
  let captured = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    captured += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    await body();
  } finally {
    process.stdout.write = original;
  }
  return captured;
}

test('auto log format is pretty on a TTY and JSON otherwise', () => {
  assert.is(resolveLogFormat('auto', true), 'pretty');
  assert.is(resolveLogFormat('auto', false), 'json');
  assert.is(resolveLogFormat('json', true), 'json');
});

test('JSON lines put message first and fields at the top level, one object per line', async () => {
  const out = await captureStdout(async () => {
    const logger = createTslogLogger({ format: 'json', level: 'info' });
    logger.info('audo-eq listening', { host: '127.0.0.1', port: 4321 });
    logger.debug('not shown at info', {});
    await logger.flush();
  });
  const lines = out.trim().split('\n');
  assert.is(lines.length, 1);
  const record = JSON.parse(lines[0]);
  assert.is(record.message, 'audo-eq listening');
  assert.is(record.level, 'INFO');
  assert.is(record.port, 4321);
  // The line test/support/processes.ts waits for.
  assert.match(lines[0], /"message":"audo-eq listening"[^\n]*"port":(\d+)/);
});

test('domain events are logged as domain_event_emitted with name, correlation id, payload summary and ISO time', async () => {
  const out = await captureStdout(async () => {
    const logger = createTslogLogger({ format: 'json', level: 'info' });
    createLoggingEventPublisher(logger).publish({ name: 'ArtifactStored', correlationId: 'c-ev', occurredAt: '2026-01-01T00:00:00.000Z', payload: { destination: 's3://b/k', size_bytes: 10 } });
    await logger.flush();
  });
  const record = JSON.parse(out.trim());
  assert.is(record.message, 'domain_event_emitted');
  assert.is(record.event_name, 'ArtifactStored');
  assert.is(record.correlation_id, 'c-ev');
  assert.equal(record.payload_summary, { destination: 's3://b/k', size_bytes: 10 });
  assert.is(record.occurred_at, '2026-01-01T00:00:00.000Z');
});

test('secret values and secret-named fields never reach a line, in JSON or pretty form', async () => {
  for (const format of ['json', 'pretty'] as const) {
    const out = await captureStdout(async () => {
      const logger = createTslogLogger({ format, level: 'debug', secretValues: ['minio-Secret-123', 'api-key-XYZ-789'] });
      logger.warn('Mastered audio storage failed; returning no URL.', {
        error: new Error('SignatureDoesNotMatch for minio-Secret-123', { cause: new Error('key api-key-XYZ-789 rejected') }),
        headers: { Authorization: 'Bearer api-key-XYZ-789', 'X-Api-Key': 'other-unlisted-key' },
        secretAccessKey: 'whatever-value',
      });
      await logger.flush();
    });
    assert.ok(out.includes('Mastered audio storage failed'), format);
    for (const secret of ['minio-Secret-123', 'api-key-XYZ-789', 'other-unlisted-key', 'whatever-value']) {
      assert.not.ok(out.includes(secret), `${format} leaked ${secret}: ${out}`);
    }
    assert.ok(out.includes('SignatureDoesNotMatch'), `${format} lost the error message`);
  }
});

test('errors are logged with name, message, code, stack and cause', () => {
  const error = Object.assign(new Error('outer', { cause: new Error('inner') }), { code: 'ECONNREFUSED' });
  const record = serializeError(error) as Record<string, unknown>;
  assert.is(record.name, 'Error');
  assert.is(record.message, 'outer');
  assert.is(record.code, 'ECONNREFUSED');
  assert.match(String(record.stack), /outer/);
  assert.is((record.cause as Record<string, unknown>).message, 'inner');
});

test.run();
