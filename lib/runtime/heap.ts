/**
 * The server's garbage collection after start-up, on top of the flags it is started with
 * (lib/runtime/serverProcess.ts). Both changes below were measured under the ingestion benchmark's load
 * (docs/performance.md, Ingestion) and in the soak; V8's flags are the process's, so they are set here, once, by
 * server.ts (and by the results benchmark's process, which stands for the server's request path).
 */
import { PerformanceObserver, constants, type NodeGCPerformanceDetail, type PerformanceEntry } from "node:perf_hooks";
import v8 from "node:v8";

const MB = 1024 * 1024;

/** The old generation's growth after a full collection never goes below this share of what survived. */
export const FLOOR_GROWING_PERCENT = 20;
/** Nor above this one (V8's own default lets it reach 300% while collections keep up). */
export const CEILING_GROWING_PERCENT = 100;
/** The room, in bytes, a full collection leaves the main heap before the next one at least. */
export const MIN_HEADROOM_BYTES = 64 * MB;

/**
 * The heap-growing percent for the next full collection of a heap where `liveBytes` survived the last:
 * at least MIN_HEADROOM_BYTES of room, and at least FLOOR_GROWING_PERCENT of what lives, within the
 * ceiling. A fixed 20% (the flag's value) kept a heap of 100 MB, a server's own code and state, only
 * 20 MB of room: under steady ingestion V8 then marked the heap almost without pause, and ingestion
 * ran at about 80% of its rate with 64 MB. A large heap (a results answer's rows) keeps the 20%, for
 * which the flag was set.
 */
export function growingPercentFor(liveBytes: number): number {
  const forHeadroom = Math.ceil((MIN_HEADROOM_BYTES / Math.max(liveBytes, 1)) * 100);
  return Math.min(CEILING_GROWING_PERCENT, Math.max(FLOOR_GROWING_PERCENT, forHeadroom));
}

/** Whether a "gc" performance entry is a full (mark-compact) collection. */
const isFullCollection = (entry: PerformanceEntry) =>
  (entry as PerformanceEntry & { detail?: NodeGCPerformanceDetail }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;

let observer: PerformanceObserver | undefined;
let current = 0;

function applyGrowingPercent(percent: number) {
  if (percent === current) return;
  current = percent;
  // Read by V8 at each full collection, so this applies from the next one on.
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/**
 * After each full collection of the main thread, sets the growth for the next one (growingPercentFor).
 * The flag is the process's: worker threads' heaps, a few MB each, grow by the same percent.
 */
export function keepHeapHeadroom(): void {
  if (observer) return;
  applyGrowingPercent(growingPercentFor(v8.getHeapStatistics().used_heap_size));
  observer = new PerformanceObserver((list) => {
    if (list.getEntries().some(isFullCollection)) applyGrowingPercent(growingPercentFor(v8.getHeapStatistics().used_heap_size));
  });
  observer.observe({ entryTypes: ["gc"] });
}

/**
 * Lets worker threads size their young generation from their resourceLimits (lib/workers/pool.ts).
 * `--max-semi-space-size` on the command line sizes the main thread's when it starts, and would size
 * every worker's too: V8 prefers the flag to a worker's limits. Cleared once the main heap exists, it
 * still holds for the main thread.
 */
export function letWorkersSizeTheirYoungGeneration(): void {
  if (process.execArgv.some((arg) => arg.startsWith("--max-semi-space-size"))) v8.setFlagsFromString("--max-semi-space-size=0");
}
