import type { HubUser } from '../model/directory.ts';
import { foldText } from '../model/fold-text.ts';
import type { DirectoryStore, MatchingAttribute } from '../store/directory/directory-store.ts';

/**
 * What a chunk of rows needs from the hub, read in at most three queries instead of three per
 * row: the anchors of its source keys, the users they point at, and the users holding its
 * values of the job's matching attribute. Everything the chunk writes goes through `note*`,
 * so a later row sees an earlier row's work.
 */
export class ChunkLookup {
  private readonly anchors = new Map<string, string | null>();
  private readonly users = new Map<string, HubUser | null>();
  /** Folded matching value → the users holding it (email and employeeId need not be unique). */
  private readonly byMatch = new Map<string, HubUser[]>();

  constructor(
    private readonly directory: DirectoryStore,
    private readonly jobId: string,
    private readonly attribute: MatchingAttribute = 'userName',
  ) {}

  async prefetch(keys: string[], matchValues: string[]): Promise<void> {
    const anchors = await this.directory.anchorsFor(this.jobId, keys);
    for (const k of keys) this.anchors.set(k, anchors.get(k) ?? null);
    const ids = [...new Set(anchors.values())];
    for (const id of ids) this.users.set(id, null);
    const anchored = await this.directory.usersByIds(ids);
    for (const u of anchored) this.users.set(u.id, u);
    // Values the anchored users do not answer (new objects, changed values) are looked up; a
    // value an anchored user holds may be held by others too, unless it is the unique userName.
    const unknown: string[] = [];
    if (this.attribute === 'userName') for (const u of anchored) this.add(u);
    for (const v of matchValues) {
      const folded = foldText(v);
      if (this.byMatch.has(folded)) continue;
      this.byMatch.set(folded, []);
      unknown.push(v);
    }
    if (unknown.length)
      for (const u of await this.directory.usersByAttribute(this.attribute, unknown)) this.add(u);
  }

  async anchor(key: string): Promise<string | undefined> {
    if (this.anchors.has(key)) return this.anchors.get(key) ?? undefined;
    return this.directory.anchor(this.jobId, key);
  }

  async user(id: string): Promise<HubUser | undefined> {
    if (this.users.has(id)) return this.users.get(id) ?? undefined;
    return this.directory.getUser(id);
  }

  /** The hub users whose matching attribute holds `value` (case-insensitively). */
  async usersByMatch(value: string): Promise<HubUser[]> {
    const known = this.byMatch.get(foldText(value));
    if (known) return known;
    return this.directory.usersByAttribute(this.attribute, [value]);
  }

  noteAnchor(key: string, id: string): void {
    this.anchors.set(key, id);
  }

  /** A user read or written in this chunk; `before` is its earlier version, if any. */
  noteUser(user: HubUser, before?: HubUser): void {
    this.users.set(user.id, user);
    const old = before ? this.valueOf(before) : undefined;
    if (old !== undefined) {
      const list = this.byMatch.get(old);
      if (list)
        this.byMatch.set(
          old,
          list.filter((u) => u.id !== user.id),
        );
    }
    this.add(user);
  }

  private valueOf(user: HubUser): string | undefined {
    const v = user[this.attribute];
    return v ? foldText(v) : undefined;
  }

  private add(user: HubUser): void {
    const v = this.valueOf(user);
    if (v === undefined) return;
    const list = (this.byMatch.get(v) ?? []).filter((u) => u.id !== user.id);
    list.push(user);
    this.byMatch.set(v, list);
  }
}
