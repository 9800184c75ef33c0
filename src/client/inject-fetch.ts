import type { FastifyInstance } from 'fastify';

/** A fetch that answers from an in-process app: the CLI uses the same client with or without a server. */
export function injectFetch(app: FastifyInstance) {
  return async (
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ) => {
    const u = new URL(url);
    const res = await app.inject({
      method: (init.method ?? 'GET') as 'GET',
      url: u.pathname + u.search,
      headers: init.headers ?? {},
      ...(init.body !== undefined ? { payload: init.body } : {}),
    });
    return {
      ok: res.statusCode >= 200 && res.statusCode < 300,
      status: res.statusCode,
      headers: {
        get: (name: string) => (res.headers[name.toLowerCase()] as string | undefined) ?? null,
      },
      text: async () => res.body,
    };
  };
}
