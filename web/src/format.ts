/** Dates in the viewer's time zone and locale; the API speaks UTC. */
const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const dayFmt = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
});

export const fmtTime = (iso: string | null | undefined) =>
  iso ? dateTime.format(new Date(iso)) : '—';
export const fmtDay = (iso: string) => dayFmt.format(new Date(iso));
export const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
export const fmtNumber = (n: number) => n.toLocaleString();

export function fmtDuration(fromIso: string, toIso: string | null): string {
  if (!toIso) return 'running';
  const s = Math.max(0, (Date.parse(toIso) - Date.parse(fromIso)) / 1000);
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

/** `partially_succeeded` → `Partially succeeded`. */
export const label = (v: string | undefined | null) =>
  v ? v.charAt(0).toUpperCase() + v.slice(1).replaceAll('_', ' ') : '';

/** A datetime-local input's value (viewer's zone) ↔ ISO in UTC. */
export function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
export const fromLocalInput = (v: string) => (v ? new Date(v).toISOString() : '');
