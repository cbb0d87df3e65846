// Container health probe (Dockerfile HEALTHCHECK and compose healthcheck):
// exits 0 when GET /health answers 2xx within the timeout, 1 otherwise.
// Plain JavaScript with Node's fetch, so a probe costs no TypeScript loader
// start-up and needs no curl in the image.
const host = process.env.API_HOST;
// A wildcard bind is reached on loopback; a specific address only on itself.
const probeHost = !host || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
const port = process.env.API_PORT || '8000';
const url = `http://${probeHost.includes(':') ? `[${probeHost}]` : probeHost}:${port}/health`;

try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
