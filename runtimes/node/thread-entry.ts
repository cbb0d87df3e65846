/**
 * The file a Node worker thread starts from: run built (dist/…/x.js), the
 * compiled worker module; run from the TypeScript sources under tsx, its
 * `.mjs` launcher, which registers tsx inside the thread first (Node 20 does
 * not hand the main thread's loader to worker threads). Both are given as
 * `new URL('./…', import.meta.url)` literals, so tools that follow a file's
 * imports (test/support/deploy.ts) see the worker too.
 *
 * @example
 * threadEntry(import.meta.url, { launcher: new URL('./w.mjs', import.meta.url), built: new URL('./w.js', import.meta.url) })
 */
export function threadEntry(callerUrl: string, entries: { readonly launcher: URL; readonly built: URL }): URL {
  return callerUrl.endsWith('.ts') ? entries.launcher : entries.built;
}
