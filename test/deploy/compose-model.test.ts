// The compose loader used by the deployment tests must merge and interpolate
// the way Docker Compose does; these cases are the Compose specification's own
// examples (section "Merge" and "Interpolation").
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interpolate, newTrace } from '../support/compose/interpolate.ts';
import { loadComposeProject } from '../support/compose/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'audo-eq-compose-model-'));
let counter = 0;

function project(files: string[], env: Record<string, string> = {}, profiles: string[] = []) {
  const names = files.map((text) => {
    const name = `file-${counter++}.yaml`;
    writeFileSync(join(dir, name), text);
    return name;
  });
  return loadComposeProject(names, env, { cwd: dir, profiles });
}

test('mappings merge key by key and later scalars win', () => {
  const p = project([
    'services:\n  foo:\n    image: a\n    labels: {key1: value1, key2: value2}\n',
    'services:\n  foo:\n    labels: {key2: VALUE, key3: value3}\n',
  ]);
  assert.equal(p.services.foo.labels, { key1: 'value1', key2: 'VALUE', key3: 'value3' });
});

test('plain sequences append and command is replaced, not appended', () => {
  const p = project([
    'services:\n  foo:\n    image: a\n    dns: [1.1.1.1]\n    command: ["echo", "foo"]\n',
    'services:\n  foo:\n    dns: [8.8.8.8]\n    command: ["echo", "bar"]\n',
  ]);
  assert.equal(p.services.foo.dns, ['1.1.1.1', '8.8.8.8']);
  assert.equal(p.services.foo.command, ['echo', 'bar']);
});

test('healthcheck test is replaced while the other healthcheck keys merge', () => {
  const p = project([
    'services:\n  foo:\n    image: a\n    healthcheck: {test: ["CMD", "a"], interval: 5s}\n',
    'services:\n  foo:\n    healthcheck: {test: "b --probe", retries: 3}\n',
  ]);
  assert.equal(p.services.foo.healthcheck, { test: ['CMD-SHELL', 'b --probe'], interval: '5s', retries: 3 });
});

test('volumes stay unique by target and ports by ip, published, target and protocol', () => {
  const p = project([
    'services:\n  foo:\n    image: a\n    volumes: ["foo:/work"]\n    ports: ["8000:8000", "9000:9000"]\nvolumes: {foo: {}, bar: {}}\n',
    'services:\n  foo:\n    volumes: ["bar:/work"]\n    ports: ["8000:8000", "127.0.0.1:9000:9000", "7000:7000/udp"]\n',
  ]);
  assert.equal(p.services.foo.volumes, [{ type: 'volume', source: 'bar', target: '/work' }]);
  assert.equal(p.services.foo.ports, [
    { target: 8000, published: '8000', protocol: 'tcp' },
    { target: 9000, published: '9000', protocol: 'tcp' },
    { target: 9000, published: '9000', host_ip: '127.0.0.1', protocol: 'tcp' },
    { target: 7000, published: '7000', protocol: 'udp' },
  ]);
});

test('environment lists and mappings merge by variable name', () => {
  const p = project([
    'services:\n  foo:\n    image: a\n    environment: ["A=1", "B=2", "C"]\n',
    'services:\n  foo:\n    environment: {B: "3", D: 4}\n',
  ]);
  assert.equal(p.services.foo.environment, { A: '1', B: '3', C: null, D: '4' });
});

test('!reset removes a value and !override replaces a sequence without merging', () => {
  const p = project([
    'services:\n  app:\n    image: myapp\n    ports: ["8080:80"]\n    environment: {FOO: BAR, KEEP: x}\n',
    'services:\n  app:\n    ports: !override ["8443:443"]\n    environment: {FOO: !reset null}\n',
  ]);
  assert.equal(p.services.app.ports, [{ target: 443, published: '8443', protocol: 'tcp' }]);
  assert.equal(p.services.app.environment, { KEEP: 'x' });
  const reset = project(['services:\n  app:\n    image: myapp\n    ports: ["8080:80"]\n', 'services:\n  app:\n    ports: !reset []\n']);
  assert.is(reset.services.app.ports, undefined);
});

test('logging options merge only when the driver is the same', () => {
  const same = project([
    'services:\n  a:\n    image: x\n    logging: {driver: json-file, options: {max-size: 1m}}\n',
    'services:\n  a:\n    logging: {options: {max-file: "3"}}\n',
  ]);
  assert.equal(same.services.a.logging, { driver: 'json-file', options: { 'max-size': '1m', 'max-file': '3' } });
  const other = project([
    'services:\n  a:\n    image: x\n    logging: {driver: json-file, options: {max-size: 1m}}\n',
    'services:\n  a:\n    logging: {driver: syslog}\n',
  ]);
  assert.equal(other.services.a.logging, { driver: 'syslog' });
});

test('interpolation follows the compose operators, nesting and $$ escapes', () => {
  const env: Record<string, string> = { SET: 'v', EMPTY: '' };
  const lookup = (name: string) => env[name];
  assert.is(interpolate('${SET}-$SET-${UNSET:-d}-${EMPTY:-d}-${EMPTY-d}', lookup), 'v-v-d-d-');
  assert.is(interpolate('${SET:+alt}|${EMPTY:+alt}|${EMPTY+alt}|${UNSET+alt}', lookup), 'alt||alt|');
  assert.is(interpolate('${UNSET:-${ALSO_UNSET:-deep}}', lookup), 'deep');
  assert.is(interpolate('cost: $$5 and $${SET}', lookup), 'cost: $5 and ${SET}');
  assert.throws(() => interpolate('${EMPTY:?must be set}', lookup), /EMPTY.*must be set/);
  assert.is(interpolate('${EMPTY?set but empty is fine}', lookup), '');
  const trace = newTrace();
  interpolate('${SET:-${INNER}} $BARE', lookup, trace);
  assert.equal([...trace.referenced].sort(), ['BARE', 'INNER', 'SET']);
  assert.equal([...trace.unset].sort(), ['BARE', 'INNER']);
});

test('services outside the enabled profiles are dropped, with required dependencies enforced', () => {
  const files = [
    'services:\n  api:\n    image: a\n    depends_on:\n      cache: {condition: service_healthy, required: false}\n  cache:\n    image: r\n    profiles: [cache]\n    healthcheck: {test: ["CMD", "true"]}\n',
  ];
  const without = project(files);
  assert.equal(Object.keys(without.services), ['api']);
  assert.equal(without.services.api.depends_on, {});
  assert.equal(without.warnings.length, 1);
  const withProfile = project(files, {}, ['cache']);
  assert.equal(Object.keys(withProfile.services).sort(), ['api', 'cache']);
  assert.throws(
    () => project(['services:\n  api:\n    image: a\n    depends_on: [cache]\n  cache:\n    image: r\n    profiles: [cache]\n']),
    /disabled by its profiles/,
  );
});

test('broken references are refused as compose would refuse them', () => {
  assert.throws(() => project(['services:\n  a:\n    image: x\n    volumes: ["data:/d"]\n']), /undeclared volume data/);
  assert.throws(() => project(['services:\n  a:\n    image: x\n    depends_on: [b]\n']), /undefined service b/);
  assert.throws(
    () => project(['services:\n  a:\n    image: x\n    depends_on: {b: {condition: service_healthy}}\n  b:\n    image: y\n']),
    /no healthcheck/,
  );
  assert.throws(() => project(['services:\n  a:\n    restart: always\n']), /neither an image nor a build/);
  assert.throws(() => project(['services:\n  a:\n    image: x\n    ports: ["80:80"]\n', 'services:\n  a:\n    ports: {x: 1}\n']), /cannot merge/);
});

test.run();
