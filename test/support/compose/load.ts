/**
 * Loads a Compose project the way `docker compose -f a -f b config` does,
 * without a Docker engine: each file is parsed (with the `!reset` and
 * `!override` tags), interpolated from the given environment (the `.env`),
 * expanded to long syntax, merged in order, then services outside the enabled
 * profiles are dropped and references are checked (image or build, declared
 * named volumes, defined dependencies, healthchecks behind service_healthy).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse, type Tags } from 'yaml';
import { canonicalService, type ServiceDependency, type ServicePort, type ServiceVolume } from './canonical.ts';
import { interpolate, newTrace, type InterpolationTrace, type Lookup } from './interpolate.ts';
import { isMapping, mergeCompose } from './merge.ts';
import { OverrideValue, ResetValue } from './tags.ts';

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string; target?: string };
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | null>;
  ports?: ServicePort[];
  volumes?: ServiceVolume[];
  depends_on?: Record<string, ServiceDependency>;
  healthcheck?: { test: string[]; interval?: string; timeout?: string; start_period?: string; retries?: number };
  profiles?: string[];
  restart?: string;
  init?: boolean;
  stop_grace_period?: string;
  logging?: { driver?: string; options?: Record<string, string> };
  deploy?: { resources?: { limits?: { cpus?: string; memory?: string }; reservations?: { cpus?: string; memory?: string } } };
  develop?: { watch?: Array<{ action: string; path: string; target?: string }> };
  [key: string]: unknown;
}

export interface ComposeProject {
  name?: string;
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
  /** Every variable any of the files names, defaults included. */
  referencedVariables: Set<string>;
  /** Variables used with no value and no default. */
  unsetVariables: Set<string>;
  /** What compose would only warn about (optional dependencies left out). */
  warnings: string[];
}

const TAGS: Tags = [
  { tag: '!reset', resolve: () => new ResetValue() },
  { tag: '!reset', collection: 'seq', resolve: () => new ResetValue() },
  { tag: '!reset', collection: 'map', resolve: () => new ResetValue() },
  { tag: '!override', collection: 'seq', resolve: (node) => new OverrideValue(node.toJSON()) },
  { tag: '!override', collection: 'map', resolve: (node) => new OverrideValue(node.toJSON()) },
];

/**
 * Parses one compose file's text, interpolating every string value.
 *
 * @example parseComposeText('services: {a: {image: "x:${TAG:-1}"}}', () => undefined);
 */
export function parseComposeText(text: string, lookup: Lookup, trace: InterpolationTrace = newTrace()): Record<string, unknown> {
  const document = parse(text, { customTags: TAGS, merge: true, uniqueKeys: true, prettyErrors: false });
  if (!isMapping(document)) throw new Error('a compose file must be a mapping');
  const interpolated = interpolateValues(document, lookup, trace) as Record<string, unknown>;
  const services = interpolated.services;
  if (isMapping(services)) {
    for (const [name, service] of Object.entries(services)) {
      if (isMapping(service)) services[name] = canonicalService(service);
    }
  }
  return interpolated;
}

function interpolateValues(value: unknown, lookup: Lookup, trace: InterpolationTrace): unknown {
  if (typeof value === 'string') return interpolate(value, lookup, trace);
  if (value instanceof OverrideValue) return new OverrideValue(interpolateValues(value.value, lookup, trace));
  if (Array.isArray(value)) return value.map((v) => interpolateValues(v, lookup, trace));
  if (isMapping(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[key] = interpolateValues(v, lookup, trace);
    return out;
  }
  return value;
}

/**
 * Loads and merges compose files in order, like `docker compose -f ... config`.
 *
 * @example
 * const project = loadComposeProject(['compose.yaml', 'compose.prod.yaml'], { API_PORT: '8000' });
 * project.services['audo-eq-api'].ports; // [{ target: 8000, published: '8000', protocol: 'tcp' }]
 */
export function loadComposeProject(
  files: readonly string[],
  env: Readonly<Record<string, string>>,
  options: { profiles?: readonly string[]; cwd?: string } = {},
): ComposeProject {
  const trace = newTrace();
  const lookup: Lookup = (name) => (Object.hasOwn(env, name) ? env[name] : undefined);
  let merged: unknown = {};
  for (const file of files) {
    const model = parseComposeText(readFileSync(resolve(options.cwd ?? '.', file), 'utf8'), lookup, trace);
    merged = mergeCompose(merged, model);
  }
  const model = merged as Record<string, unknown>;
  const allServices = (model.services ?? {}) as Record<string, ComposeService>;
  const enabled = new Set(options.profiles ?? []);
  const active = Object.fromEntries(
    Object.entries(allServices).filter(([, s]) => !s.profiles || s.profiles.some((p) => enabled.has(p))),
  );
  const project: ComposeProject = {
    name: model.name as string | undefined,
    services: active,
    volumes: (model.volumes ?? {}) as Record<string, unknown>,
    referencedVariables: trace.referenced,
    unsetVariables: trace.unset,
    warnings: [],
  };
  validate(project, allServices);
  return project;
}

function validate(project: ComposeProject, allServices: Record<string, ComposeService>): void {
  for (const [name, service] of Object.entries(project.services)) {
    if (!service.image && !service.build) throw new Error(`service ${name} has neither an image nor a build`);
    for (const volume of service.volumes ?? []) {
      if (volume.type === 'volume' && volume.source && !(volume.source in project.volumes)) {
        throw new Error(`service ${name} uses undeclared volume ${volume.source}`);
      }
    }
    for (const [dependency, spec] of Object.entries(service.depends_on ?? {})) {
      if (!(dependency in allServices)) throw new Error(`service ${name} depends on undefined service ${dependency}`);
      if (!(dependency in project.services)) {
        if (spec.required) throw new Error(`service ${name} depends on ${dependency}, which is disabled by its profiles`);
        project.warnings.push(`${name}: optional dependency ${dependency} is not enabled`);
        delete service.depends_on![dependency];
        continue;
      }
      if (spec.condition === 'service_healthy' && !project.services[dependency].healthcheck) {
        throw new Error(`service ${name} waits for ${dependency} to be healthy, but it has no healthcheck`);
      }
    }
  }
}
