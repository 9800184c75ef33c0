import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BodyBuffers } from '../../ingest/body-buffers.ts';
import { readBody } from './read-body.ts';

const stream = (...chunks: string[]) => Readable.from(chunks.map((c) => Buffer.from(c)));

describe('reading a request body into reused memory', () => {
  it('reads every chunk in order, with or without a declared length', async () => {
    const buffers = new BodyBuffers();
    const declared = await readBody(stream('{"a":', '1}\n', 'é'), '10', 100, buffers);
    expect(declared.toString()).toBe('{"a":1}\né');
    // Chunked: starts with a first guess of a MiB and grows past it.
    const big = 'x'.repeat(700 * 1024);
    const chunked = await readBody(stream(big, big, 'end'), undefined, 10 * 1024 * 1024, buffers);
    expect(chunked.length).toBe(2 * big.length + 3);
    expect(chunked.subarray(-3).toString()).toBe('end');
    expect(chunked.buffer.byteLength).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    // The first guess, outgrown, went back to the pool (the first body still holds its own).
    expect(buffers.size).toBe(1);
    expect(buffers.take(1)).not.toBe(declared.buffer);
  });

  it('refuses a body past the limit, declared or sent, and one shorter than declared', async () => {
    const buffers = new BodyBuffers();
    await expect(readBody(stream('x'), '101', 100, buffers)).rejects.toMatchObject({
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
    });
    await expect(
      readBody(stream('x'.repeat(60), 'x'.repeat(60)), undefined, 100, buffers),
    ).rejects.toMatchObject({ code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    await expect(readBody(stream('short'), '9', 100, buffers)).rejects.toMatchObject({
      code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH',
    });
    // The memory of each refused body is kept for the next.
    expect(buffers.size).toBe(1);
  });
});
