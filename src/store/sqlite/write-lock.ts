/**
 * One writer at a time on the embedded store's single connection: an async transaction (the
 * directory's) must not be interleaved with another write between its awaits.
 */
export class WriteLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
