import type { HubUser } from '../model/directory.ts';
import { foldText } from '../model/fold-text.ts';
import type { DirectoryStore } from '../store/directory/directory-store.ts';

/**
 * What a chunk of rows needs from the hub, read in at most three queries instead of three per
 * row.
 * Everything the chunk writes goes through `note*`, so a later row sees an earlier row's work.
 */
export class ChunkLookup {
  private readonly anchors = new Map<string, string | null>();
  private readonly users = new Map<string, HubUser | null>();
  private readonly byName = new Map<string, HubUser | null>();

  constructor(
    private readonly directory: DirectoryStore,
    private readonly jobId: string,
  ) {}

  async prefetch(keys: string[], userNames: string[]): Promise<void> {
    const anchors = await this.directory.anchorsFor(this.jobId, keys);
    for (const k of keys) this.anchors.set(k, anchors.get(k) ?? null);
    const ids = [...new Set(anchors.values())];
    for (const id of ids) this.users.set(id, null);
    for (const u of await this.directory.usersByIds(ids)) this.noteUser(u);
    // Names the anchored users did not answer already (new objects, renames).
    const unknown: string[] = [];
    for (const n of userNames) {
      const folded = foldText(n);
      if (this.byName.has(folded)) continue;
      this.byName.set(folded, null);
      unknown.push(n);
    }
    if (unknown.length)
      for (const u of await this.directory.usersByUserNames(unknown)) this.noteUser(u);
  }

  async anchor(key: string): Promise<string | undefined> {
    if (this.anchors.has(key)) return this.anchors.get(key) ?? undefined;
    return this.directory.anchor(this.jobId, key);
  }

  async user(id: string): Promise<HubUser | undefined> {
    if (this.users.has(id)) return this.users.get(id) ?? undefined;
    return this.directory.getUser(id);
  }

  async userByName(userName: string): Promise<HubUser | undefined> {
    const folded = foldText(userName);
    if (this.byName.has(folded)) return this.byName.get(folded) ?? undefined;
    return this.directory.findUserByUserName(userName);
  }

  noteAnchor(key: string, id: string): void {
    this.anchors.set(key, id);
  }

  /** A user read or written in this chunk (a changed userName also frees the old name). */
  noteUser(user: HubUser, previousUserName?: string): void {
    this.users.set(user.id, user);
    if (previousUserName !== undefined && foldText(previousUserName) !== foldText(user.userName)) {
      this.byName.set(foldText(previousUserName), null);
    }
    this.byName.set(foldText(user.userName), user);
  }
}
