import { label } from '../format.ts';

const TONE: Record<string, string> = {
  success: 'ok',
  succeeded: 'ok',
  active: 'ok',
  committed: 'ok',
  failure: 'bad',
  failed: 'bad',
  quarantined: 'bad',
  partially_succeeded: 'warn',
  skipped: 'muted',
  paused: 'muted',
  not_run: 'muted',
  initial: 'warn',
  pending: 'info',
  running: 'info',
  retrying: 'info',
  not_verifiable: 'warn',
  resolved: 'ok',
};

/** A status as a coloured pill; a failure's derived state (retrying, resolved) is shown too. */
export function StatusBadge({ status, state }: { status: string; state?: string | undefined }) {
  return (
    <span className="badges">
      <span className={`badge ${TONE[status] ?? 'muted'}`}>{label(status)}</span>
      {state && <span className={`badge ${TONE[state] ?? 'muted'}`}>{label(state)}</span>}
    </span>
  );
}
