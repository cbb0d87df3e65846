// Upload handling cost of POST /master through the Node adapter: streaming
// multipart parse of two 50 MiB parts, first spooled to temporary files (the
// Node server's default past 64 MiB; an 8 MiB threshold here) and then held in
// memory (time, throughput, peak RSS growth), and how early an oversized body
// is refused. The mastering runner is a stand-in returning a small WAV, so
// only the HTTP path is measured.
import { createServer, request } from 'node:http';
import { createApp } from '../core/http/app.ts';
import type { MasteringRunner } from '../core/app/ports.ts';
import { toNodeListener } from '../runtimes/node/fetch-adapter.ts';
import { createTempFileSpool } from '../runtimes/node/temp-file-spool.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleDiagnostics } from '../test/support/diagnostics.ts';

const MIB = 1024 * 1024;
const PART_BYTES = 50 * MIB;
const BOUNDARY = 'bench-boundary';

const runner: MasteringRunner = {
  async run(job) {
    return {
      wav: job.target.bytes.subarray(0, 44),
      policies: { policyVersion: 'v1', ingestPolicyId: 'ingest-validation-default', normalizationPolicyId: 'pcm-canonical-default' },
      diagnostics: sampleDiagnostics(),
      events: [],
    };
  },
};

const spoolDir = mkdtempSync(join(tmpdir(), 'audo-eq-upload-bench-'));
const limits = { maxFileBytes: 100 * MIB, maxRequestBytes: 201 * MIB };
const app = createApp({ runner, limits });
const spooling = createApp({ runner, limits: { ...limits, spool: createTempFileSpool({ thresholdBytes: 8 * MIB, dir: spoolDir }) } });
let handler = spooling;
const server = createServer(toNodeListener((request) => handler(request)));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;

function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Streams `parts` of `partBytes` each in 1 MiB chunks; resolves with status, ms and bytes sent. */
function post(parts: string[], partBytes: number): Promise<{ status: number; ms: number; sentMiB: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const chunk = new Uint8Array(MIB).fill(7);
    let sent = 0;
    let answered = false;
    const req = request({ host: '127.0.0.1', port, path: '/master', method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } });
    req.on('response', (res) => {
      answered = true;
      const sentMiB = sent / MIB;
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, sentMiB }));
    });
    req.on('error', (error) => (answered ? undefined : reject(error)));
    const write = (data: Uint8Array | string) => new Promise<void>((done) => (req.write(data) ? done() : req.once('drain', done)));
    (async () => {
      for (const name of parts) {
        await write(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}.wav"\r\n\r\n`);
        for (let i = 0; i < partBytes / MIB && !answered; i++) {
          await write(chunk);
          sent += MIB;
        }
        if (answered) return;
        await write('\r\n');
      }
      req.end(`--${BOUNDARY}--\r\n`);
    })().catch(() => {});
  });
}

let rssBefore = peakRssMiB();
const spooled = await post(['target', 'reference'], PART_BYTES);
console.log(`two 50 MiB parts, spooled: status ${spooled.status}, ${spooled.ms.toFixed(0)} ms, ${((2 * PART_BYTES) / MIB / (spooled.ms / 1000)).toFixed(0)} MiB/s, peak RSS ${rssBefore.toFixed(0)} -> ${peakRssMiB().toFixed(0)} MiB`);
rmSync(spoolDir, { recursive: true, force: true });
handler = app;
rssBefore = peakRssMiB();
const ok = await post(['target', 'reference'], PART_BYTES);
console.log(`two 50 MiB parts, in memory: status ${ok.status}, ${ok.ms.toFixed(0)} ms, ${((2 * PART_BYTES) / MIB / (ok.ms / 1000)).toFixed(0)} MiB/s, peak RSS ${rssBefore.toFixed(0)} -> ${peakRssMiB().toFixed(0)} MiB`);
const big = await post(['target', 'reference', 'extra1', 'extra2', 'extra3'], 80 * MIB);
console.log(`400 MiB body (limit 201 MiB): status ${big.status} after ${big.sentMiB.toFixed(0)} MiB sent, ${big.ms.toFixed(0)} ms, peak RSS ${peakRssMiB().toFixed(0)} MiB`);
server.closeAllConnections();
server.close();
