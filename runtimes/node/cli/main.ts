// The `audo-eq` command line (SPEC section 10). Each command lives in its own
// module, loaded when it runs; this one imports only the SIMD switch and what
// starts threads.
import { setSimdEnabled, simdEnabled } from '../../../core/wasm/simd-module.ts';
import { simdSettingOf } from '../../shared/simd-setting.ts';
import { prestartTapWorker } from '../tap-thread-spawn.ts';

const USAGE = `usage: audo-eq <command> [options]

commands:
  serve                       start the HTTP API
  analyze FILE [--json]       print loudness, LRA, true peak and more
  master -t T -r R -o OUT     master T against R, write the WAV to OUT
  batch-master ...            master many files (a manifest or a glob)

audo-eq <command> --help shows a command's options.`;

const COMMANDS = 'commands: serve, analyze, master, batch-master';

/**
 * `master` runs its job on this thread and one other, which analyses the
 * references and then takes the render's taps. Started now, it boots Node
 * and loads its modules (~0.1–0.25 s of CPU) while this thread loads the
 * command's code (~0.25 s), on the core that would otherwise idle.
 */
function prestartMasterThreads(simd: boolean): void {
  prestartTapWorker({ simd, nice: 0 });
}

/** Sets the SIMD switch from AUDO_EQ_SIMD; false (after one line on stderr) for a value the configuration refuses. */
async function applySimdSetting(): Promise<boolean> {
  const simd = simdSettingOf(process.env);
  if (simd !== null) {
    setSimdEnabled(simd);
    return true;
  }
  // Only a bad value loads the configuration schema, for its error.
  const [{ ConfigError }, { applySimdSwitch }] = await Promise.all([import('../../../core/app/config.ts'), import('../../shared/simd-switch.ts')]);
  try {
    applySimdSwitch(process.env);
    return true;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`audo-eq: ${error.message}`);
    return false;
  }
}

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (!(await applySimdSetting())) return 2;
  if (command === 'master') prestartMasterThreads(simdEnabled());
  switch (command) {
    case 'serve':
      await import('../server.ts');
      return -1;
    case 'analyze': {
      const { runAnalyzeCommand } = await import('./commands/analyze.ts');
      return runAnalyzeCommand(argv.slice(1));
    }
    case 'master': {
      const { runMasterCommand } = await import('./commands/master.ts');
      return runMasterCommand(argv.slice(1));
    }
    case 'batch-master': {
      const { runBatchMasterCommand } = await import('./commands/batch-master.ts');
      return runBatchMasterCommand(argv.slice(1));
    }
    case '-h':
    case '--help':
      console.log(USAGE);
      return 0;
    case undefined:
      console.error(`audo-eq: missing command (${COMMANDS}; audo-eq --help lists them)`);
      return 2;
    default:
      console.error(`audo-eq: unknown command '${command}' (${COMMANDS}; audo-eq --help lists them)`);
      return 2;
  }
}

// A reader that goes away (`audo-eq batch-master … | head -3`) ends the command quietly, as SIGPIPE would, not with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

const code = await main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
