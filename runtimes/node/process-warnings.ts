/**
 * Process warnings as log records. Node prints each `process.emitWarning` as
 * raw text on stderr, and the AWS SDK's NodeVersionSupportWarning on Node 20
 * is nine lines of it: in a JSON log stream that is nine broken records. Node
 * prints them through a `'warning'` listener it installs at start-up; this
 * replaces that listener with one that logs each warning as one record
 * (`process warning`, with `warning_name` and the text on one line).
 * Warnings that arrive before the logger exists are held and logged once it
 * is attached, or printed one line each if start-up fails first.
 */
import type { AppLogger } from '../../core/app/ports.ts';

/** Enough for every warning of a start-up; a flood beyond it is counted, not kept. */
const MAX_HELD_WARNINGS = 50;

export interface ProcessWarningRoute {
  /** Logs held warnings and every later one through `logger`. */
  attach(logger: AppLogger): void;
  /** Prints held warnings one line each on stderr (start-up failed before a logger existed). */
  release(): void;
}

/** One line of text from a warning whose message may span many. */
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();

/**
 * Takes over process warnings from Node's stderr printer. Call it first thing
 * in a process whose output is a log stream.
 *
 * @example
 * const warnings = routeProcessWarnings();
 * const { logger } = await composeFromEnv(process.env, options);
 * warnings.attach(logger);
 */
export function routeProcessWarnings(): ProcessWarningRoute {
  const held: Error[] = [];
  let dropped = 0;
  let logger: AppLogger | null = null;
  const log = (target: AppLogger, warning: Error) => target.warn('process warning', { warning_name: warning.name, warning: oneLine(warning.message) });
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error) => {
    if (logger) log(logger, warning);
    else if (held.length < MAX_HELD_WARNINGS) held.push(warning);
    else dropped++;
  });
  const drain = () => held.splice(0, held.length);
  return {
    attach(target) {
      logger = target;
      for (const warning of drain()) log(target, warning);
      if (dropped > 0) target.warn('process warnings dropped before logging started', { count: dropped });
    },
    release() {
      for (const warning of drain()) process.stderr.write(`${warning.name}: ${oneLine(warning.message)}\n`);
    },
  };
}
