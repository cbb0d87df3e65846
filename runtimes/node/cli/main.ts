// The `audo-eq` command line (SPEC section 10). Each command lives in its own module.
import { ConfigError } from '../../../core/app/config.ts';
import { applySimdSwitch } from '../../shared/simd-switch.ts';

const USAGE = `usage: audo-eq <command> [options]

commands:
  serve                       start the HTTP API
  analyze FILE [--json]       print loudness, LRA, true peak and more
  master -t T -r R -o OUT     master T against R, write the WAV to OUT
  batch-master ...            master many files (a manifest or a glob)

audo-eq <command> --help shows a command's options.`;

const COMMANDS = 'commands: serve, analyze, master, batch-master';

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  try {
    applySimdSwitch(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`audo-eq: ${error.message}`);
    return 2;
  }
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
