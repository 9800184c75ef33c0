import type { EntryInput } from '../../model/entry.ts';
import { findMember } from './find-member.ts';
import type { EnsureMember } from './group-members.ts';
import type { UserTarget } from './sync-user.ts';

/**
 * Provisions the members of groups that this job has not linked yet, once each per run,
 * and keeps their entries for the caller to write with the groups'.
 */
export interface MemberProvisioner {
  ensure: EnsureMember;
  /** The entries of the members provisioned since the last drain. */
  drain(): EntryInput[];
  /** A user already attempted in this run: its groups use that outcome, not a second attempt. */
  remember(entry: EntryInput): void;
}

/**
 * `pushUser` is one attempt on a hub user (its entry). A job that does not push users only
 * looks members up (`find-member.ts`) and logs no entry for them.
 */
export function createMemberProvisioner(
  target: UserTarget,
  pushUser: (hubId: string) => Promise<EntryInput>,
): MemberProvisioner {
  const done = new Map<string, ReturnType<EnsureMember>>();
  let entries: EntryInput[] = [];
  const outcome = (e: EntryInput): Awaited<ReturnType<EnsureMember>> => {
    const targetId = e.targetIdentity?.id;
    if (targetId && (e.status === 'success' || e.status === 'skipped')) return { targetId };
    return {
      missing: `${e.errorCode ? `${e.errorCode}: ` : ''}${e.reason ?? e.status}; see entry ${e.changeId}`,
      failed: e.status === 'failure',
    };
  };
  const linkOnly = !target.job.objectTypes.includes('user');
  return {
    ensure: (hubId) => {
      let p = done.get(hubId);
      if (!p) {
        p = linkOnly
          ? findMember(target, hubId)
          : pushUser(hubId).then((e) => {
              entries.push(e);
              return outcome(e);
            });
        done.set(hubId, p);
      }
      return p;
    },
    remember: (e) => {
      const hubId = e.sourceIdentity?.id;
      if (e.objectType === 'user' && hubId && !done.has(hubId))
        done.set(hubId, Promise.resolve(outcome(e)));
    },
    drain: () => {
      const out = entries;
      entries = [];
      return out;
    },
  };
}
