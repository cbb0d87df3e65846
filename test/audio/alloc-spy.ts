/**
 * Test helper: records the largest typed array or ArrayBuffer constructed
 * (in bytes) while `run` executes, so a test can prove that a lying header
 * caused no allocation sized from the header.
 */

type Constructor = new (...args: never[]) => object;

const WATCHED = ['ArrayBuffer', 'Uint8Array', 'Int16Array', 'Int32Array', 'Float32Array', 'Float64Array'] as const;

export async function largestAllocationBytes(run: () => Promise<unknown>): Promise<number> {
  const globals = globalThis as unknown as Record<string, Constructor>;
  const originals = WATCHED.map((name) => globals[name]);
  let largest = 0;
  WATCHED.forEach((name, index) => {
    const original = originals[index];
    const elementBytes = (original as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
    globals[name] = new Proxy(original, {
      construct(target, args, newTarget) {
        if (typeof args[0] === 'number') largest = Math.max(largest, args[0] * elementBytes);
        return Reflect.construct(target, args, newTarget === globals[name] ? target : newTarget);
      },
    });
  });
  try {
    await run().catch(() => {});
  } finally {
    WATCHED.forEach((name, index) => (globals[name] = originals[index]));
  }
  return largest;
}
