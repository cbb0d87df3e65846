// Builds small PCM WAV files with chosen header values, for ingest limits
// (sample rate, channel count, duration) reached over HTTP.

export interface WavSpec {
  readonly sampleRateHz: number;
  readonly channels: number;
  readonly frames: number;
  /** 8 (unsigned) or 16 (signed); default 16. */
  readonly bitsPerSample?: 8 | 16;
}

/** A canonical 44-byte-header PCM WAV holding a quiet 440 Hz tone on every channel. */
export function buildPcmWav(spec: WavSpec): Uint8Array {
  const bits = spec.bitsPerSample ?? 16;
  const bytesPerSample = bits / 8;
  const dataBytes = spec.frames * spec.channels * bytesPerSample;
  const bytes = new Uint8Array(44 + dataBytes + (dataBytes % 2));
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => [...text].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  ascii(0, 'RIFF');
  view.setUint32(4, bytes.byteLength - 8, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, spec.channels, true);
  view.setUint32(24, spec.sampleRateHz, true);
  view.setUint32(28, spec.sampleRateHz * spec.channels * bytesPerSample, true);
  view.setUint16(32, spec.channels * bytesPerSample, true);
  view.setUint16(34, bits, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  // One period of the tone, then copied: a 1 h file is built in milliseconds.
  const period = Math.max(1, Math.round(spec.sampleRateHz / 440));
  const periodBytes = Math.min(spec.frames, period) * spec.channels * bytesPerSample;
  for (let frame = 0; frame < Math.min(spec.frames, period); frame++) {
    const value = 0.1 * Math.sin((2 * Math.PI * frame) / period);
    for (let channel = 0; channel < spec.channels; channel++) {
      const offset = 44 + (frame * spec.channels + channel) * bytesPerSample;
      if (bits === 8) view.setUint8(offset, Math.round(128 + 127 * value));
      else view.setInt16(offset, Math.round(32767 * value), true);
    }
  }
  for (let offset = 44 + periodBytes; offset < 44 + dataBytes; offset += periodBytes) {
    bytes.copyWithin(offset, 44, 44 + Math.min(periodBytes, 44 + dataBytes - offset));
  }
  return bytes;
}
