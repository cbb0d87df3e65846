/**
 * `AUDO_EQ_SIMD` read where a runtime starts (server, queue worker, CLI, test
 * runner): the core's one switch between the WebAssembly SIMD kernels and
 * their JavaScript twins. Parsed by the configuration schema, so `on`/`off`
 * (any case, empty = on) mean the same here as in `loadConfig`.
 */
import { ConfigError, configSchema } from '../../core/app/config.ts';
import { setSimdEnabled } from '../../core/wasm/simd-module.ts';

/**
 * Sets the switch from `env`; throws `ConfigError` for a value other than on/off.
 *
 * @example applySimdSwitch(process.env);
 */
export function applySimdSwitch(env: Record<string, string | undefined>): void {
  const raw = env.AUDO_EQ_SIMD;
  const parsed = configSchema.shape.AUDO_EQ_SIMD.safeParse(raw === undefined || raw.trim() === '' ? undefined : raw);
  if (!parsed.success) throw new ConfigError(`invalid configuration: AUDO_EQ_SIMD: must be on or off, not ${JSON.stringify(raw)}`);
  setSimdEnabled(parsed.data === 'on');
}
