// `audo-eq` itself, run as a real process: the command dispatcher's usage errors and help.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from './workspace.ts';

test('a missing or unknown command is one line on stderr and exit code 2', () => {
  for (const [args, message] of [
    [[], /^audo-eq: missing command \(commands: serve, analyze, master, batch-master; audo-eq --help lists them\)\n$/],
    [['mastr'], /^audo-eq: unknown command 'mastr' \(commands: serve, analyze, master, batch-master; audo-eq --help lists them\)\n$/],
  ] as const) {
    const { status, stdout, stderr } = runCli([...args]);
    assert.is(status, 2, args.join(' '));
    assert.is(stdout, '');
    assert.match(stderr, message);
  }
});

test('--help lists the commands on stdout and exits 0', () => {
  const { status, stdout, stderr } = runCli(['--help']);
  assert.is(status, 0);
  assert.is(stderr, '');
  for (const command of ['serve', 'analyze FILE', 'master -t T -r R -o OUT', 'batch-master']) assert.ok(stdout.includes(command), command);
});

test.run();
