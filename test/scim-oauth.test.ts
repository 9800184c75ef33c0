import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { failureOf, scimClientFor, valueOf } from './helpers/scim-client-for.ts';
import { startScimServer, type ScimTestServer } from './helpers/scim-server.ts';

const CLIENT_ID = 'provlog-client';
const CLIENT_SECRET = 'cl1ent-s3cret&=+';

/** A tiny OAuth 2 token endpoint: client credentials by HTTP basic, tokens numbered. */
interface TokenEndpoint {
  url: string;
  issued: string[];
  /** Lifetime of the next tokens, in seconds. */
  expiresIn: number;
  /** Each token issued is also made acceptable to the SCIM server through this. */
  onIssue: (token: string) => Promise<void>;
  close(): Promise<void>;
}

async function startTokenEndpoint(): Promise<TokenEndpoint> {
  const endpoint: TokenEndpoint = {
    url: '',
    issued: [],
    expiresIn: 3600,
    onIssue: async () => {},
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const header = req.headers.authorization;
      // RFC 6749 §2.3.1: HTTP basic (parts form-encoded first), or the request body.
      const basic = header
        ? Buffer.from(header.replace(/^Basic /, ''), 'base64')
            .toString()
            .split(':')
            .map((part) => decodeURIComponent(part.replace(/\+/g, ' ')))
        : [form.get('client_id'), form.get('client_secret')];
      res.setHeader('content-type', 'application/json');
      if (basic[0] !== CLIENT_ID || basic[1] !== CLIENT_SECRET) {
        res.statusCode = 401;
        res.end(JSON.stringify({ error: 'invalid_client' }));
        return;
      }
      if (form.get('grant_type') !== 'client_credentials' || form.get('scope') !== 'scim') {
        res.statusCode = 400;
        res.end(JSON.stringify({ error: 'invalid_request' }));
        return;
      }
      const token = `access-token-${endpoint.issued.length + 1}-xyz`;
      endpoint.issued.push(token);
      void endpoint.onIssue(token).then(() =>
        res.end(
          JSON.stringify({
            access_token: token,
            token_type: 'Bearer',
            expires_in: endpoint.expiresIn,
          }),
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`;
  endpoint.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return endpoint;
}

describe('SCIM client with OAuth 2 client credentials', () => {
  let server: ScimTestServer;
  let tokens: TokenEndpoint;
  let accepted: string[] = [];

  beforeAll(async () => {
    server = await startScimServer({ tokens: [] });
    tokens = await startTokenEndpoint();
    tokens.onIssue = async (token) => {
      accepted.push(token);
      await server.setTokens(accepted);
    };
  });
  afterAll(async () => {
    await tokens?.close();
    await server?.stop();
  });
  beforeEach(async () => {
    accepted = [];
    tokens.issued.length = 0;
    tokens.expiresIn = 3600;
    await server.reset();
    await server.setTokens([]);
  });

  const options = (clientSecret = CLIENT_SECRET, clientAuth: 'basic' | 'body' = 'basic') => ({
    baseUrl: server.baseUrl,
    auth: {
      type: 'oauth2',
      tokenUrl: tokens.url,
      clientId: CLIENT_ID,
      clientSecret,
      scope: 'scim',
      clientAuth,
    },
  });

  it.each(['basic', 'body'] as const)(
    'fetches a token once (client authentication: %s), caches it, keeps token and secret out of the records',
    async (clientAuth) => {
      const client = scimClientFor(options(CLIENT_SECRET, clientAuth));
      try {
        const created = await client.createUser({ userName: 'oauth@example.com' });
        expect(created.ok).toBe(true);
        expect(
          created.attempts.map((a) => `${a.request.method} ${new URL(a.request.url).pathname}`),
        ).toEqual(['POST /oauth/token', 'POST /scim/v2/Users']);
        const read = await client.getUser(valueOf(created).id);
        expect(read.attempts).toHaveLength(1);
        expect(tokens.issued).toHaveLength(1);

        const text = JSON.stringify([created.attempts, read.attempts]);
        expect(text).not.toContain(CLIENT_SECRET);
        expect(text).not.toContain(tokens.issued[0]);
        expect(created.attempts[0]?.response?.body).toMatchObject({ access_token: '[REDACTED]' });
        if (clientAuth === 'basic')
          expect(created.attempts[0]?.request.headers.authorization).toBe('[REDACTED]');
        else
          expect(created.attempts[0]?.request.body).toMatchObject({ client_secret: '[REDACTED]' });
      } finally {
        await client.close();
      }
    },
  );

  it('renews the token once after a 401, then succeeds', async () => {
    const client = scimClientFor(options());
    try {
      const created = valueOf(await client.createUser({ userName: 'renew@example.com' }));
      // The target revokes the token it accepted.
      accepted = [];
      await server.setTokens([]);
      const read = await client.getUser(created.id);
      expect(read.ok).toBe(true);
      expect(read.attempts.map((a) => a.response?.status)).toEqual([401, 200, 200]);
      expect(tokens.issued).toHaveLength(2);
    } finally {
      await client.close();
    }
  });

  it('fails with AuthenticationFailed when the renewed token is refused too, without looping', async () => {
    const client = scimClientFor(options());
    try {
      valueOf(await client.discover());
      tokens.onIssue = async () => {}; // tokens stop being accepted
      accepted = [];
      await server.setTokens([]);
      const read = await client.getUser('any');
      expect(failureOf(read).code).toBe('AuthenticationFailed');
      expect(read.attempts.map((a) => a.response?.status)).toEqual([401, 200, 401]);
    } finally {
      tokens.onIssue = async (token) => {
        accepted.push(token);
        await server.setTokens(accepted);
      };
      await client.close();
    }
  });

  it('fetches a new token when the cached one expires', async () => {
    tokens.expiresIn = 1;
    const client = scimClientFor(options());
    try {
      valueOf(await client.discover());
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      valueOf(await client.discover({ refresh: true }));
      expect(tokens.issued).toHaveLength(2);
    } finally {
      await client.close();
    }
  });

  it('reports refused client credentials as AuthenticationFailed, with the token request recorded', async () => {
    const client = scimClientFor(options('wrong-secret'));
    try {
      const result = await client.getUser('any');
      expect(failureOf(result)).toMatchObject({ code: 'AuthenticationFailed', transient: false });
      expect(result.attempts).toHaveLength(1);
      expect(result.attempts[0]?.request.url).toBe(tokens.url);
      expect(result.attempts[0]?.response?.status).toBe(401);
      expect(JSON.stringify(result.attempts)).not.toContain('wrong-secret');
    } finally {
      await client.close();
    }
  });
});
