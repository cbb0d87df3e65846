/**
 * The whole matching set: the synthetic pairs always, the real-music pairs
 * when their Debian packages are installed. Files are built once under `dir`
 * and found there on later runs (the first build takes about a minute).
 */
import type { MatchingPair } from './pair.ts';
import { MUSIC_PACKAGES, realMusicAvailable, realMusicPairs } from './real-music-pairs.ts';
import { syntheticPairs } from './synthetic-pairs.ts';

export interface PairSet {
  pairs: MatchingPair[];
  /** Why the real-music pairs are absent, or null when they are included. */
  realMusicSkipped: string | null;
}

export function buildPairSet(dir: string): PairSet {
  const pairs = syntheticPairs(`${dir}/synthetic`);
  if (!realMusicAvailable()) {
    return { pairs, realMusicSkipped: `real-music pairs skipped: install the Debian packages ${MUSIC_PACKAGES.join(' ')} (apt-get install) to include them` };
  }
  return { pairs: [...pairs, ...realMusicPairs(`${dir}/real`)], realMusicSkipped: null };
}
