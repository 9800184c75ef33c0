import { useState } from 'react';
import { api } from '../api.ts';
import { Dialog } from './dialog.tsx';
import { Link } from '../router.tsx';
import type { Task } from '../types.ts';

/** Re-trigger a task after a confirmation; shows the new task or why it could not. */
export function RetriggerButton({ task, onDone }: { task: Task; onDone?: () => void }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ taskId?: string; error?: string }>();
  const go = async () => {
    setBusy(true);
    try {
      const r = await api.post<{ taskId: string }>(
        `/tasks/${encodeURIComponent(task.id)}/retrigger`,
        {},
      );
      setResult({ taskId: r.taskId });
      onDone?.();
    } catch (e) {
      setResult({ error: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" onClick={() => (setResult(undefined), setOpen(true))}>
        Re-trigger
      </button>
      <Dialog
        title="Re-trigger this task?"
        open={open}
        onClose={() => setOpen(false)}
        actions={
          result ? (
            <button type="button" onClick={() => setOpen(false)}>
              Close
            </button>
          ) : (
            <>
              <button type="button" onClick={() => setOpen(false)} disabled={busy}>
                Cancel
              </button>
              <button type="button" className="primary" onClick={() => void go()} disabled={busy}>
                {busy ? 'Starting…' : 'Re-trigger'}
              </button>
            </>
          )
        }
      >
        {!result && (
          <p>
            The work of <strong>{task.triggerModuleName}</strong> runs again as a new task linked to
            this one. Objects are matched in the target first, so nothing is duplicated.
          </p>
        )}
        {result?.taskId && (
          <p role="status">
            Started <Link href={`/tasks/${encodeURIComponent(result.taskId)}`}>a new task</Link>.
          </p>
        )}
        {result?.error && (
          <p role="alert" className="bad-text">
            Could not re-trigger: {result.error}
          </p>
        )}
      </Dialog>
    </>
  );
}
