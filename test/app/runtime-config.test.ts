// The runtime settings in the configuration schema: defaults, the
// "nothing waiting" backpressure setting, and bad values named in the error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig } from '../../core/app/config.ts';

test('runtime settings have their documented defaults, and AUDO_EQ_WORKERS is left to the runtime', () => {
  const config = loadConfig({});
  assert.equal(
    [config.AUDO_EQ_WORKERS, config.AUDO_EQ_MAX_PENDING, config.AUDO_EQ_WORKER_NICE, config.AUDO_EQ_REQUEST_TIMEOUT_MS, config.AUDO_EQ_UPLOAD_IDLE_TIMEOUT_MS, config.AUDO_EQ_SHUTDOWN_TIMEOUT_MS],
    [undefined, 8, 10, 1_800_000, 30_000, 25_000],
  );
});

test('AUDO_EQ_MAX_PENDING=0 means no waiting place (only the workers run), and AUDO_EQ_WORKER_NICE=0 keeps workers at the server priority', () => {
  const config = loadConfig({ AUDO_EQ_MAX_PENDING: '0', AUDO_EQ_WORKER_NICE: '0', AUDO_EQ_WORKERS: '3' });
  assert.equal([config.AUDO_EQ_MAX_PENDING, config.AUDO_EQ_WORKER_NICE, config.AUDO_EQ_WORKERS], [0, 0, 3]);
});

test('a bad runtime setting stops start-up with a message naming the variable', () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ AUDO_EQ_WORKERS: '0' }, 'AUDO_EQ_WORKERS'],
    [{ AUDO_EQ_MAX_PENDING: '2.5' }, 'AUDO_EQ_MAX_PENDING'],
    [{ AUDO_EQ_WORKER_NICE: '20' }, 'AUDO_EQ_WORKER_NICE'],
    [{ AUDO_EQ_REQUEST_TIMEOUT_MS: '0' }, 'AUDO_EQ_REQUEST_TIMEOUT_MS'],
    [{ AUDO_EQ_UPLOAD_IDLE_TIMEOUT_MS: 'soon' }, 'AUDO_EQ_UPLOAD_IDLE_TIMEOUT_MS'],
    [{ AUDO_EQ_SHUTDOWN_TIMEOUT_MS: '-5' }, 'AUDO_EQ_SHUTDOWN_TIMEOUT_MS'],
  ];
  for (const [env, variable] of cases) {
    const error = (() => {
      try {
        loadConfig(env);
        return null;
      } catch (e) {
        return e;
      }
    })();
    assert.instance(error, ConfigError, variable);
    assert.match((error as ConfigError).message, new RegExp(`^invalid configuration: ${variable}:`));
  }
});

test.run();
