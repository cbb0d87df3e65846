/**
 * The file a Node worker thread starts from: run built (dist/…/x.js), the
 * compiled worker module; run from the TypeScript sources under tsx, its
 * `.mjs` launcher, which registers tsx inside the thread first (Node 20 does
 * not hand the main thread's loader to worker threads). Callers give both
 * as URL literals relative to their own module, so tools that follow a
 * file's imports (test/support/deploy.ts) see the worker too.
 *
 * @example const entry = threadEntry(import.meta.url, { launcher, built });
 */
export function threadEntry(callerUrl: string, entries: { readonly launcher: URL; readonly built: URL }): URL {
  return callerUrl.endsWith('.ts') ? entries.launcher : entries.built;
}
