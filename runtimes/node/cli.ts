// The `audo-eq` command line (SPEC section 10). Each command lives in its own module.
const USAGE = `usage: audo-eq <command> [options]

commands:
  serve                       start the HTTP API
  analyze FILE [--json]       print loudness, LRA, true peak and more
  master -t T -r R -o OUT     master T against R
  batch-master ...            master many files`;

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  switch (command) {
    case 'serve':
      await import('./server.ts');
      return -1;
    case 'analyze': {
      const { runAnalyzeCommand } = await import('./commands/analyze.ts');
      return runAnalyzeCommand(argv.slice(1));
    }
    case undefined:
    case '-h':
    case '--help':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      console.error(`audo-eq: unknown command '${command}'\n${USAGE}`);
      return 2;
  }
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
