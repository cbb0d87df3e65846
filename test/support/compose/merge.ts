/**
 * The Compose merge rules for several files (compose-spec "Merge"): mappings
 * merge key by key; sequences append; `command`, `entrypoint` and
 * `healthcheck.test` are replaced; `ports` stay unique by {ip, published,
 * target, protocol}, `volumes` by target and `expose` by value, a later entry
 * replacing an earlier one with the same key; `logging` merges only when the
 * driver is the same; `x-` extensions are replaced; `!reset` removes a value
 * and `!override` replaces it without merging. Inputs are canonical services
 * (see canonical.ts).
 */
import { portKey, type ServicePort, type ServiceVolume } from './canonical.ts';
import { OverrideValue, ResetValue } from './tags.ts';

type Mapping = Record<string, unknown>;

const REPLACED = [/^services\.[^.]+\.(command|entrypoint)$/, /^services\.[^.]+\.healthcheck\.test$/];
const UNIQUE_BY: Array<[RegExp, (entry: unknown) => string]> = [
  [/^services\.[^.]+\.ports$/, (p) => portKey(p as ServicePort)],
  [/^services\.[^.]+\.volumes$/, (v) => (v as ServiceVolume).target],
  [/^services\.[^.]+\.expose$/, (e) => String(e)],
  [/^services\.[^.]+\.profiles$/, (e) => String(e)],
];

/**
 * Merges `override` into `base` (neither is modified) at the dotted `path`.
 *
 * @example mergeCompose({ services: { a: { image: 'x' } } }, { services: { a: { init: true } } });
 */
export function mergeCompose(base: unknown, override: unknown, path = ''): unknown {
  if (override instanceof ResetValue) return undefined;
  if (override instanceof OverrideValue) return stripTags(override.value);
  if (base === undefined) return stripTags(override);
  if (REPLACED.some((pattern) => pattern.test(path))) return stripTags(override);
  if (/^services\.[^.]+\.logging$/.test(path) && isMapping(base) && isMapping(override)) {
    if (base.driver !== undefined && override.driver !== undefined && base.driver !== override.driver) {
      return stripTags(override);
    }
  }
  if (isMapping(base) && isMapping(override)) {
    const out: Mapping = { ...base };
    for (const [key, value] of Object.entries(override)) {
      const merged = key.startsWith('x-') ? stripTags(value) : mergeCompose(base[key], value, path ? `${path}.${key}` : key);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(override)) {
    return unique([...base, ...(stripTags(override) as unknown[])], path);
  }
  if (isMapping(base) || Array.isArray(base) || isMapping(override) || Array.isArray(override)) {
    throw new Error(`cannot merge ${path}: a ${describe(override)} cannot override a ${describe(base)}`);
  }
  return override;
}

function unique(entries: unknown[], path: string): unknown[] {
  const keyOf = UNIQUE_BY.find(([pattern]) => pattern.test(path))?.[1];
  if (!keyOf) return entries;
  const out: unknown[] = [];
  const indexByKey = new Map<string, number>();
  for (const entry of entries) {
    const key = keyOf(entry);
    const at = indexByKey.get(key);
    if (at === undefined) {
      indexByKey.set(key, out.length);
      out.push(entry);
    } else {
      out[at] = entry;
    }
  }
  return out;
}

/** Removes `!reset`/`!override` markers from a value that merges with nothing. */
export function stripTags(value: unknown): unknown {
  if (value instanceof OverrideValue) return stripTags(value.value);
  if (value instanceof ResetValue) return undefined;
  if (Array.isArray(value)) return value.map(stripTags).filter((v) => v !== undefined);
  if (isMapping(value)) {
    const out: Mapping = {};
    for (const [key, v] of Object.entries(value)) {
      const stripped = stripTags(v);
      if (stripped !== undefined) out[key] = stripped;
    }
    return out;
  }
  return value;
}

export function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof ResetValue) && !(value instanceof OverrideValue);
}

function describe(value: unknown): string {
  return Array.isArray(value) ? 'sequence' : isMapping(value) ? 'mapping' : 'scalar';
}
