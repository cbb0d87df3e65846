/** One target/reference pair of the matching set: what a user would send, and how it was made. */
export interface MatchingPair {
  /** Short stable name, e.g. `narrow-vs-wide`. */
  id: string;
  /** `synthetic`: made from generated audio (always available); `real`: released, human-made music from Debian packages. */
  group: 'synthetic' | 'real';
  /** How the two files were made, and what the pair tests. */
  description: string;
  /** Absolute paths of the WAV files. */
  target: string;
  reference: string;
}
