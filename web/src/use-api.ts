import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './api.ts';

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/** GET a path; reloads when the path changes, keeps the last data while reloading. */
export function useApi<T>(path: string | null, opts: { refreshMs?: number } = {}): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const lastPath = useRef(path);

  useEffect(() => {
    if (path === null) return;
    const ctl = new AbortController();
    if (lastPath.current !== path) setData(undefined);
    lastPath.current = path;
    setLoading(true);
    api
      .get<T>(path, ctl.signal)
      .then((d) => {
        setData(d);
        setError(undefined);
      })
      .catch((e: unknown) => {
        if (!ctl.signal.aborted) setError(e as Error);
      })
      .finally(() => {
        if (!ctl.signal.aborted) setLoading(false);
      });
    return () => ctl.abort();
  }, [path, tick]);

  useEffect(() => {
    if (!opts.refreshMs) return;
    const id = setInterval(reload, opts.refreshMs);
    return () => clearInterval(id);
  }, [opts.refreshMs, reload]);

  return { data, error, loading, reload };
}
