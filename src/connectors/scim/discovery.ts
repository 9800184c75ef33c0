import { failure } from './classify-exchange.ts';
import { failLastAttempt, succeed, type ScimResult } from './scim-result.ts';
import type { ScimTransport } from './scim-transport.ts';
import {
  assumedCapabilities,
  parseServiceProviderConfig,
  type ScimCapabilities,
} from './service-provider-config.ts';

/** The target's capabilities, read once and kept for `ttlMs`; concurrent callers share one read. */
export interface Discovery {
  /** Attempts are returned only by the call that actually asked the target. */
  capabilities(options?: { refresh?: boolean }): Promise<ScimResult<ScimCapabilities>>;
}

export function createDiscovery(transport: ScimTransport, ttlMs: number): Discovery {
  let cached: { value: ScimCapabilities; at: number } | undefined;
  let pending: Promise<ScimResult<ScimCapabilities>> | undefined;

  async function read(): Promise<ScimResult<ScimCapabilities>> {
    const sent = await transport.send({
      method: 'GET',
      path: '/ServiceProviderConfig',
      target: 'collection',
    });
    let result: ScimResult<ScimCapabilities>;
    if (!sent.ok) {
      // A target without the endpoint (404, 501) still serves users: assume the minimum.
      result =
        sent.failure.code === 'NotImplemented'
          ? succeed(assumedCapabilities(), sent.attempts)
          : sent;
    } else {
      const parsed = parseServiceProviderConfig(sent.value.body);
      result = parsed.ok
        ? succeed(parsed.value, sent.attempts)
        : failLastAttempt(
            failure(
              'SystemForCrossDomainIdentityManagementServiceIncompatible',
              `The ServiceProviderConfig is not usable: ${parsed.reason}`,
            ),
            sent.attempts,
          );
    }
    if (result.ok) cached = { value: result.value, at: Date.now() };
    return result;
  }

  return {
    capabilities(options) {
      if (!options?.refresh && cached && Date.now() - cached.at < ttlMs)
        return Promise.resolve(succeed(cached.value, []));
      pending ??= read().finally(() => {
        pending = undefined;
      });
      return pending;
    },
  };
}
