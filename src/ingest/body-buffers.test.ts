import { describe, expect, it } from 'vitest';
import { BodyBuffers } from './body-buffers.ts';

const MIB = 1024 * 1024;

describe('memory for request bodies', () => {
  it('gives a buffer big enough, rounded up to a MiB, and the same one again once given back', () => {
    const buffers = new BodyBuffers();
    const first = buffers.take(3 * MIB + 1);
    expect(first.byteLength).toBe(4 * MIB);
    buffers.give(first);
    expect(buffers.size).toBe(1);
    expect(buffers.take(2 * MIB)).toBe(first);
    expect(buffers.size).toBe(0);
  });

  it('picks the smallest kept buffer that is big enough', () => {
    const buffers = new BodyBuffers();
    const [small, middle, big] = [1, 5, 9].map((m) => buffers.take(m * MIB));
    for (const b of [big!, small!, middle!]) buffers.give(b);
    expect(buffers.take(4 * MIB)).toBe(middle);
    expect(buffers.take(20 * MIB).byteLength).toBe(20 * MIB);
    expect(buffers.size).toBe(2);
  });

  it('keeps a few buffers, the biggest, and none above its limit', () => {
    const buffers = new BodyBuffers(2, 8 * MIB);
    buffers.give(buffers.take(16 * MIB));
    expect(buffers.size).toBe(0);
    const [a, b, c] = [1, 2, 3].map((m) => buffers.take(m * MIB));
    buffers.give(a!);
    buffers.give(b!);
    buffers.give(c!);
    expect(buffers.size).toBe(2);
    expect(buffers.take(MIB)).toBe(b);
    expect(buffers.take(MIB)).toBe(c);
  });
});
