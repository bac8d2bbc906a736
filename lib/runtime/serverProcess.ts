/**
 * How the server process (server.ts) is started: by `npm start`, the end-to-end tests' server and the
 * benchmarks' (the results benchmark's process stands for the server's request path), and as
 * docs/deploy.md shows an operator.
 *
 * Each keeps the server's resident memory close to what it uses, measured in the soak (docs/performance.md, Soak: the
 * ten-minute soak ended at 987 MB instead of 1,481 MB). Their price was garbage collection while an answer
 * was computed (results at 10M events 477 ms against 397 ms with Node's defaults); since a results answer
 * holds its users' rows as columns (lib/metrics/userDayTable.ts) it is within the runs' spread: medians of
 * the last 12 of 16 requests at 10M, 507 and 420 ms with Node's defaults, 493 and 418 ms with these flags
 * (two runs each, alternating, on the same data).
 * - `--heap-growing-percent=20`: after each full collection V8 lets the old generation grow to a multiple
 *   of what survived (up to 4× while collections keep up) before the next one. Every results answer parses
 *   tens of thousands of user rows that live until its statistics are done, so under steady traffic the
 *   main heap held hundreds of MB of garbage between collections; with 20% headroom it stays close to what
 *   is live, for more frequent full collections. The starting value: once running, the server sets it
 *   after each full collection so that a small heap keeps at least 64 MB of room (lib/runtime/heap.ts).
 * - `--max-semi-space-size=4`: V8's young generation in 4 MB halves instead of 16 MB (every request's
 *   short-lived objects; the difference is resident once touched). The main thread's only: once it runs,
 *   the server clears the flag so that worker threads size theirs from their limits (lib/runtime/heap.ts).
 * - `--no-liftoff`: WebAssembly (PGlite's PostgreSQL, tree-sitter's runtime and grammars) compiled once,
 *   by the optimizing tier, instead of first by the baseline tier and then again as it runs hot, which
 *   keeps both codes resident: about 80 MB less (PGlite opened, 4,000 queries and every grammar loaded:
 *   264–268 MB resident against 338–353 MB), for a slower first start of each module (PGlite opens in
 *   about 4.4 s instead of 2.5 s, the grammars load in 1.3 s instead of 0.7 s) and code as fast as before
 *   once running (the same 4,000 queries 1.5–1.6 s against 1.7 s; 3,000 parses 85 ms against 117–140 ms).
 * - `MALLOC_ARENA_MAX=2`: glibc's allocator, which the engines' threads share outside their own
 *   allocators, keeps two arenas instead of eight per core, each holding freed memory of its own.
 * - `MALLOC_MMAP_THRESHOLD_=2097152`: blocks from 2 MB on are mapped and unmapped on free, rather than
 *   carved from the heap, where glibc raises the threshold as large blocks come and go and their space
 *   then stays resident. Not lower: a mapped block is faulted in page by page when first written, about
 *   12 µs per 4 KB page on the machines Echo is measured on, and below 2 MB it cannot be a huge page
 *   (below). At 128 KB every request body of 128 KB to 1 MB, and each of its copies (to an ingestion
 *   worker, the batch's rows), was mapped afresh: a 256 KB copy took 1.07 ms instead of 44 µs, and HTTP
 *   ingestion ran at 95,000–98,000 events/s against 130,000–135,000 with 2 MB (bench section 3, in turns);
 *   a five-minute soak ended at the same memory either way (docs/performance.md, Soak).
 * - `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`: glibc's allocator asks for transparent huge pages on the
 *   blocks it maps (the kernel's default `madvise` mode grants them only when asked): a Node Buffer of
 *   176 MB filled for the first time in 29 ms instead of 540 ms on the machines Echo is measured on, where
 *   each 4 KB page fault costs about 12 µs. The embedded engine's own allocator is asked the same way
 *   (lib/clickhouse/client.ts).
 */
import { FLOOR_GROWING_PERCENT } from "./heap";

export const HEAP_GROWING_FLAG = `--heap-growing-percent=${FLOOR_GROWING_PERCENT}`;

/** V8's flags above. */
export const SERVER_MEMORY_FLAGS: readonly string[] = [HEAP_GROWING_FLAG, "--max-semi-space-size=4", "--no-liftoff"];

/** Node's arguments before server.ts: the flags above, and tsx as the loader of the TypeScript sources. */
export const SERVER_NODE_ARGS: readonly string[] = [...SERVER_MEMORY_FLAGS, "--import", "tsx"];

const SERVER_ALLOCATOR_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: "2",
  MALLOC_MMAP_THRESHOLD_: "2097152",
  GLIBC_TUNABLES: "glibc.malloc.hugetlb=1",
};

/** The server's environment: the allocator's settings above, unless the environment given sets them. */
export function serverEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const settings = { ...env };
  for (const [name, value] of Object.entries(SERVER_ALLOCATOR_ENV)) settings[name] ??= value;
  return settings;
}
