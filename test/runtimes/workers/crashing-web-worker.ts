// A Web Worker mastering entry that dies on purpose when a job's target starts
// with `CRASH` (an uncaught error) or `EXIT` (the worker exits, where the
// runtime allows it), and otherwise is the real worker: lets tests see the web
// pool replace a dead worker in Deno and Bun.
interface Scope {
  onmessage: ((event: MessageEvent<{ job: { target: { bytes: Uint8Array } } | { file: { bytes: Uint8Array } } }>) => void) | null;
}
const scope = globalThis as unknown as Scope;
await import('../../../runtimes/shared/web-mastering-worker.ts');
const real = scope.onmessage!;
scope.onmessage = (event) => {
  const upload = 'target' in event.data.job ? event.data.job.target : event.data.job.file;
  const head = new TextDecoder().decode(upload.bytes.subarray(0, 5));
  if (head.startsWith('CRASH')) throw new Error('mastering worker blew up on purpose');
  if (head.startsWith('EXIT')) (globalThis as unknown as { process: { exit(code: number): never } }).process.exit(3);
  real(event);
};
