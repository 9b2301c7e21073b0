// The object store as the services use it: the `minio` client, path-style, signature v4, with a region set
// so it never asks for a bucket's location. Runs against S3Proxy natively and MinIO under Compose alike.
import { randomUUID } from 'node:crypto';
import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackEnv } from '../../scripts/stack/env.js';

const env = loadStackEnv();
const s3 = new Client({
  endPoint: env.STACK_HOST!,
  port: Number(env.S3_PORT),
  useSSL: false,
  pathStyle: true,
  region: 'us-east-1',
  accessKey: env.S3_ACCESS_KEY!,
  secretKey: env.S3_SECRET_KEY!,
});
// A bucket of its own, so the test never touches what a service stored.
const bucket = `stack-test-${randomUUID().slice(0, 8)}`;
const key = 'labels/order-1/label.txt';
const body = Buffer.from(`shipping label ${randomUUID()}\n`);

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  await s3.makeBucket(bucket, 'us-east-1');
});

afterAll(async () => {
  const objects = await s3.listObjectsV2(bucket, '', true).toArray();
  await s3.removeObjects(
    bucket,
    objects.map((o: { name: string }) => o.name),
  );
  await s3.removeBucket(bucket);
});

describe('S3 API', () => {
  it('lists the buckets the stack bootstrap created', async () => {
    const names = (await s3.listBuckets()).map((b) => b.name);
    for (const expected of env.S3_BUCKETS!.split(',')) expect(names).toContain(expected);
  });

  it('stores an object and reads it back', async () => {
    await s3.putObject(bucket, key, body, body.length, { 'Content-Type': 'text/plain' });
    expect(await readAll(await s3.getObject(bucket, key))).toEqual(body);
  });

  it('reports the object size, type and etag', async () => {
    const stat = await s3.statObject(bucket, key);
    expect(stat.size).toBe(body.length);
    expect(stat.metaData['content-type']).toBe('text/plain');
    expect(stat.etag).toMatch(/^[0-9a-f]{32}$/);
  });

  it('serves a presigned GET URL to a client without keys', async () => {
    const url = await s3.presignedGetObject(bucket, key, 60);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(body);
  });

  it('refuses a request signed with a wrong secret', async () => {
    const wrong = new Client({
      endPoint: env.STACK_HOST!,
      port: Number(env.S3_PORT),
      useSSL: false,
      pathStyle: true,
      region: 'us-east-1',
      accessKey: env.S3_ACCESS_KEY!,
      secretKey: 'not-the-secret',
    });
    await expect(wrong.statObject(bucket, key)).rejects.toThrow();
  });

  it('removes the object', async () => {
    await s3.removeObject(bucket, key);
    await expect(s3.statObject(bucket, key)).rejects.toMatchObject({ code: 'NotFound' });
  });
});
