import { useEffect, useRef } from 'react';

export interface MultiSelectOption {
  value: string;
  label: string;
  count?: number;
}

/**
 * A compact multi-select: a button that says what is chosen, opening a list of checkboxes.
 * Each tick applies at once (the list stays open to tick more); a click outside or Escape
 * closes it.
 */
export function MultiSelect(props: {
  name: string;
  label: string;
  options: MultiSelectOption[];
  selected: string[];
  set: (values: string[]) => void;
}) {
  const { name, label, options, selected, set } = props;
  const ref = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    const close = (e: Event) => {
      const el = ref.current;
      if (!el?.open) return;
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !el.contains(e.target as Node)) {
        el.open = false;
      }
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, []);
  // A chosen value that is not among the options (no longer in the data) stays visible.
  const shown: MultiSelectOption[] = [
    ...selected
      .filter((v) => !options.some((o) => o.value === v))
      .map((v) => ({ value: v, label: v })),
    ...options,
  ];
  const labelOf = (v: string) => shown.find((o) => o.value === v)?.label ?? v;
  const summary =
    selected.length === 0
      ? 'All'
      : selected.length === 1
        ? labelOf(selected[0]!)
        : `${labelOf(selected[0]!)} +${selected.length - 1}`;
  const toggle = (value: string, on: boolean) =>
    set(
      on
        ? shown.map((o) => o.value).filter((v) => v === value || selected.includes(v))
        : selected.filter((v) => v !== value),
    );
  return (
    <div className="filter">
      <span id={`${name}-label`}>{label}</span>
      <details className="menu multi-select" data-filter={name} ref={ref}>
        <summary
          aria-labelledby={`${name}-label`}
          aria-describedby={`${name}-value`}
          title={selected.map(labelOf).join(', ') || undefined}
        >
          <span id={`${name}-value`} className={selected.length ? 'chosen' : undefined}>
            {summary}
          </span>
        </summary>
        <div className="menu-body" role="group" aria-label={label}>
          {shown.map((o) => (
            <label key={o.value} className="check">
              <input
                type="checkbox"
                name={name}
                value={o.value}
                checked={selected.includes(o.value)}
                onChange={(e) => toggle(o.value, e.target.checked)}
              />
              <span className="grow">{o.label}</span>
              {o.count !== undefined && <span className="muted">{o.count.toLocaleString()}</span>}
            </label>
          ))}
          {selected.length > 0 && (
            <button type="button" onClick={() => set([])}>
              Clear
            </button>
          )}
        </div>
      </details>
    </div>
  );
}
