/**
 * `AUDO_EQ_SIMD` read where a runtime starts (server, queue worker, CLI, test
 * runner): the core's one switch between the WebAssembly SIMD kernels and
 * their JavaScript twins. Parsed by `loadConfig`, so `on`/`off` (any case,
 * empty = on) and the error for anything else are the configuration's own.
 */
import { loadConfig } from '../../core/app/config.ts';
import { setSimdEnabled } from '../../core/wasm/simd-module.ts';
import { simdSettingOf } from './simd-setting.ts';

/**
 * Sets the switch from `env`; throws `ConfigError` for a value other than on/off.
 *
 * @example applySimdSwitch(process.env);
 */
export function applySimdSwitch(env: Record<string, string | undefined>): void {
  // The whole schema with only this variable set: its defaults are valid, so only AUDO_EQ_SIMD can fail.
  // On/off/empty without the schema; any other value through it, which refuses it.
  setSimdEnabled(simdSettingOf(env) ?? (loadConfig({ AUDO_EQ_SIMD: env.AUDO_EQ_SIMD }).AUDO_EQ_SIMD === 'on'));
}
