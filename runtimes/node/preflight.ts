// `npm run preflight -- --mode dev|prod`: prepares `.env` for `docker compose up`
// (see runtimes/node/preflight/run.ts for what it checks).
import { resolve } from 'node:path';
import { UsageError, parseCommandArgs, stringFlag } from './cli/args.ts';
import { PreflightError, runPreflight, type PreflightMode, type PreflightResult } from './preflight/run.ts';

const USAGE = `usage: npm run preflight -- [--mode dev|prod] [--cwd DIR] [--env-file PATH] [--example PATH]

Creates .env from .env.example when it is missing, moves every *_PORT that is
taken on this machine to the next free port (changing nothing else), and warns
about secrets that still have their example values.

  --mode dev|prod    which compose file pair you will start (default: dev)
  --cwd DIR          directory holding .env and .env.example (default: .)
  --env-file PATH    the .env to check or create (default: DIR/.env)
  --example PATH     the template (default: DIR/.env.example)`;

const OPTIONS = {
  mode: { type: 'string' },
  cwd: { type: 'string' },
  'env-file': { type: 'string' },
  example: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseCommandLine(argv: string[]) {
  const { values } = parseCommandArgs(argv, OPTIONS);
  const mode = stringFlag(values, 'mode') ?? 'dev';
  if (mode !== 'dev' && mode !== 'prod') throw new UsageError(`--mode must be dev or prod, not '${mode}'`);
  const dir = resolve(stringFlag(values, 'cwd') ?? '.');
  return {
    help: values.help === true,
    mode: mode as PreflightMode,
    envPath: resolve(dir, stringFlag(values, 'env-file') ?? '.env'),
    examplePath: resolve(dir, stringFlag(values, 'example') ?? '.env.example'),
  };
}

function report(result: PreflightResult, envPath: string, examplePath: string, mode: PreflightMode): void {
  if (result.createdEnvFile) console.log(`preflight: created ${envPath} from ${examplePath}`);
  for (const decision of result.ports) {
    if (decision.movedFrom === undefined) console.log(`preflight: ${decision.key}=${decision.port} is free`);
    else console.log(`preflight: ${decision.key} ${decision.movedFrom} is taken; set to ${decision.port} in ${envPath}`);
  }
  for (const line of result.skipped) console.log(`preflight: ${line}`);
  if (result.ports.some((d) => d.movedFrom !== undefined)) {
    console.log('preflight: if the audo-eq stack itself is running, its own ports count as taken: stop it first (docker compose ... down)');
  }
  for (const w of result.warnings.filter((w) => w.kind === 'config')) console.error(`preflight: warning: ${w.message}`);
  const secrets = result.warnings.filter((w) => w.kind === 'secret');
  if (secrets.length > 0 && mode === 'prod') {
    console.error('\n!!! SECURITY: fix these before running in production !!!');
    for (const w of secrets) console.error(`!!! ${w.message}`);
    console.error(`!!! edit ${envPath}, then run preflight again\n`);
  } else {
    for (const w of secrets) console.error(`preflight: warning: ${w.message} (fine on a laptop, not in production)`);
  }
  console.log(`preflight: next: ${result.nextCommand}`);
}

async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseCommandLine(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`preflight: ${err.message}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    const result = await runPreflight(options);
    report(result, options.envPath, options.examplePath, options.mode);
    return 0;
  } catch (err) {
    if (err instanceof PreflightError) {
      console.error(`preflight: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));
