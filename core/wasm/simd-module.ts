/**
 * Loading the hand-written WebAssembly SIMD modules (each .wat source beside
 * its user, assembled into a .wasm.ts by tools/build-wasm.ts): compiled once
 * per module and thread, synchronously (the modules are a few kilobytes), and
 * null where the runtime lacks WebAssembly or its SIMD instructions, so every
 * caller keeps a scalar path.
 */
const compiled = new Map<string, WebAssembly.Module | null>();

/**
 * The compiled module of `base64`, or null where it cannot run here.
 *
 * @example const module = compileSimdModule(WASM_BASE64);
 */
export function compileSimdModule(base64: string): WebAssembly.Module | null {
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

/**
 * A new instance of `module` (it imports nothing) whose exported memory holds
 * at least `bytes`. Growing detaches earlier views, so take views afterwards.
 *
 * @example const exports = instantiateWithMemory<{ memory: WebAssembly.Memory }>(module, 1 << 20);
 */
export function instantiateWithMemory<T extends { readonly memory: WebAssembly.Memory }>(module: WebAssembly.Module, bytes: number): T {
  const exports = new WebAssembly.Instance(module, {}).exports as unknown as T;
  const missingPages = Math.ceil((bytes - exports.memory.buffer.byteLength) / 65536);
  if (missingPages > 0) exports.memory.grow(missingPages);
  return exports;
}
