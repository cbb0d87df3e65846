// Test S3 endpoints: a real S3-compatible server (s3rver over HTTP on
// 127.0.0.1, a fresh temp directory each time) and a "black hole" TCP server
// that accepts connections and never answers.
import { GetObjectCommand, HeadBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** s3rver's only credentials (it checks the access key id, not the signature). */
export const S3RVER_ACCESS_KEY = 'S3RVER';
export const S3RVER_SECRET_KEY = 'S3RVER';

export interface TestS3Server {
  readonly port: number;
  readonly endpoint: string;
  /** A client with valid credentials, for checking what the app stored. */
  readonly client: S3Client;
  getObject(bucket: string, key: string): Promise<{ bytes: Uint8Array; contentType?: string; metadata: Record<string, string> }>;
  listKeys(bucket: string): Promise<string[]>;
  bucketExists(bucket: string): Promise<boolean>;
  /** Stops the server (connections closed); the port then refuses connections. */
  stop(): Promise<void>;
}

/**
 * Starts s3rver on 127.0.0.1 (port 0 = any free port) with `buckets` created up front.
 *
 * @example const s3 = await startS3rver({ buckets: ['audo-eq-mastered'] }); … await s3.stop();
 */
export async function startS3rver(options: { buckets?: string[]; port?: number } = {}): Promise<TestS3Server> {
  const directory = mkdtempSync(join(tmpdir(), 'audo-eq-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    directory,
    silent: true,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_ACCESS_KEY, secretAccessKey: S3RVER_SECRET_KEY },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
  let stopped = false;
  return {
    port,
    endpoint,
    client,
    async getObject(bucket, key) {
      const result = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return { bytes: await result.Body!.transformToByteArray(), contentType: result.ContentType, metadata: result.Metadata ?? {} };
    },
    async listKeys(bucket) {
      const result = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
      return (result.Contents ?? []).map((item) => item.Key!);
    },
    async bucketExists(bucket) {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
        return true;
      } catch {
        return false;
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      client.destroy();
      // close() waits for open keep-alive connections; cut them.
      server.httpServer.closeAllConnections();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

export interface BlackHoleServer {
  readonly port: number;
  readonly endpoint: string;
  /** Connections accepted so far. */
  connections(): number;
  stop(): Promise<void>;
}

/**
 * A TCP server on 127.0.0.1 that accepts every connection and never sends a
 * byte: the "hangs forever" failure an S3 client must bound.
 *
 * @example const hole = await startBlackHole(); // AUDO_EQ_S3_ENDPOINT=hole.endpoint
 */
export async function startBlackHole(): Promise<BlackHoleServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.resume(); // read and drop whatever the client sends
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    connections: () => accepted,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A free TCP port on 127.0.0.1 that nothing listens on (connections are refused). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The server environment that points S3 storage at a test server: endpoint,
 * s3rver's only key pair, bucket, and a short time budget per store so a dead
 * endpoint costs tests one second, not minutes.
 *
 * @example startServer(cmd, args, { ...s3rverEnv(s3.endpoint, 'bucket'), AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: 'deferred' })
 */
export function s3rverEnv(endpoint: string, bucket: string, budget: { timeoutMs?: number; maxAttempts?: number } = {}): Record<string, string> {
  return {
    AUDO_EQ_STORAGE_BACKEND: 's3',
    AUDO_EQ_S3_ENDPOINT: endpoint,
    AUDO_EQ_S3_ACCESS_KEY: S3RVER_ACCESS_KEY,
    AUDO_EQ_S3_SECRET_KEY: S3RVER_SECRET_KEY,
    AUDO_EQ_S3_BUCKET: bucket,
    AUDO_EQ_S3_TIMEOUT_MS: String(budget.timeoutMs ?? 1000),
    AUDO_EQ_S3_MAX_ATTEMPTS: String(budget.maxAttempts ?? 1),
  };
}
