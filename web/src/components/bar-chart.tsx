import { navigate } from '../router.tsx';

export interface Series {
  key: string;
  label: string;
  color: string;
}
export interface Bar {
  label: string;
  values: Record<string, number>;
  href: (series: string) => string;
}

/** Stacked bars in hand-made SVG: each segment is a link into the filtered log. */
export function StackedBars({
  bars,
  series,
  height = 220,
}: {
  bars: Bar[];
  series: Series[];
  height?: number;
}) {
  const max = Math.max(
    1,
    ...bars.map((b) => series.reduce((a, s) => a + (b.values[s.key] ?? 0), 0)),
  );
  const w = 100 / Math.max(1, bars.length);
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 100 ${height}`}
        preserveAspectRatio="none"
        role="img"
        aria-label="Entries by day"
      >
        {bars.map((b, i) => {
          let y = height;
          return series.map((s) => {
            const v = b.values[s.key] ?? 0;
            const h = (v / max) * (height - 4);
            y -= h;
            if (v === 0) return null;
            return (
              <a
                key={`${i}-${s.key}`}
                href={b.href(s.key)}
                onClick={(e) => (e.preventDefault(), navigate(b.href(s.key)))}
                aria-label={`${b.label}: ${v} ${s.label}`}
              >
                <rect x={i * w + w * 0.15} y={y} width={w * 0.7} height={h} fill={s.color}>
                  <title>{`${b.label}: ${v.toLocaleString()} ${s.label}`}</title>
                </rect>
              </a>
            );
          });
        })}
      </svg>
      <div className="chart-x">
        {bars.map((b) => (
          <span key={b.label} style={{ width: `${w}%` }}>
            {b.label}
          </span>
        ))}
      </div>
      <figcaption className="legend">
        {series.map((s) => (
          <span key={s.key}>
            <i style={{ background: s.color }} /> {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

/** Horizontal bars for a ranked list (applications, error codes). */
export function RankBars(props: {
  rows: { label: string; value: number; extra?: string; href: string }[];
}) {
  const max = Math.max(1, ...props.rows.map((r) => r.value));
  return (
    <ul className="rank">
      {props.rows.map((r) => (
        <li key={r.label}>
          <a
            href={r.href}
            onClick={(e) => (e.preventDefault(), navigate(r.href))}
            title={`${r.label}: ${r.value.toLocaleString()}`}
          >
            <span className="rank-label">{r.label}</span>
            <span className="rank-bar">
              <span style={{ width: `${(r.value / max) * 100}%` }} />
            </span>
            <span className="rank-value">
              {r.value.toLocaleString()}
              {r.extra && <small> {r.extra}</small>}
            </span>
          </a>
        </li>
      ))}
    </ul>
  );
}
