// Bounds for tests that wait on other processes: every wait fails with a
// message instead of hanging the run.

/**
 * The shortest bound any wait gets. The bounds are guards against a hang,
 * not speed goals (those are in `npm run bench`): a wait ends as soon as its
 * condition holds, so a generous floor costs nothing when things work, and a
 * machine busy with other runs can take many seconds for what takes
 * milliseconds on a quiet one.
 */
export const MIN_WAIT_BOUND_MS = 60_000;

/** `ms`, raised to the floor. */
export function waitBoundMs(ms: number): number {
  return Math.max(ms, MIN_WAIT_BOUND_MS);
}

/** `promise`, or a rejection naming `what` after `requestedMs` (at least `MIN_WAIT_BOUND_MS`). */
export async function withinMs<T>(promise: Promise<T>, requestedMs: number, what: string): Promise<T> {
  const ms = waitBoundMs(requestedMs);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` every `intervalMs` until it returns true, or fails after `requestedMs` (at least `MIN_WAIT_BOUND_MS`) with `describe()` in the message. */
export async function waitUntil(check: () => Promise<boolean> | boolean, requestedMs: number, describe: () => string | Promise<string>, intervalMs = 50): Promise<void> {
  const ms = waitBoundMs(requestedMs);
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms: ${await describe()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
