/**
 * Wall time per stage, as the diagnostics' `stage_ms` reports it: each lap
 * records the milliseconds since the previous lap (or the start) under the
 * name of the stage that just ended.
 */

export interface StageTimer {
  readonly stageMs: Record<string, number>;
  lap(stage: string): void;
  /** Ends two stages that ran interleaved: `second` took `secondMs` of the time since the last lap, `first` the rest. */
  lapInterleaved(first: string, second: string, secondMs: number): void;
}

/**
 * @example const timer = createStageTimer(); decode(); timer.lap('target_decode_ms'); timer.stageMs.target_decode_ms // e.g. 41.7
 */
export function createStageTimer(): StageTimer {
  const stageMs: Record<string, number> = {};
  let mark = performance.now();
  const round = (ms: number) => Number(ms.toFixed(1));
  return {
    stageMs,
    lap(stage) {
      const now = performance.now();
      stageMs[stage] = round(now - mark);
      mark = now;
    },
    lapInterleaved(first, second, secondMs) {
      const now = performance.now();
      stageMs[first] = round(Math.max(0, now - mark - secondMs));
      stageMs[second] = round(secondMs);
      mark = now;
    },
  };
}
