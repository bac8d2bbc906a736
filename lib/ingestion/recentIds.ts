// Remembers roughly the last `capacity` event ids per project, each with a value (which append logged
// it), in two generations: when the young one is full it becomes the old one and the previous old one
// is dropped. O(1) per operation, bounded memory, no per-key timers. Ids are kept per project (not as
// "project/id" strings) so that the hot path builds no key strings. Values must not be undefined.
export class RecentIds<V> {
  private young = new Map<string, Map<string, V>>();
  private old = new Map<string, Map<string, V>>();
  private youngSize = 0;

  constructor(private readonly capacity: number) {}

  get(projectId: string, eventId: string): V | undefined {
    return this.young.get(projectId)?.get(eventId) ?? this.old.get(projectId)?.get(eventId);
  }

  has(projectId: string, eventId: string): boolean {
    return this.get(projectId, eventId) !== undefined;
  }

  add(projectId: string, eventId: string, value: V) {
    if (this.youngSize >= this.capacity / 2) {
      this.old = this.young;
      this.young = new Map();
      this.youngSize = 0;
    }
    let ids = this.young.get(projectId);
    if (!ids) this.young.set(projectId, (ids = new Map()));
    const size = ids.size;
    ids.set(eventId, value);
    this.youngSize += ids.size - size;
  }

  delete(projectId: string, eventId: string) {
    const ids = this.young.get(projectId);
    if (ids?.delete(eventId)) this.youngSize--;
    this.old.get(projectId)?.delete(eventId);
  }
}
