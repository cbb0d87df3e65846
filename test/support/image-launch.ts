// How a container of our image would start, translated to a local process:
// the Dockerfile's runtime stage (ENV, WORKDIR, ENTRYPOINT/CMD, HEALTHCHECK,
// STOPSIGNAL) combined with a compose service (environment overrides ENV,
// `command` overrides CMD, named volumes become temporary directories).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ComposeService } from './compose/load.ts';
import { commandOf, envOf, healthCheckOf, instructionsOf, parseDockerfile } from './dockerfile.ts';
import { repoRoot } from './processes.ts';

export interface ImageLaunch {
  /** argv as the container runs it, `node` replaced by this Node binary. */
  readonly argv: string[];
  readonly env: Record<string, string>;
  /** The repository root stands for the image's WORKDIR (the Dockerfile copies it there). */
  readonly cwd: string;
  readonly workdir: string;
  readonly stopSignal: NodeJS.Signals;
  readonly stopGraceMs: number;
  readonly imageHealthcheck: string[];
  readonly serviceHealthcheck?: string[];
  /** Container path -> local directory standing in for each named volume. */
  readonly volumes: Record<string, string>;
}

function localArgv(argv: string[]): string[] {
  return argv[0] === 'node' ? [process.execPath, ...argv.slice(1)] : argv;
}

/** "30s", "1m30s", "500ms" -> milliseconds (compose durations). */
export function durationMs(text: string | undefined, fallbackMs: number): number {
  if (!text) return fallbackMs;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(amount) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  }
  return total;
}

/**
 * Translates the image plus one compose service into a local launch.
 * Environment values naming a volume's mount point (or a path inside it) are
 * rewritten to that volume's local directory, as a mount would make them.
 *
 * @example const launch = imageLaunch(project.services['audo-eq-api']); spawn(launch.argv[0], launch.argv.slice(1), launch);
 */
export function imageLaunch(service: ComposeService): ImageLaunch {
  const stages = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
  const runtime = stages[stages.length - 1];
  const last = (keyword: string) => instructionsOf(runtime, keyword).at(-1)?.args;
  const entrypoint = last('ENTRYPOINT') ? commandOf(last('ENTRYPOINT')!) : [];
  const cmd = service.command ?? (last('CMD') ? commandOf(last('CMD')!) : []);
  const argv = [...entrypoint, ...(typeof cmd === 'string' ? ['/bin/sh', '-c', cmd] : cmd)];

  const volumes: Record<string, string> = {};
  for (const volume of service.volumes ?? []) {
    if (volume.type === 'volume') volumes[volume.target] = mkdtempSync(join(tmpdir(), 'audo-eq-volume-'));
  }
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...envOf(runtime) };
  for (const [key, value] of Object.entries(service.environment ?? {})) {
    if (value === null) continue;
    const mount = Object.keys(volumes).find((target) => value === target || value.startsWith(`${target}/`));
    env[key] = mount ? volumes[mount] + value.slice(mount.length) : value;
  }
  const health = healthCheckOf(last('HEALTHCHECK') ?? 'NONE');
  const serviceTest = service.healthcheck?.test;
  return {
    argv: localArgv(argv),
    env,
    cwd: repoRoot,
    workdir: last('WORKDIR') ?? '/',
    stopSignal: (last('STOPSIGNAL') ?? 'SIGTERM') as NodeJS.Signals,
    stopGraceMs: durationMs(service.stop_grace_period, 10_000),
    imageHealthcheck: health ? localArgv(health.command) : [],
    serviceHealthcheck: serviceTest && serviceTest[0] === 'CMD' ? localArgv(serviceTest.slice(1)) : undefined,
    volumes,
  };
}
