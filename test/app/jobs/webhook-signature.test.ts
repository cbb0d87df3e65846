import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhookSignature } from '../../../core/app/jobs/webhook-signature.ts';

const body = '{"job_id":"j1","status":"succeeded"}';

test('the signature is HMAC-SHA256 over "<t>.<body>" in hex, as node:crypto computes it', async () => {
  const header = await signWebhook('s3cret', body, 1767225600);
  const expected = createHmac('sha256', 's3cret').update(`1767225600.${body}`).digest('hex');
  assert.is(header, `t=1767225600,v1=${expected}`);
});

test('verification accepts the right secret, body and a fresh timestamp, and nothing else', async () => {
  const header = await signWebhook('s3cret', body, 1000);
  assert.ok(await verifyWebhookSignature('s3cret', body, header, 1100));
  assert.not.ok(await verifyWebhookSignature('other', body, header, 1100), 'wrong secret');
  assert.not.ok(await verifyWebhookSignature('s3cret', `${body} `, header, 1100), 'changed body');
  assert.not.ok(await verifyWebhookSignature('s3cret', body, header, 1000 + 301), 'replayed too late');
  assert.not.ok(await verifyWebhookSignature('s3cret', body, header.replace('t=1000', 't=1001'), 1100), 'timestamp changed');
  assert.not.ok(await verifyWebhookSignature('s3cret', body, null, 1100));
  assert.not.ok(await verifyWebhookSignature('s3cret', body, 'garbage', 1100));
  assert.ok(await verifyWebhookSignature('s3cret', body, `${header},v1=${'0'.repeat(64)}`, 1100), 'any matching v1 of several');
});

test.run();
