import { readAnswer } from './api.ts';

declare global {
  interface Window {
    /** The log's first page, asked for by index.html while the code loads. */
    provlogFirstPage?: { params: string; response: Promise<Response> };
  }
}

const key = (query: string) =>
  [...new URLSearchParams(query)]
    .map(([k, v]) => `${k}=${v}`)
    .sort()
    .join('&');

/**
 * The answer to `path` (an API path with its query) when index.html already asked for it:
 * taken once, so a reload of the list or a changed filter asks the server afresh.
 */
export function takeFirstPage<T>(path: string): Promise<T> | undefined {
  const early = window.provlogFirstPage;
  if (!early) return undefined;
  delete window.provlogFirstPage;
  const [pathname, query = ''] = path.split('?');
  if (pathname !== '/entries' || key(query) !== key(early.params)) return undefined;
  return early.response.then((res) => readAnswer<T>(res));
}
