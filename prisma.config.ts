import { defineConfig } from "prisma/config";
import { makeMigrationAdapter } from "./lib/db/adapter";

// No native engine is ever used (engineType = "client" + engine: "js"), but a few CLI paths still look
// for one and would try a download, which cannot succeed here; a dummy path avoids that.
process.env.PRISMA_QUERY_ENGINE_LIBRARY ??= "/bin/false";
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= "/bin/false";

// Prisma 6.19's WASM schema engine leaves 10 s and 60 s timers pending after a command has finished, so
// `prisma migrate ...` would idle for up to a minute before exiting: timers created from WebAssembly
// must not keep the CLI process alive.
const realSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = ((fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
  const timer = realSetTimeout(fn, ms, ...args);
  if ((ms ?? 0) >= 1000 && new Error().stack?.includes("wasm://")) timer.unref();
  return timer;
}) as typeof setTimeout;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  async adapter() {
    return makeMigrationAdapter();
  },
});
