import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { appendEnvValue, envValues, setEnvValue } from './env-file.ts';
import { findFreePort, isPortFree } from './ports.ts';
import { policyWarnings, secretWarnings, type PreflightWarning } from './warnings.ts';

export type PreflightMode = 'dev' | 'prod';

export interface PreflightOptions {
  /** The `.env` that `docker compose` reads (created from the example when missing). */
  readonly envPath: string;
  readonly examplePath: string;
  readonly mode: PreflightMode;
  /** How a host port is probed; tests may pass their own. */
  readonly isFree?: (port: number) => Promise<boolean>;
}

export interface PortDecision {
  readonly key: string;
  readonly port: number;
  /** Set when the port was taken (on the host or by an earlier key) and moved. */
  readonly movedFrom?: number;
}

export interface PreflightResult {
  readonly createdEnvFile: boolean;
  readonly ports: readonly PortDecision[];
  /** Values that could not be checked (not a port number). */
  readonly skipped: readonly string[];
  readonly warnings: readonly PreflightWarning[];
  /** The compose command to run next for this mode. */
  readonly nextCommand: string;
}

/** A preflight that cannot run at all (no `.env` and no example to copy). */
export class PreflightError extends Error {
  override name = 'PreflightError';
}

const PORT_KEY = /^[A-Z0-9_]*_PORT$/;

/** The runbook's start command for each file pair. */
export const COMPOSE_COMMANDS: Record<PreflightMode, string> = {
  dev: 'docker compose -f compose.yaml -f compose.override.yaml up --build',
  prod: 'docker compose -f compose.yaml -f compose.prod.yaml up -d --build',
};

/**
 * The start command for a mode and configuration: the Redis service only
 * exists under its compose profile, so a Redis queue needs `--profile redis`.
 *
 * @example composeCommand('prod', (k) => ({ AUDO_EQ_QUEUE_BACKEND: 'redis' })[k] ?? ''); // '... compose.prod.yaml --profile redis up -d --build'
 */
export function composeCommand(mode: PreflightMode, valueOf: (key: string) => string): string {
  const command = COMPOSE_COMMANDS[mode];
  return valueOf('AUDO_EQ_QUEUE_BACKEND') === 'redis' ? command.replace(' up ', ' --profile redis up ') : command;
}

/**
 * Makes `.env` safe to `docker compose up` with: creates it from the example
 * when missing, moves every `*_PORT` whose port is taken on this machine (or
 * already claimed by another key) to the next free one, rewriting only those
 * values, and reports secrets still equal to the example's. A key the `.env`
 * lacks is checked at the example's value (the one compose falls back to) and
 * appended only if that value must move.
 *
 * @example
 * const result = await runPreflight({ envPath: '.env', examplePath: '.env.example', mode: 'dev' });
 * for (const p of result.ports) if (p.movedFrom) console.log(`${p.key}: ${p.movedFrom} -> ${p.port}`);
 */
export async function runPreflight(options: PreflightOptions): Promise<PreflightResult> {
  const isFree = options.isFree ?? isPortFree;
  const example = existsSync(options.examplePath) ? readFileSync(options.examplePath, 'utf8') : undefined;
  const createdEnvFile = !existsSync(options.envPath);
  if (createdEnvFile && example === undefined) {
    throw new PreflightError(`neither ${options.envPath} nor ${options.examplePath} exists: nothing to check`);
  }
  let env = createdEnvFile ? example! : readFileSync(options.envPath, 'utf8');
  const envMap = envValues(env);
  const exampleMap = example !== undefined ? envValues(example) : new Map<string, string>();
  const effective = (key: string) => envMap.get(key) || exampleMap.get(key) || '';

  const skipped: string[] = [];
  const portKeys = [...new Set([...envMap.keys(), ...exampleMap.keys()])].filter((key) => PORT_KEY.test(key));
  const wanted = new Map<string, number>();
  for (const key of portKeys) {
    const raw = effective(key);
    const port = Number(raw);
    if (/^\d+$/.test(raw) && port >= 1 && port <= 65535) wanted.set(key, port);
    else if (raw !== '') skipped.push(`${key}=${raw} is not a port number; left as it is`);
  }

  const decisions: PortDecision[] = [];
  const portOrder = [...wanted.keys()];
  for (let i = 0; i < portOrder.length; i++) {
    const key = portOrder[i];
    const port = wanted.get(key)!;
    const earlier = new Set(decisions.map((d) => d.port));
    if (!earlier.has(port) && (await isFree(port))) {
      decisions.push({ key, port });
      continue;
    }
    const later = portOrder.slice(i + 1).map((k) => wanted.get(k)!);
    const moved = await findFreePort(port + 1, new Set([...earlier, ...later]), isFree).catch((err: Error) => {
      throw new PreflightError(`${key}: ${err.message}`);
    });
    decisions.push({ key, port: moved, movedFrom: port });
    env = envMap.has(key)
      ? setEnvValue(env, key, String(moved))
      : appendEnvValue(env, key, String(moved), `added by preflight: ${port} (the default) was taken`);
  }

  if (createdEnvFile || decisions.some((d) => d.movedFrom !== undefined)) {
    // .env holds credentials: a new one is readable by its owner only.
    writeFileSync(options.envPath, env, { mode: 0o600 });
  }
  const finalValues = envValues(env);
  // What compose will use: the .env value, or the default when it is empty.
  const valueOf = (key: string) => finalValues.get(key) || exampleMap.get(key) || '';
  const keys = [...new Set([...finalValues.keys(), ...exampleMap.keys()])];
  return {
    createdEnvFile,
    ports: decisions,
    skipped,
    warnings: [...secretWarnings(valueOf, keys, exampleMap, options.mode), ...policyWarnings(valueOf)],
    nextCommand: composeCommand(options.mode, valueOf),
  };
}
