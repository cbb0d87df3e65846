/**
 * Loading the hand-written WebAssembly SIMD modules (each .wat source beside
 * its user, assembled into a .wasm.ts by tools/build-wasm.ts): compiled once
 * per module and thread, synchronously (the modules are a few kilobytes), and
 * null where the runtime lacks WebAssembly or its SIMD instructions, so every
 * caller keeps a scalar path.
 */
const compiled = new Map<string, WebAssembly.Module | null>();

let enabled = true;

/**
 * The one switch between the WebAssembly SIMD kernels and their JavaScript
 * twins, for this thread: off, every kernel runs its JavaScript path (same
 * results within float rounding, as the kernel tests check). Runtimes set it
 * from `AUDO_EQ_SIMD` at start-up and hand it to their worker threads; each
 * kernel asks on every call, so it can be turned at any time.
 *
 * @example setSimdEnabled(false); // the whole pipeline in JavaScript
 */
export function setSimdEnabled(on: boolean): void {
  enabled = on;
}

/** Whether the SIMD kernels may run on this thread (see {@link setSimdEnabled}). */
export function simdEnabled(): boolean {
  return enabled;
}

/**
 * The compiled module of `base64`, or null where it cannot run here or SIMD is switched off.
 *
 * @example const module = compileSimdModule(WASM_BASE64);
 */
export function compileSimdModule(base64: string): WebAssembly.Module | null {
  if (!enabled) return null;
  const known = compiled.get(base64);
  if (known !== undefined) return known;
  let module: WebAssembly.Module | null = null;
  try {
    if (typeof WebAssembly === 'object') {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      if (WebAssembly.validate(bytes)) module = new WebAssembly.Module(bytes);
    }
  } catch {
    module = null;
  }
  compiled.set(base64, module);
  return module;
}

/** Every exported function of `T` (everything but its memory), each `true`: the compiler makes the list complete. */
export type ExportedFunctions<T> = { readonly [Name in Exclude<keyof T & string, 'memory'>]: true };

/** Whether `exports` has a memory and every function in `functions`: the shape `T` promises. */
function providesExports<T extends { readonly memory: WebAssembly.Memory }>(exports: WebAssembly.Exports, functions: ExportedFunctions<T>): exports is WebAssembly.Exports & T {
  return exports.memory instanceof WebAssembly.Memory && Object.keys(functions).every((name) => typeof exports[name] === 'function');
}

/**
 * A new instance of `module` (it imports nothing) whose exported memory holds
 * at least `bytes`, checked to export `functions`. Growing detaches earlier
 * views, so take views afterwards. A module without them is a build mismatch
 * and throws.
 *
 * @example const exports = instantiateWithMemory<{ memory: WebAssembly.Memory; run(n: number): void }>(module, 1 << 20, { run: true });
 */
export function instantiateWithMemory<T extends { readonly memory: WebAssembly.Memory }>(module: WebAssembly.Module, bytes: number, functions: ExportedFunctions<T>): T {
  const exports = new WebAssembly.Instance(module, {}).exports;
  if (!providesExports<T>(exports, functions)) throw new Error(`the WebAssembly module lacks its memory or one of ${Object.keys(functions).join(', ')}`);
  const missingPages = Math.ceil((bytes - exports.memory.buffer.byteLength) / 65536);
  if (missingPages > 0) exports.memory.grow(missingPages);
  return exports;
}
