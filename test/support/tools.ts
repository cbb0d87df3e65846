import { spawnSync } from 'node:child_process';

const cache = new Map<string, boolean>();

/** True when `command --version`-style probing finds the tool on PATH. */
export function hasTool(command: string, probeArgs: string[] = ['-version']): boolean {
  const key = `${command} ${probeArgs.join(' ')}`;
  if (!cache.has(key)) {
    const result = spawnSync(command, probeArgs, { stdio: 'ignore' });
    cache.set(key, result.status === 0);
  }
  return cache.get(key)!;
}

export const inCi = process.env.CI === 'true';

/**
 * Decides whether a suite that needs `tool` runs. Under CI=true a missing tool
 * fails the run (no silent skips); elsewhere the suite is skipped with one line.
 */
export function requireTool(tool: string, available: boolean, suite: string): boolean {
  if (available) return true;
  if (inCi) throw new Error(`${suite}: required tool missing under CI: ${tool}`);
  console.log(`skip: ${suite} (${tool} not available)`);
  return false;
}
