import type { ReactNode } from 'react';

export const Loading = ({ what = 'Loading…' }: { what?: string }) => (
  <div className="state" role="status">
    <span className="spinner" aria-hidden /> {what}
  </div>
);

export const ErrorBox = ({ error, retry }: { error: Error; retry?: () => void }) => (
  <div className="state error" role="alert">
    <strong>Could not load this.</strong> {error.message}
    {retry && (
      <button type="button" onClick={retry}>
        Try again
      </button>
    )}
  </div>
);

export const Empty = ({ title, children }: { title: string; children?: ReactNode }) => (
  <div className="state empty">
    <strong>{title}</strong>
    {children && <div>{children}</div>}
  </div>
);
