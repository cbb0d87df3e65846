/**
 * Expands a service's short syntaxes into the long forms Compose merges on
 * ("merges apply to the expanded form"): environment and labels lists become
 * mappings, ports and volumes strings become objects, depends_on lists become
 * mappings with their default condition, a string healthcheck test becomes
 * CMD-SHELL.
 */
import { OverrideValue, ResetValue } from './tags.ts';

export interface ServicePort {
  target: number;
  published?: string;
  host_ip?: string;
  protocol: string;
}

export interface ServiceVolume {
  type: 'volume' | 'bind';
  source?: string;
  target: string;
  read_only?: boolean;
}

export interface ServiceDependency {
  condition: string;
  required: boolean;
}


type Mapping = Record<string, unknown>;

/** Attribute expanders; each sees the value inside an `!override` tag too. */
const EXPANDERS: Record<string, (value: unknown) => unknown> = {
  environment: (v) => toMapping(v, 'environment'),
  labels: (v) => toMapping(v, 'labels'),
  ports: (v) => (Array.isArray(v) ? v.map(canonicalPort) : v),
  volumes: (v) => (Array.isArray(v) ? v.map(canonicalVolume) : v),
  depends_on: canonicalDependsOn,
  healthcheck: (v) => {
    const healthcheck = v as Mapping | null;
    return healthcheck && typeof healthcheck.test === 'string' ? { ...healthcheck, test: ['CMD-SHELL', healthcheck.test] } : v;
  },
};

/**
 * Returns the service with every short syntax expanded.
 *
 * @example canonicalService({ ports: ['8000:8000'] }).ports; // [{ target: 8000, published: '8000', protocol: 'tcp' }]
 */
export function canonicalService(raw: Mapping): Mapping {
  const service: Mapping = { ...raw };
  for (const [attribute, expand] of Object.entries(EXPANDERS)) {
    const value = service[attribute];
    if (value instanceof OverrideValue) service[attribute] = new OverrideValue(expand(value.value));
    else if (value !== undefined && typeof value === 'object') service[attribute] = expand(value);
  }
  return service;
}

function toMapping(value: unknown, what: string): Record<string, string | null | ResetValue> {
  const out: Record<string, string | null | ResetValue> = {};
  if (Array.isArray(value)) {
    for (const entry of value) {
      const text = String(entry);
      const eq = text.indexOf('=');
      if (eq < 0) out[text] = null;
      else out[text.slice(0, eq)] = text.slice(eq + 1);
    }
  } else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      // A `!reset` entry must reach the merge as the marker it is.
      out[key] = v instanceof ResetValue ? v : v === null || v === undefined ? null : String(v);
    }
  } else if (value !== null && value !== undefined) {
    throw new Error(`${what} must be a list or a mapping`);
  }
  return out;
}

/** "8000", "8000:8000", "127.0.0.1:8000:8000", "8000:8000/udp" (no ranges). */
function canonicalPort(entry: unknown): ServicePort {
  if (typeof entry === 'number') return { target: entry, protocol: 'tcp' };
  if (entry && typeof entry === 'object') {
    const port = entry as Mapping;
    return {
      ...port,
      target: Number(port.target),
      ...(port.published !== undefined ? { published: String(port.published) } : {}),
      protocol: String(port.protocol ?? 'tcp'),
    } as ServicePort;
  }
  const text = String(entry);
  const [spec, protocol = 'tcp'] = text.split('/');
  // An IPv6 host address is bracketed; split from the right.
  const parts = spec.match(/^(?:(\[[^\]]+\]|[^:]+):)?(?:([^:]*):)?([^:]+)$/);
  if (!parts || spec.includes('-')) throw new Error(`unsupported port syntax: ${text}`);
  let [, first, second, target] = parts;
  let hostIp: string | undefined;
  let published: string | undefined;
  if (second !== undefined) [hostIp, published] = [first, second];
  else published = first;
  if (!/^\d+$/.test(target) || (published !== undefined && published !== '' && !/^\d+$/.test(published))) {
    throw new Error(`invalid port mapping: ${text}`);
  }
  return {
    target: Number(target),
    ...(published ? { published } : {}),
    ...(hostIp ? { host_ip: hostIp.replace(/^\[|\]$/g, '') } : {}),
    protocol,
  };
}

function canonicalVolume(entry: unknown): ServiceVolume {
  if (entry && typeof entry === 'object') return entry as ServiceVolume;
  const parts = String(entry).split(':');
  if (parts.length === 1) return { type: 'volume', target: parts[0] };
  const [source, target, mode] = parts;
  const isPath = /^[./~]/.test(source);
  return {
    type: isPath ? 'bind' : 'volume',
    source,
    target,
    ...(mode?.split(',').includes('ro') ? { read_only: true } : {}),
  };
}

function canonicalDependsOn(value: unknown): Record<string, ServiceDependency> {
  const out: Record<string, ServiceDependency> = {};
  if (Array.isArray(value)) {
    for (const name of value) out[String(name)] = { condition: 'service_started', required: true };
  } else if (value && typeof value === 'object') {
    for (const [name, spec] of Object.entries(value as Record<string, Mapping | null>)) {
      out[name] = {
        ...(spec ?? {}),
        condition: String(spec?.condition ?? 'service_started'),
        required: spec?.required === undefined ? true : spec.required === true,
      };
    }
  }
  return out;
}

/** The key Compose keeps ports unique by: {ip, published, target, protocol}. */
export function portKey(port: ServicePort): string {
  return `${port.host_ip ?? ''}:${port.published ?? ''}:${port.target}/${port.protocol}`;
}
