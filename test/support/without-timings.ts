/**
 * Drops wall-clock fields (`*_ms`, `occurredAt`) that legitimately differ
 * between two runs of the same job, so results can be compared whole.
 *
 * @example assert.equal(withoutTimings(a.diagnostics), withoutTimings(b.diagnostics));
 */
export function withoutTimings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimings);
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.endsWith('_ms') && key !== 'occurredAt')
      .map(([key, inner]) => [key, withoutTimings(inner)]),
  );
}
