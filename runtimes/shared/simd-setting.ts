/**
 * AUDO_EQ_SIMD read without the configuration schema: the schema's module
 * loads zod (~0.7 MB of JavaScript, ~70–90 ms to load on the VMs we measure
 * on), which a CLI command that needs nothing else from the configuration
 * should not pay on every run. Only the values the schema accepts are
 * answered here; for any other, `null` tells the caller to ask the schema
 * (`applySimdSwitch`), whose error is the one to show. A test holds the two
 * to the same answers.
 */

/**
 * True for SIMD on (`on`, empty or unset, any case and spacing), false for
 * `off`, null for a value only the configuration can judge (it refuses it).
 *
 * @example simdSettingOf({ AUDO_EQ_SIMD: ' OFF ' }) // false
 */
export function simdSettingOf(env: Record<string, string | undefined>): boolean | null {
  const value = (env.AUDO_EQ_SIMD ?? '').trim().toLowerCase();
  if (value === '' || value === 'on') return true;
  if (value === 'off') return false;
  return null;
}
