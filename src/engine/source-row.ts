/** What an inbound connector yields: a record, or a row it could not read (with a catalog code). */
export type SourceRow =
  | { kind: 'record'; line?: number; key: string; values: Record<string, string> }
  | { kind: 'row_error'; line?: number; code: string; reason: string; key?: string };

export interface InboundSource {
  connector: 'csv' | 'ldap';
  /** Attributes every record may have (CSV header, LDAP attributes asked for). */
  attributes: string[];
  rows: AsyncIterable<SourceRow>;
  /** A full source lists every object: those missing are deprovisioned. */
  full: boolean;
  /** Shown in the task's parameters (file name, base DN, filter). */
  parameters: Record<string, unknown>;
}
