// Remembers roughly the last `capacity` keys in two generations: when the young one is full it becomes
// the old one and the previous old one is dropped. O(1) per operation, bounded memory, no per-key timers.
export class RecentIds {
  private young = new Set<string>();
  private old = new Set<string>();

  constructor(private readonly capacity: number) {}

  has(key: string): boolean {
    return this.young.has(key) || this.old.has(key);
  }

  add(key: string) {
    if (this.young.size >= this.capacity / 2) {
      this.old = this.young;
      this.young = new Set();
    }
    this.young.add(key);
  }

  delete(key: string) {
    this.young.delete(key);
    this.old.delete(key);
  }
}
