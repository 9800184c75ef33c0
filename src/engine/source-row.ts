/** What an inbound connector yields: a record, a row it could not read, or the end of reading on an error. */
export type SourceRow =
  | {
      kind: 'record';
      /** Users unless said otherwise; a source lists all its users before its groups. */
      objectType?: 'user' | 'group';
      line?: number;
      key: string;
      values: Record<string, string>;
      /** Groups: members as source keys of users, and members the source could not resolve. */
      members?: { keys: string[]; unresolved: string[] };
    }
  | {
      kind: 'row_error';
      objectType?: 'user' | 'group';
      line?: number;
      code: string;
      reason: string;
      key?: string;
    }
  /** Reading stopped (connection lost, size limit): the source is incomplete. Always last. */
  | { kind: 'source_error'; code: string; reason: string };

export interface InboundSource {
  connector: 'csv' | 'ldap';
  /** Attributes every record may have (CSV header, LDAP attribute types of the schema). */
  attributes: string[];
  rows: AsyncIterable<SourceRow>;
  /** A full source lists every object: those missing are deprovisioned. */
  full: boolean;
  /** Shown in the task's parameters (file name, base DN, filter). */
  parameters: Record<string, unknown>;
  /** Incremental sources: where the next incremental run may start, once every row was read. */
  nextWatermark?: () => string | undefined;
  /** Releases the connection; called once the cycle is over, whether it read the rows or not. */
  close?: () => Promise<void>;
}
