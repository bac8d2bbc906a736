// Remembers roughly the last `capacity` event ids per project, each with a value (which append logged
// it), in two generations: when the young one is full it becomes the old one and the previous old one
// is emptied and reused. O(1) per operation, bounded memory, no per-key timers. Values must not be
// undefined.
//
// Event ids are UUIDs (the ingestion schema requires them), kept as their 16 bytes in an open-addressing
// table of typed arrays rather than as strings in Maps: a million ids take about 39 MB instead of about
// 90 MB of strings and hash tables, and add nothing for the garbage collector to trace. Hex digits are
// read case-insensitively (the log stores ids lower-cased). An id that is not a UUID is kept in a Map
// beside the table, with the same semantics.

/** Probes stop at an empty slot: the table is never filled beyond this share of its slots. */
const LOAD_FACTOR = 0.75;
/** A slot's project word: 0 is empty, this is a deleted id (probes go on past it). */
const DELETED = 0xffffffff;
const WORDS_PER_SLOT = 5; // project number + 128-bit id

const HEX = new Int8Array(128).fill(-1);
for (let digit = 0; digit < 16; digit++) {
  HEX["0123456789abcdef".charCodeAt(digit)] = digit;
  HEX["0123456789ABCDEF".charCodeAt(digit)] = digit;
}

/** Reads a UUID's 128 bits into `words` (four 32-bit words); false when the string is not a UUID. */
function parseUuid(id: string, words: Uint32Array): boolean {
  if (id.length !== 36) return false;
  let word = 0;
  let digits = 0;
  for (let i = 0; i < 36; i++) {
    const code = id.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (code !== 45 /* - */) return false;
      continue;
    }
    const value = code < 128 ? HEX[code] : -1;
    if (value < 0) return false;
    word = (word << 4) | value;
    if (++digits % 8 === 0) {
      words[digits / 8 - 1] = word >>> 0;
      word = 0;
    }
  }
  return true;
}

/** One generation: an open-addressing table with linear probing, allocated on its first id. */
class Generation<V> {
  private keys: Uint32Array | undefined;
  /** Each slot's value; a packed array (filled up front), which V8 keeps as a flat list of references. */
  private values: (V | undefined)[] = [];
  private readonly slots: number;
  /** Ids that are not UUIDs, keyed by project number and id. */
  private readonly others = new Map<string, V>();
  /** Slots in use (live ids and deleted ones), which bounds every probe. */
  private used = 0;
  /** Live ids, the table's and the others. */
  size = 0;

  constructor(
    private readonly limit: number,
    private readonly seed: number,
  ) {
    this.slots = Math.max(1, Math.ceil(limit / LOAD_FACTOR));
  }

  /** Live ids plus deleted slots: what counts toward the generation's limit. */
  get fill(): number {
    return this.used + this.others.size;
  }

  private hash(project: number, id: Uint32Array): number {
    // A seeded mix of every word, so that ids chosen by a client cannot be made to share one probe chain.
    let h = this.seed ^ Math.imul(project, 0x9e3779b1);
    for (let i = 0; i < 4; i++) {
      h = Math.imul(h ^ id[i], 0x85ebca6b);
      h ^= h >>> 13;
    }
    h = Math.imul(h ^ (h >>> 16), 0xc2b2ae35);
    return ((h ^ (h >>> 16)) >>> 0) % this.slots;
  }

  /** The slot holding the id, or -1. */
  private find(project: number, id: Uint32Array): number {
    const found = this.probe(project, id);
    return found >= 0 ? found : -1;
  }

  /**
   * One walk of the id's probe chain: the slot holding the id, or −1 − the slot it would go into (the
   * chain's first deleted slot, else the empty one that ends it; −1 − 0 before the table exists).
   */
  private probe(project: number, id: Uint32Array): number {
    const keys = this.keys;
    if (!keys) return -1;
    let free = -1;
    for (let slot = this.hash(project, id); ; slot = (slot + 1) % this.slots) {
      const at = slot * WORDS_PER_SLOT;
      const owner = keys[at];
      if (owner === 0) return -1 - (free >= 0 ? free : slot);
      if (owner === DELETED) {
        if (free < 0) free = slot;
      } else if (owner === project && keys[at + 1] === id[0] && keys[at + 2] === id[1] && keys[at + 3] === id[2] && keys[at + 4] === id[3])
        return slot;
    }
  }

  /**
   * The id's value when the generation holds it; else undefined, and `insertMissed` then puts it where
   * the same walk of the chain ended (so a claim walks it once).
   */
  lookup(project: number, id: Uint32Array | string): V | undefined {
    if (typeof id === "string") return this.others.get(`${project}/${id}`);
    const found = this.probe(project, id);
    if (found >= 0) return this.values[found];
    this.absentAt = this.keys ? -1 - found : -1;
    return undefined;
  }

  /** Where the last lookup that missed would put its id (−1: the table is not allocated yet). */
  private absentAt = -1;

  /** Adds an id the last lookup of it missed, with no other change to the generation since. */
  insertMissed(project: number, id: Uint32Array | string, value: V) {
    if (typeof id === "string" || this.absentAt < 0) return this.set(project, id, value);
    this.putAt(this.absentAt, project, id, value);
  }

  /** Writes an absent id into `slot` (empty or deleted, where a walk of its chain ended). */
  private putAt(slot: number, project: number, id: Uint32Array, value: V) {
    const keys = this.keys!;
    const at = slot * WORDS_PER_SLOT;
    if (keys[at] === 0) this.used++;
    keys.set(id, at + 1);
    keys[at] = project;
    this.values[slot] = value;
    this.size++;
  }

  get(project: number, id: Uint32Array | string): V | undefined {
    if (typeof id === "string") return this.others.get(`${project}/${id}`);
    const slot = this.find(project, id);
    return slot < 0 ? undefined : this.values[slot];
  }

  set(project: number, id: Uint32Array | string, value: V) {
    if (typeof id === "string") {
      const key = `${project}/${id}`;
      if (!this.others.has(key)) this.size++;
      this.others.set(key, value);
      return;
    }
    if (!this.keys) {
      this.keys = new Uint32Array(this.slots * WORDS_PER_SLOT);
      this.values = [];
      for (let slot = 0; slot < this.slots; slot++) this.values.push(undefined);
    }
    const found = this.probe(project, id);
    if (found >= 0) this.values[found] = value;
    else this.putAt(-1 - found, project, id, value);
  }

  delete(project: number, id: Uint32Array | string): boolean {
    if (typeof id === "string") {
      const deleted = this.others.delete(`${project}/${id}`);
      if (deleted) this.size--;
      return deleted;
    }
    const slot = this.find(project, id);
    if (slot < 0) return false;
    this.keys![slot * WORDS_PER_SLOT] = DELETED;
    this.values[slot] = undefined;
    this.size--;
    return true;
  }

  /** Forgets every id and keeps the table's memory for the next generation. */
  clear() {
    this.keys?.fill(0);
    this.values.fill(undefined);
    this.others.clear();
    this.used = 0;
    this.size = 0;
  }

  /** Whether the generation has taken its share of ids (deleted slots count: they lengthen probes until cleared). */
  get full(): boolean {
    return this.fill >= this.limit;
  }
}

export class RecentIds<V> {
  private young: Generation<V>;
  private old: Generation<V>;
  /** Projects are few: each is numbered from 1 (0 marks an empty slot) and the number is stored with its ids. */
  private readonly projects = new Map<string, number>();
  /** Scratch space for the id being looked up, so that the hot path allocates nothing. */
  private readonly words = new Uint32Array(4);

  constructor(capacity: number) {
    const seed = (Math.random() * 0x100000000) >>> 0;
    const limit = Math.max(1, Math.ceil(capacity / 2));
    this.young = new Generation(limit, seed);
    this.old = new Generation(limit, seed);
  }

  /** The id as the table keys it: its 128 bits in the scratch words, or the string itself when it is not a UUID. */
  private key(eventId: string): Uint32Array | string {
    return parseUuid(eventId, this.words) ? this.words : eventId;
  }

  get(projectId: string, eventId: string): V | undefined {
    const project = this.projects.get(projectId);
    if (project === undefined) return undefined;
    const id = this.key(eventId);
    return this.young.get(project, id) ?? this.old.get(project, id);
  }

  /**
   * The id's value when it is remembered (as `get`); otherwise remembers it with `value` (as `add`) and
   * answers undefined. One parse of the id and one walk of each generation's probe chain, where `get`
   * then `add` took two and four: ingestion does this for every event.
   */
  claim(projectId: string, eventId: string, value: V): V | undefined {
    let project = this.projects.get(projectId);
    if (project === undefined) this.projects.set(projectId, (project = this.projects.size + 1));
    const id = this.key(eventId);
    const young = this.young.lookup(project, id);
    if (young !== undefined) return young;
    const old = this.old.get(project, id);
    if (old !== undefined) return old;
    if (this.young.full) {
      this.rotate();
      this.young.set(project, id, value);
    } else this.young.insertMissed(project, id, value);
    return undefined;
  }

  has(projectId: string, eventId: string): boolean {
    return this.get(projectId, eventId) !== undefined;
  }

  add(projectId: string, eventId: string, value: V) {
    let project = this.projects.get(projectId);
    if (project === undefined) this.projects.set(projectId, (project = this.projects.size + 1));
    const id = this.key(eventId);
    if (this.young.get(project, id) === undefined && this.young.full) this.rotate();
    this.young.set(project, id, value);
  }

  /** The young generation becomes the old one; the old one is emptied and takes new ids. */
  private rotate() {
    const recycled = this.old;
    recycled.clear();
    this.old = this.young;
    this.young = recycled;
  }

  delete(projectId: string, eventId: string) {
    const project = this.projects.get(projectId);
    if (project === undefined) return;
    const id = this.key(eventId);
    this.young.delete(project, id);
    this.old.delete(project, id);
  }

  /** Ids remembered (both generations; an id in both counts twice). */
  get size(): number {
    return this.young.size + this.old.size;
  }
}
