/**
 * Reads a Dockerfile the way the builder does for what the tests check:
 * line continuations, comments, stages (`FROM ... AS name`), and in each stage
 * its instructions, with ENV, USER, WORKDIR, CMD/ENTRYPOINT (exec or shell
 * form), HEALTHCHECK and STOPSIGNAL decoded. Also a `.dockerignore` matcher.
 */

export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

export interface Stage {
  readonly name?: string;
  readonly base: string;
  readonly instructions: Instruction[];
}

export interface HealthCheck {
  readonly options: Record<string, string>;
  readonly command: string[];
}

/**
 * Splits a Dockerfile into stages of instructions.
 *
 * @example parseDockerfile('FROM node:20-slim AS deps\nRUN npm ci\n')[0].name; // 'deps'
 */
export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*#/.test(line)) continue;
    if (/\\\s*$/.test(line)) {
      pending += line.replace(/\\\s*$/, ' ');
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full) logical.push(full);
  }
  const stages: Array<{ name?: string; base: string; instructions: Instruction[] }> = [];
  for (const line of logical) {
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(line)!;
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const [, base, name] = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
      stages.push({ base, name, instructions: [] });
    } else if (upper !== 'ARG' || stages.length > 0) {
      if (stages.length === 0) throw new Error(`${upper} before the first FROM`);
      stages[stages.length - 1].instructions.push({ keyword: upper, args });
    }
  }
  return stages;
}

/** Instructions of one keyword in a stage, in order. */
export function instructionsOf(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}

/**
 * The command an instruction runs: a JSON exec form as is, a shell form as
 * `/bin/sh -c "..."`, like the builder.
 *
 * @example commandOf('["node", "server.js"]'); // ['node', 'server.js']
 */
export function commandOf(args: string): string[] {
  const trimmed = args.trim();
  if (trimmed.startsWith('[')) {
    const parsed: unknown = JSON.parse(trimmed);
    if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string')) return parsed;
  }
  return ['/bin/sh', '-c', trimmed];
}

/**
 * The variables a stage's ENV instructions set (`K=V K2="v 2"` or legacy `K V`).
 *
 * @example envOf(parseDockerfile('FROM x\nENV A=1 B="two words"')[0]); // { A: '1', B: 'two words' }
 */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of instructionsOf(stage, 'ENV')) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
      const [, key, value] = /^(\S+)\s+(.*)$/.exec(args)!;
      env[key] = value;
      continue;
    }
    for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:\\.|[^"\\])*"|'[^']*'|\S*)/g)) {
      const raw = match[2];
      env[match[1]] = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw.startsWith("'") ? raw.slice(1, -1) : raw;
    }
  }
  return env;
}

/**
 * A HEALTHCHECK's `--option=value` flags and command (undefined for NONE).
 *
 * @example healthCheckOf('--interval=30s CMD ["node", "probe.mjs"]'); // { options: { interval: '30s' }, command: ['node', 'probe.mjs'] }
 */
export function healthCheckOf(args: string): HealthCheck | undefined {
  const options: Record<string, string> = {};
  let rest = args.trim();
  for (let m = /^--([a-z-]+)=(\S+)\s+/.exec(rest); m; m = /^--([a-z-]+)=(\S+)\s+/.exec(rest)) {
    options[m[1]] = m[2];
    rest = rest.slice(m[0].length);
  }
  if (/^NONE$/i.test(rest)) return undefined;
  const cmd = /^CMD\s+(.*)$/i.exec(rest);
  if (!cmd) throw new Error(`HEALTHCHECK without CMD: ${args}`);
  return { options, command: commandOf(cmd[1]) };
}

/**
 * A `.dockerignore` as a predicate: true when `path` (relative, with `/`) is
 * sent to the builder. Patterns are Go globs (`*`, `?`, `**`); a later rule
 * wins; a rule matching a directory covers everything inside it.
 *
 * @example dockerignoreFilter('*\n!core\n')('core/app/config.ts'); // true
 */
export function dockerignoreFilter(text: string): (path: string) => boolean {
  const rules = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const include = line.startsWith('!');
      const pattern = (include ? line.slice(1) : line).trim().replace(/^\/+|\/+$/g, '');
      return { include, regex: globToRegex(pattern) };
    });
  return (path) => {
    const parts = path.split('/');
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let included = true;
    for (const rule of rules) {
      if (candidates.some((c) => rule.regex.test(c))) included = rule.include;
    }
    return included;
  };
}

function globToRegex(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` matches any number of directories, including none.
      out += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}
