// The image cannot be built here (no Docker engine), so its Dockerfile is
// checked as the builder reads it: stages, base images, dependencies, user,
// healthcheck, stop signal and start command, and that .dockerignore sends
// every file the start command loads.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandOf, dockerignoreFilter, envOf, healthCheckOf, instructionsOf, parseDockerfile } from '../support/dockerfile.ts';
import { localImportGraph } from '../support/deploy.ts';
import { repoRoot } from '../support/processes.ts';

const stages = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
const runtime = stages[stages.length - 1];
const sendsToBuilder = dockerignoreFilter(readFileSync(join(repoRoot, '.dockerignore'), 'utf8'));

test('the Dockerfile parser reads continuations, stages, ENV forms and exec or shell commands', () => {
  const parsed = parseDockerfile('ARG V=1\nFROM a:1 AS one\n# note\nRUN x \\\n  && y\nFROM --platform=linux/amd64 b\nENV A=1 B="two words"\nENV C legacy value\nCMD node s.js\n');
  assert.equal(parsed.map((s) => [s.name, s.base]), [['one', 'a:1'], [undefined, 'b']]);
  assert.equal(parsed[0].instructions, [{ keyword: 'RUN', args: 'x    && y' }]);
  assert.equal(envOf(parsed[1]), { A: '1', B: 'two words', C: 'legacy value' });
  assert.equal(commandOf(instructionsOf(parsed[1], 'CMD')[0].args), ['/bin/sh', '-c', 'node s.js']);
  assert.equal(healthCheckOf('--interval=5s --retries=2 CMD ["a", "b"]'), { options: { interval: '5s', retries: '2' }, command: ['a', 'b'] });
  const filter = dockerignoreFilter('*\n!src\nsrc/**/*.test.ts\n');
  assert.ok(filter('src/a/b.ts'));
  assert.not.ok(filter('src/a/b.test.ts'));
  assert.not.ok(filter('test/x.ts'));
});

test('the image is multi-stage on Node 20 slim with production dependencies from the lockfile', () => {
  assert.ok(stages.length >= 2, 'at least a dependency stage and a runtime stage');
  for (const stage of stages) assert.match(stage.base, /^node:20(\.[\d.]+)?-(\w+-)?slim$/);
  // The stage whose node_modules the runtime stage copies (a build stage may run its own full npm ci).
  const nodeModulesCopy = instructionsOf(runtime, 'COPY').find((c) => /--from=\S+/.test(c.args) && /node_modules/.test(c.args));
  const deps = stages.find((s) => s.name !== undefined && nodeModulesCopy?.args.includes(`--from=${s.name}`));
  assert.ok(deps && instructionsOf(deps, 'RUN').some((r) => /\bnpm ci\b/.test(r.args)), 'the runtime takes node_modules from a stage that runs npm ci');
  assert.ok(deps !== runtime, 'dependencies are installed in a build stage, not the runtime stage');
  const install = instructionsOf(deps!, 'RUN').find((r) => /\bnpm ci\b/.test(r.args))!.args;
  assert.match(install, /--omit=dev/);
  assert.ok(instructionsOf(deps!, 'COPY').some((c) => /package-lock\.json/.test(c.args)), 'the lockfile is copied before npm ci');
  const fromDeps = instructionsOf(runtime, 'COPY').find((c) => c.args.includes(`--from=${deps!.name}`));
  assert.ok(fromDeps && /node_modules/.test(fromDeps.args), 'the runtime stage takes node_modules from the deps stage');
  assert.not.ok(instructionsOf(runtime, 'RUN').some((r) => /\bnpm (ci|install)\b/.test(r.args)), 'no install in the runtime stage');
});

test('the runtime stage runs as a non-root user that owns its data directory but not the code', () => {
  const users = instructionsOf(runtime, 'USER');
  assert.ok(users.length > 0, 'USER is set');
  const user = users[users.length - 1].args.trim();
  assert.not.match(user, /^(root|0)(:|$)/);
  const userName = user.split(':')[0];
  assert.is(envOf(runtime).NODE_ENV, 'production');
  const dataDir = envOf(runtime).AUDO_EQ_DATA_DIR;
  assert.ok(dataDir, 'the image sets AUDO_EQ_DATA_DIR');
  const userIndex = runtime.instructions.lastIndexOf(users[users.length - 1]);
  const beforeUser = runtime.instructions.slice(0, userIndex);
  assert.ok(
    beforeUser.some((i) => i.keyword === 'RUN' && i.args.includes(`chown ${userName}`) && i.args.includes(dataDir)),
    `${dataDir} is created and handed to ${userName} before USER`,
  );
  for (const copy of instructionsOf(runtime, 'COPY')) {
    assert.not.match(copy.args, new RegExp(`--chown=${userName}\\b`), `code stays read-only for ${userName}: COPY ${copy.args}`);
  }
});

test('the healthcheck probes /health with Node (no curl in the image) using a file the image contains', () => {
  const checks = instructionsOf(runtime, 'HEALTHCHECK');
  assert.is(checks.length, 1);
  const check = healthCheckOf(checks[0].args)!;
  assert.ok(check, 'HEALTHCHECK is not NONE');
  assert.is(check.command[0], 'node');
  assert.not.ok(check.command.join(' ').includes('curl'));
  for (const option of ['interval', 'timeout', 'start-period', 'retries']) assert.ok(check.options[option], `--${option} is set`);
  const script = check.command.find((arg) => /\.m?js$/.test(arg))!;
  assert.ok(script, 'the probe is a script file');
  assert.ok(existsSync(join(repoRoot, script)), `${script} exists`);
  assert.ok(sendsToBuilder(script), `${script} is not excluded by .dockerignore`);
  assert.match(readFileSync(join(repoRoot, script), 'utf8'), /\/health\b/);
});

test('STOPSIGNAL is SIGTERM and the start command is node itself running the Node server', () => {
  assert.equal(instructionsOf(runtime, 'STOPSIGNAL').map((i) => i.args), ['SIGTERM']);
  assert.is(instructionsOf(runtime, 'ENTRYPOINT').length, 0, 'no ENTRYPOINT wraps the command');
  const cmds = instructionsOf(runtime, 'CMD');
  assert.is(cmds.length, 1);
  assert.ok(cmds[0].args.trim().startsWith('['), 'exec form, so no shell sits between the signal and node');
  const command = commandOf(cmds[0].args);
  assert.is(command[0], 'node', 'node is PID 1 (not npm, which does not forward signals)');
  assert.equal(command.slice(1), ['dist/runtimes/node/server.js'], 'the built JavaScript, no TypeScript loader');
});

test('a build stage compiles the sources into dist/ and the runtime stage takes dist/ from it', () => {
  const build = stages.find((s) => instructionsOf(s, 'RUN').some((r) => /\bnpm run build\b/.test(r.args)));
  assert.ok(build && build !== runtime, 'a stage other than the runtime stage runs npm run build');
  const copies = instructionsOf(build!, 'COPY').map((c) => c.args);
  for (const path of ['tsconfig.json', 'tsconfig.build.json', 'mod.ts', 'core', 'adapters', 'runtimes', 'types', 'tools/build-dist.mjs']) {
    assert.ok(copies.some((args) => args.split(/\s+/).includes(path)), `the build stage copies ${path}`);
    assert.ok(sendsToBuilder(path === 'core' || path === 'adapters' || path === 'runtimes' || path === 'types' ? `${path}/x.ts` : path), `${path} reaches the builder`);
  }
  assert.ok(instructionsOf(runtime, 'COPY').some((c) => c.args.includes(`--from=${build!.name}`) && /\bdist\b/.test(c.args)), 'the runtime stage copies dist/');
  // The production install must not run `prepare` (the compiler is a dev dependency).
  const deps = stages.find((s) => instructionsOf(s, 'RUN').some((r) => /--omit=dev/.test(r.args)))!;
  assert.match(instructionsOf(deps, 'RUN').find((r) => /\bnpm ci\b/.test(r.args))!.args, /--ignore-scripts/);
});

test('.dockerignore sends every file the start command loads and keeps secrets and tests out', () => {
  for (const file of [...localImportGraph('runtimes/node/server.ts'), 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'types/fili.d.ts']) {
    assert.ok(sendsToBuilder(file), `${file} reaches the image`);
  }
  for (const file of ['.env', 'node_modules/tsx/package.json', 'dist/mod.js', 'test/deploy/dockerfile.test.ts', 'data/x.wav', 'test-output/a', '.git/HEAD']) {
    assert.not.ok(sendsToBuilder(file), `${file} stays out of the image`);
  }
});

test.run();
