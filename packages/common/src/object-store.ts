import http from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Client } from 'minio';
import { DomainError } from './errors.js';

export interface ObjectStoreOptions {
  /** S3 API endpoint the service talks to, e.g. `http://127.0.0.1:19000`. */
  endpoint: string;
  /** Endpoint that clients of pre-signed URLs reach, when it differs (a container network). */
  publicEndpoint?: string;
  accessKey: string;
  secretKey: string;
  /** Set, so the client never asks the server for a bucket's location before signing. */
  region?: string;
  /** Longest wait for one operation before it counts as unavailable (default 15 s). */
  timeoutMs?: number;
  /** The service's bucket; /ready fails while it is missing. */
  bucket: string;
}

export interface ObjectStore {
  readonly bucket: string;
  readonly client: Client;
  /** Stores a whole object. */
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** Removes one object; removing a missing object is not an error. */
  remove(key: string): Promise<void>;
  /** Removes every object under a prefix and says how many there were. */
  removePrefix(prefix: string): Promise<number>;
  /** Keys under a prefix. */
  list(prefix: string): Promise<string[]>;
  /** A URL anyone may GET the object with until it expires; signing needs no round trip. */
  presignedGetUrl(key: string, ttlSeconds: number): Promise<string>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The service's bucket in the object store. */
    objects: ObjectStore;
  }
}

function client(endpoint: string, options: ObjectStoreOptions, agent: http.Agent): Client {
  const url = new URL(endpoint);
  const useSSL = url.protocol === 'https:';
  return new Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    // Path-style: S3Proxy and MinIO on a bare host name have no per-bucket DNS.
    pathStyle: true,
    region: options.region ?? 'us-east-1',
    accessKey: options.accessKey,
    secretKey: options.secretKey,
    transportAgent: agent,
  });
}

/** A minio client bound to one bucket. Creating it never connects. */
export function createObjectStore(options: ObjectStoreOptions): ObjectStore {
  // Keep-alive: uploads and removals come in bursts; a new TCP connection per request would dominate.
  const agent = new http.Agent({ keepAlive: true });
  const s3 = client(options.endpoint, options, agent);
  const signer = options.publicEndpoint ? client(options.publicEndpoint, options, agent) : s3;
  const { bucket } = options;
  const timeoutMs = options.timeoutMs ?? 15_000;
  // The client has no timeout of its own: a store that accepts and never answers would hold a request,
  // and a graceful shutdown, forever. Past the bound the caller answers 503 (the operation may still land).
  const bounded = async <T>(work: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        work,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new DomainError(
                  'DEPENDENCY_UNAVAILABLE',
                  `the object store did not answer within ${timeoutMs} ms`,
                ),
              ),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
  const list = async (prefix: string): Promise<string[]> => {
    const items = await bounded(s3.listObjectsV2(bucket, prefix, true).toArray());
    return items.map((o: { name?: string }) => o.name).filter((n): n is string => typeof n === 'string');
  };
  return {
    bucket,
    client: s3,
    async put(key, body, contentType) {
      await bounded(s3.putObject(bucket, key, body, body.length, { 'Content-Type': contentType }));
    },
    async remove(key) {
      await bounded(s3.removeObject(bucket, key));
    },
    async removePrefix(prefix) {
      const keys = await list(prefix);
      if (keys.length > 0) await bounded(s3.removeObjects(bucket, keys));
      return keys.length;
    },
    list,
    presignedGetUrl(key, ttlSeconds) {
      return signer.presignedGetObject(bucket, key, ttlSeconds);
    },
  };
}

/** `app.objects` plus a readiness check that the bucket exists and the keys are accepted. */
export const objectStorePlugin = fp(
  async (app: FastifyInstance, options: ObjectStoreOptions) => {
    const store = createObjectStore(options);
    app.decorate('objects', store);
    app.addReadinessCheck({
      name: 'object-store',
      check: async () => {
        if (!(await store.client.bucketExists(store.bucket)))
          throw new Error(`bucket ${store.bucket} does not exist`);
      },
    });
  },
  { name: 'kit-object-store', dependencies: ['kit-health'] },
);
