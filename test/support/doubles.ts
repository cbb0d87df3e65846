// Test doubles for the HTTP contract tests that do not need real audio work:
// a runner that echoes a small WAV, an in-memory storage, a failing storage.
import type { ArtifactObject, ArtifactStorage, MasteringJob, MasteringJobResult, MasteringRunner, StoredArtifact } from '../../core/app/ports.ts';
import { IngestValidationError, type IngestErrorCode } from '../../core/domain/errors.ts';
import { resolveProfile } from '../../core/mastering/options.ts';
import { sampleDiagnostics } from './diagnostics.ts';

/** A valid 16-bit mono PCM WAV of `frames` samples of a 1 kHz tone at 8 kHz. */
export function tinyWav(frames = 800): Uint8Array {
  const bytes = new Uint8Array(44 + frames * 2);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => [...text].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + frames * 2, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, 8000, true);
  view.setUint32(28, 16000, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, frames * 2, true);
  for (let i = 0; i < frames; i++) view.setInt16(44 + i * 2, Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)), true);
  return bytes;
}

/**
 * A runner that records the jobs it gets and answers with `tinyWav()`, or
 * throws the ingest error named by the target's first bytes (`ERR:<code>`).
 */
export function createEchoRunner(): MasteringRunner & { jobs: MasteringJob[] } {
  const jobs: MasteringJob[] = [];
  return {
    jobs,
    async run(job): Promise<MasteringJobResult> {
      jobs.push(job);
      const head = new TextDecoder().decode(job.target.bytes.subarray(0, 40));
      if (head.startsWith('ERR:')) throw new IngestValidationError(head.slice(4).trim() as IngestErrorCode, undefined, { part: 'target' });
      const profile = resolveProfile(job.options);
      const occurredAt = new Date().toISOString();
      return {
        wav: tinyWav(),
        policies: { policyVersion: 'v1', ingestPolicyId: 'ingest-validation-default', normalizationPolicyId: 'pcm-canonical-default' },
        // A non-ASCII strategy id: headers must escape it.
        diagnostics: sampleDiagnostics({ profile, strategy: { id: 'naïve test double', conditions: {} } }),
        events: [
          { name: 'IngestValidated', correlationId: job.correlationId, occurredAt, payload: { target: { size_bytes: job.target.bytes.byteLength } } },
          { name: 'MasteringRendered', correlationId: job.correlationId, occurredAt, payload: { profile } },
        ],
      };
    },
  };
}

/** Storage in a Map; `url` is a fake `memory://` URL. */
export function createMemoryStorage(): ArtifactStorage & { objects: Map<string, ArtifactObject> } {
  const objects = new Map<string, ArtifactObject>();
  return {
    backend: 'memory',
    objects,
    async store(object): Promise<StoredArtifact> {
      objects.set(object.key, object);
      return { key: object.key, url: `memory://bucket/${object.key}`, destination: `memory://bucket/${object.key}` };
    },
    async exists(key) {
      return objects.has(key);
    },
    async read(key) {
      return objects.get(key)?.bytes ?? null;
    },
    async remove(key) {
      objects.delete(key);
    },
    async checkReady() {},
  };
}

/** Storage whose every call fails with `message`. */
export function createFailingStorage(message = 'connect ECONNREFUSED 127.0.0.1:9'): ArtifactStorage {
  return {
    backend: 'failing',
    async store() {
      throw new Error(message);
    },
    async exists() {
      throw new Error(message);
    },
    async read() {
      throw new Error(message);
    },
    async remove() {
      throw new Error(message);
    },
    async checkReady() {
      throw new Error(message);
    },
  };
}

/** A logger that keeps every record for assertions. */
export function createRecordingLogger() {
  const records: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  const at = (level: string) => (message: string, fields: Record<string, unknown> = {}) => void records.push({ level, message, fields });
  return { records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A multipart body with the given file parts (and optional text fields). */
export function multipartForm(files: Record<string, Uint8Array | string>, filenames: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [name, content] of Object.entries(files)) {
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    form.append(name, new Blob([bytes as Uint8Array<ArrayBuffer>]), filenames[name] ?? `${name}.wav`);
  }
  return form;
}
