// A map whose entries expire and whose size is bounded: the oldest entry goes first when it is full
// (Map keeps insertion order, so that is the first key). Pure apart from the clock passed in.

export class ExpiringCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The value while it is fresh, else undefined (and the stale entry is dropped). */
  get(key: string, now = Date.now()): { value: V } | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until > now) return { value: entry.value };
    this.entries.delete(key);
    return undefined;
  }

  /** `ttlMs`: this entry's own lifetime instead of the cache's. */
  set(key: string, value: V, now = Date.now(), ttlMs = this.ttlMs) {
    this.entries.delete(key); // a re-set entry moves to the end: it is the newest
    this.entries.set(key, { value, until: now + ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Every key, fresh or not yet dropped, oldest first. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  delete(key: string) {
    this.entries.delete(key);
  }

  clear() {
    this.entries.clear();
  }
}
