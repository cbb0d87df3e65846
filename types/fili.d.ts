// Minimal types for the parts of fili audo-eq uses (fili ships none).
declare module 'fili' {
  export interface FiliBiquad {
    /** [a1, a2], already divided by a0 */
    a: [number, number];
    /** [b0, b1, b2], already divided by a0; multiply by k */
    b: [number, number, number];
    k: number;
  }
  export interface FiliIirParams {
    Fs: number;
    Fc: number;
    Q?: number;
    BW?: number;
    gain?: number;
  }
  export interface FiliIirCoeffs {
    lowpass(params: FiliIirParams): FiliBiquad;
    highpass(params: FiliIirParams): FiliBiquad;
    bandpass(params: FiliIirParams): FiliBiquad;
    peak(params: FiliIirParams): FiliBiquad;
    lowshelf(params: FiliIirParams): FiliBiquad;
    highshelf(params: FiliIirParams): FiliBiquad;
  }
  const Fili: { IirCoeffs: new () => FiliIirCoeffs };
  export default Fili;
}
