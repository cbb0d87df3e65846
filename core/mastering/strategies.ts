/**
 * Mastering strategies (SPEC section 4) as data: the conditions read from the
 * analysis, and what each strategy scales. Selection is a priority list.
 */

export type StrategyId =
  | 'corrective_combo'
  | 'clip_guard'
  | 'dynamic_rescue'
  | 'harsh_tame'
  | 'bass_control'
  | 'balanced';

export type ConditionId = 'bass_heavy' | 'harsh_upper_mids' | 'over_compressed' | 'clipping_prone';

export interface StrategyScales {
  readonly eqScale: number;
  readonly dynamicsScale: number;
  readonly deEsserScale: number;
  /** Added to the de-esser threshold (a share, e.g. −0.01). */
  readonly deEsserThresholdOffset: number;
  /** Added to the limiter ceiling in dB. */
  readonly ceilingOffsetDb: number;
}

export const STRATEGY_SCALES: Readonly<Record<StrategyId, StrategyScales>> = {
  corrective_combo: { eqScale: 1.2, dynamicsScale: 1.25, deEsserScale: 1.25, deEsserThresholdOffset: -0.01, ceilingOffsetDb: -0.2 },
  clip_guard: { eqScale: 1, dynamicsScale: 1.15, deEsserScale: 1, deEsserThresholdOffset: 0, ceilingOffsetDb: -0.2 },
  dynamic_rescue: { eqScale: 1, dynamicsScale: 1.3, deEsserScale: 1, deEsserThresholdOffset: 0, ceilingOffsetDb: -0.1 },
  harsh_tame: { eqScale: 1.15, dynamicsScale: 1, deEsserScale: 1.2, deEsserThresholdOffset: -0.01, ceilingOffsetDb: 0 },
  bass_control: { eqScale: 1.2, dynamicsScale: 1.1, deEsserScale: 1, deEsserThresholdOffset: 0, ceilingOffsetDb: -0.05 },
  balanced: { eqScale: 1, dynamicsScale: 1, deEsserScale: 1, deEsserThresholdOffset: 0, ceilingOffsetDb: 0 },
};

/** Thresholds of the conditions (SPEC section 4). */
export const CONDITION_THRESHOLDS = {
  bassHeavyLowShareDelta: 0.08,
  harshHighShareDelta: 0.08,
  harshSibilanceDelta: 0.025,
  overCompressedCrestDeltaDb: 2,
  clippingProneRmsDbfs: -9,
  comboConditionCount: 3,
} as const;

/** What the conditions are computed from (target and reference analysis). */
export interface StrategyInputs {
  readonly targetLowShare: number;
  readonly referenceLowShare: number;
  readonly targetHighShare: number;
  readonly referenceHighShare: number;
  readonly targetSibilance: number;
  readonly referenceSibilance: number;
  readonly targetCrestDb: number;
  readonly referenceCrestDb: number;
  readonly targetClipping: boolean;
  readonly targetRmsDbfs: number;
}

export interface StrategySelection {
  readonly id: StrategyId;
  readonly conditions: Readonly<Record<ConditionId, boolean>>;
  readonly scales: StrategyScales;
}

/**
 * Evaluates the four conditions and picks the strategy: three or more → corrective_combo;
 * else clipping → clip_guard, over-compressed → dynamic_rescue, harsh → harsh_tame,
 * bass-heavy → bass_control, else balanced.
 *
 * @example selectStrategy(inputs).id // 'bass_control'
 */
export function selectStrategy(inputs: StrategyInputs): StrategySelection {
  const t = CONDITION_THRESHOLDS;
  // Inclusive thresholds compared with a hair of tolerance, so 0.075 − 0.05 counts as 0.025.
  const atLeast = (value: number, threshold: number) => value >= threshold - 1e-9;
  const conditions: Record<ConditionId, boolean> = {
    bass_heavy: atLeast(inputs.targetLowShare - inputs.referenceLowShare, t.bassHeavyLowShareDelta),
    harsh_upper_mids:
      atLeast(inputs.targetHighShare - inputs.referenceHighShare, t.harshHighShareDelta) ||
      atLeast(inputs.targetSibilance - inputs.referenceSibilance, t.harshSibilanceDelta),
    over_compressed: atLeast(inputs.referenceCrestDb - inputs.targetCrestDb, t.overCompressedCrestDeltaDb),
    clipping_prone: inputs.targetClipping || atLeast(inputs.targetRmsDbfs, t.clippingProneRmsDbfs),
  };
  const count = Object.values(conditions).filter(Boolean).length;
  const priority: Array<[boolean, StrategyId]> = [
    [count >= t.comboConditionCount, 'corrective_combo'],
    [conditions.clipping_prone, 'clip_guard'],
    [conditions.over_compressed, 'dynamic_rescue'],
    [conditions.harsh_upper_mids, 'harsh_tame'],
    [conditions.bass_heavy, 'bass_control'],
  ];
  const id = priority.find(([met]) => met)?.[1] ?? 'balanced';
  return { id, conditions, scales: STRATEGY_SCALES[id] };
}
