/**
 * Platform loudness targets as data: each preset is an integrated loudness
 * goal and a true-peak ceiling, chosen from what the platform publishes or
 * normalises to (2024–2026 documentation):
 *
 * - spotify: plays at −14 LUFS and asks for −1 dBTP (−2 dBTP for masters louder than −14).
 * - apple-music: Sound Check normalises to −16 LUFS; Apple's "Mastered for iTunes/Apple Digital Masters" asks for −1 dBTP.
 * - youtube: normalises to about −14 LUFS; −1 dBTP leaves its AAC/Opus encoders room.
 * - amazon-music: normalises to −14 LUFS and recommends −2 dBTP.
 * - tidal: normalises to −14 LUFS; −1 dBTP.
 * - ebu-r128: broadcast, −23 LUFS ± 0.5 LU, maximum −1 dBTP (EBU R 128, Tech 3343).
 * - podcast: −16 LUFS for stereo programmes (Apple Podcasts, AES TD1008), −1 dBTP.
 * - cd: no normalisation; a loud modern CD master sits near −9 LUFS with −0.3 dBTP of headroom.
 */
export const LOUDNESS_PRESET_IDS = ['spotify', 'apple-music', 'youtube', 'amazon-music', 'tidal', 'ebu-r128', 'podcast', 'cd'] as const;

export type LoudnessPresetId = (typeof LOUDNESS_PRESET_IDS)[number];

export interface LoudnessPreset {
  readonly goalLufs: number;
  readonly ceilingDbtp: number;
}

export const LOUDNESS_PRESETS: Readonly<Record<LoudnessPresetId, LoudnessPreset>> = {
  spotify: { goalLufs: -14, ceilingDbtp: -1 },
  'apple-music': { goalLufs: -16, ceilingDbtp: -1 },
  youtube: { goalLufs: -14, ceilingDbtp: -1 },
  'amazon-music': { goalLufs: -14, ceilingDbtp: -2 },
  tidal: { goalLufs: -14, ceilingDbtp: -1 },
  'ebu-r128': { goalLufs: -23, ceilingDbtp: -1 },
  podcast: { goalLufs: -16, ceilingDbtp: -1 },
  cd: { goalLufs: -9, ceilingDbtp: -0.3 },
};
