/**
 * Finds the low-pass a lossy encoder leaves in a track: above it the
 * long-term spectrum falls by tens of dB within a fraction of an octave and
 * stays down to the Nyquist frequency. Music rolls off towards the top too,
 * but gradually (a few dB per octave, a few more past 10 kHz); a codec's
 * cut-off is a cliff (MP3 at 128 kbps: about 16 kHz, 60–90 dB down; a
 * 320 kbps file: about 20 kHz).
 */
import type { SpectrumAnalysis } from './spectrum.ts';

/** Resolution of the scan: 1/12-octave bands. */
const BANDS_PER_OCTAVE = 12;
/** The cliff: the next third of an octave lies this far below the third of an octave before the edge. */
const CLIFF_DB = 24;
/** Everything above the edge stays at least this far below the level before it. */
const FLOOR_DB = 18;
/** Edges are looked for from here up (a real low-pass below this is not a codec's). */
const LOWEST_CUTOFF_HZ = 2000;

/**
 * The frequency (Hz) above which `spectrum` holds (almost) nothing, or null
 * when it reaches the Nyquist frequency.
 *
 * @example detectSpectralCutoffHz(analyzeSpectrum(mp3Decoded.channels, 44100)) // ≈ 16000 for a 128 kbps MP3
 */
export function detectSpectralCutoffHz(spectrum: SpectrumAnalysis): number | null {
  const nyquistHz = spectrum.sampleRateHz / 2;
  const levels: number[] = [];
  const edgesHz: number[] = [];
  for (let lowHz = LOWEST_CUTOFF_HZ / 4; ; ) {
    const highHz = lowHz * Math.pow(2, 1 / BANDS_PER_OCTAVE);
    if (highHz > nyquistHz * 0.995) break;
    levels.push(bandLevelDb(spectrum, lowHz, highHz));
    edgesHz.push(highHz);
    lowHz = highHz;
  }
  const third = BANDS_PER_OCTAVE / 3;
  const mean = (from: number, to: number) => {
    let sum = 0;
    for (let i = from; i < to; i++) sum += levels[i];
    return sum / (to - from);
  };
  for (let edge = third; edge + third <= levels.length; edge++) {
    if (edgesHz[edge - 1] < LOWEST_CUTOFF_HZ) continue;
    const before = mean(edge - third, edge);
    if (!(before > -200)) continue;
    if (mean(edge, edge + third) > before - CLIFF_DB) continue;
    let highestAbove = -Infinity;
    for (let i = edge; i < levels.length; i++) highestAbove = Math.max(highestAbove, levels[i]);
    if (highestAbove <= before - FLOOR_DB) return Math.round(edgesHz[edge - 1]);
  }
  return null;
}

/** Mean power density (dB) over [lowHz, highHz). */
function bandLevelDb(spectrum: SpectrumAnalysis, lowHz: number, highHz: number): number {
  const { longTermPower, binHz } = spectrum;
  const first = Math.max(1, Math.ceil(lowHz / binHz));
  const last = Math.min(longTermPower.length - 1, Math.max(first, Math.ceil(highHz / binHz) - 1));
  let sum = 0;
  for (let k = first; k <= last; k++) sum += longTermPower[k];
  const density = sum / (last - first + 1);
  return density > 0 ? 10 * Math.log10(density) : -300;
}
