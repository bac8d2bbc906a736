// Remembers roughly the last `capacity` event ids per project in two generations: when the young one
// is full it becomes the old one and the previous old one is dropped. O(1) per operation, bounded
// memory, no per-key timers. Ids are kept per project (not as "project/id" strings) so that the hot
// path builds no key strings.
export class RecentIds {
  private young = new Map<string, Set<string>>();
  private old = new Map<string, Set<string>>();
  private youngSize = 0;

  constructor(private readonly capacity: number) {}

  has(projectId: string, eventId: string): boolean {
    return (this.young.get(projectId)?.has(eventId) ?? false) || (this.old.get(projectId)?.has(eventId) ?? false);
  }

  add(projectId: string, eventId: string) {
    if (this.youngSize >= this.capacity / 2) {
      this.old = this.young;
      this.young = new Map();
      this.youngSize = 0;
    }
    let ids = this.young.get(projectId);
    if (!ids) this.young.set(projectId, (ids = new Set()));
    if (!ids.has(eventId)) {
      ids.add(eventId);
      this.youngSize++;
    }
  }

  delete(projectId: string, eventId: string) {
    if (this.young.get(projectId)?.delete(eventId)) this.youngSize--;
    this.old.get(projectId)?.delete(eventId);
  }
}
