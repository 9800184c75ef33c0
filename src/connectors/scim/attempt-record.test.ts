import { describe, expect, it } from 'vitest';
import { buildAttemptRecord } from './attempt-record.ts';

const limits = { maxRecordedBodyChars: 200, extraSecretNames: new Set(['badgecode']) };

describe('buildAttemptRecord', () => {
  it('redacts headers, URL secrets and body secrets, the connector’s own names included', () => {
    const record = buildAttemptRecord(
      {
        method: 'POST',
        url: 'https://app.example.com/scim/v2/Users?access_token=abc',
        headers: { authorization: 'Bearer abc', 'content-type': 'application/scim+json' },
        body: { userName: 'a', password: 'pw', badgeCode: '1234' },
      },
      undefined,
      12.4,
      'success',
      limits,
    );
    expect(record).toEqual({
      request: {
        method: 'POST',
        url: 'https://app.example.com/scim/v2/Users?access_token=[REDACTED]',
        headers: { authorization: '[REDACTED]', 'content-type': 'application/scim+json' },
        body: { userName: 'a', password: '[REDACTED]', badgeCode: '[REDACTED]' },
      },
      durationMs: 12,
      outcome: 'success',
    });
  });

  it('keeps a subset of response headers and cuts long bodies with a note', () => {
    const record = buildAttemptRecord(
      { method: 'GET', url: 'https://x/Users', headers: {} },
      {
        status: 200,
        headers: {
          'content-type': 'application/json',
          'set-cookie': 's=1',
          server: 'x',
          'retry-after': '1',
        },
        body: { Resources: [{ userName: 'y'.repeat(500) }] },
        truncated: false,
      },
      1,
      'success',
      limits,
    );
    expect(record.response?.headers).toEqual({
      'content-type': 'application/json',
      'retry-after': '1',
    });
    const body = record.response?.body as { truncated: boolean; text: string };
    expect(body.truncated).toBe(true);
    expect(body.text).toHaveLength(200);
  });

  it('redacts secret-named pairs in text that is not JSON', () => {
    const record = buildAttemptRecord(
      { method: 'GET', url: 'https://x/Users', headers: {} },
      {
        status: 500,
        headers: {},
        body: 'error: {"password": "pw1", "user": "u"} client_secret=s3&scope=x',
        truncated: false,
      },
      1,
      'success',
      limits,
    );
    expect(record.response?.body).toBe(
      'error: {"password": "[REDACTED]", "user": "u"} client_secret=[REDACTED]&scope=x',
    );
  });
});
