import { z } from 'zod';

/** Empty strings in env mean "unset" (zod would coerce '' to 0 or false). */
const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);

const port = z.preprocess(unsetIfEmpty, z.coerce.number().int().min(0).max(65535));

/**
 * The one configuration schema every runtime feeds from its environment
 * (SPEC section 8). Env names live only here.
 */
export const configSchema = z.object({
  API_HOST: z.preprocess(unsetIfEmpty, z.string().min(1).default('0.0.0.0')),
  API_PORT: port.default(8000),
});

export type AppConfig = z.infer<typeof configSchema>;

/** Thrown when the environment holds a bad value; its message is one line naming the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Validates an environment map.
 *
 * @example const config = loadConfig({ API_PORT: '8080' }); // config.API_PORT === 8080
 */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const variable = issue.path.join('.') || 'environment';
  throw new ConfigError(`invalid configuration: ${variable}: ${issue.message}`);
}
