// Driver adapters for Prisma 6.19 without any native engine.
//
//   DATABASE_URL=postgres://... | postgresql://...  -> PostgreSQL server through node-postgres (@prisma/adapter-pg)
//   DATABASE_URL unset, or "pglite:<dir>"            -> embedded PGlite (PostgreSQL 17 in WASM) stored in <dir>,
//                                                       default $ECHO_DATA_DIR/pglite
//
// makeAdapter()          -> for the application: new PrismaClient({ adapter: makeAdapter() })
// makeMigrationAdapter() -> for prisma.config.ts (Prisma Migrate runs the WASM schema engine through it)
import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { parseIntoClientConfig } from "pg-connection-string";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { dataDir } from "../settings";

export function isServerUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//.test(url);
}

export function pgliteDir(url = process.env.DATABASE_URL): string {
  if (url?.startsWith("pglite:")) return path.resolve(url.slice("pglite:".length));
  return path.join(dataDir(), "pglite");
}

// ---------------------------------------------------------------- embedded PGlite

/**
 * The database the application's tables live in: PGlite before 0.4 connected to `template1` (0.4 and later
 * default to `postgres`), so directories created by earlier versions keep being read where their data is.
 */
const PGLITE_DATABASE = "template1";
/**
 * PostgreSQL's buffer pool inside PGlite's WebAssembly memory. PGlite before 0.4 fixed it at 128 MB, all of
 * it resident from the start; the metadata (projects, experiments, keys, releases, audit) is a few MB, and
 * 16 MB measured as fast as 400 kB or 32 MB (3,000 inserts and 3,000 lookups), the server about 110 MB
 * smaller than with 0.3 (docs/performance.md, Soak).
 */
const PGLITE_SHARED_BUFFERS = "16MB";

// One PGlite per directory per process. PGlite has no cross-process lock and two instances on one
// directory corrupt it; the Prisma CLI calls the config's adapter() twice per command, so open lazily
// and share. Never run the app and a `prisma migrate` command on the same directory at the same time.
// On globalThis: server.ts loads this module from source while Next.js loads its own bundled copy, and
// both must share the one PGlite per directory.
const globalForPglite = globalThis as unknown as { __echoPglite?: Map<string, PGlite> };
const openDbs = (globalForPglite.__echoPglite ??= new Map<string, PGlite>());
function pgliteFor(dir: string): PGlite {
  let db = openDbs.get(dir);
  if (!db || db.closed) {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    db = new PGlite(dir, {
      database: PGLITE_DATABASE,
      startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
    });
    openDbs.set(dir, db);
  }
  return db;
}

type PGliteAdapter = Awaited<ReturnType<PrismaPGlite["connect"]>>;
type SqlQuery = Parameters<PGliteAdapter["executeRaw"]>[0];
type Cause = { kind: string; code?: string; message?: string; detail?: string; column?: string; constraint?: string };

// pglite-prisma-adapter 0.6.1 reports every database error as { kind: "postgres", code }, so PrismaClient
// throws a plain DriverAdapterError where @prisma/adapter-pg gives P2002 / P2003 / P2011 ... Map the
// constraint errors the way @prisma/adapter-pg does (runtime only: Migrate relies on the raw codes).
function mapPgliteError(e: unknown): never {
  const err = e as { name?: string; cause?: Cause };
  const c = err?.cause;
  if (err?.name === "DriverAdapterError" && c?.kind === "postgres") {
    const keyFields = c.detail
      ?.match(/Key \(([^)]+)\)/)
      ?.at(1)
      ?.split(", ");
    const mapped =
      c.code === "23505"
        ? { kind: "UniqueConstraintViolation", constraint: keyFields && { fields: keyFields } }
        : c.code === "23502"
          ? { kind: "NullConstraintViolation", constraint: c.column ? { fields: [c.column] } : undefined }
          : c.code === "23503"
            ? {
                kind: "ForeignKeyConstraintViolation",
                constraint: c.column ? { fields: [c.column] } : c.constraint ? { index: c.constraint } : undefined,
              }
            : c.code === "22001"
              ? { kind: "LengthMismatch", column: c.column }
              : c.code === "22003"
                ? { kind: "ValueOutOfRange", cause: c.message }
                : c.code === "40001"
                  ? { kind: "TransactionWriteConflict" }
                  : undefined;
    if (mapped) err.cause = { originalCode: c.code, originalMessage: c.message, ...mapped } as unknown as Cause;
  }
  throw e;
}

function mapErrors<T extends object>(queryable: T): T {
  return new Proxy(queryable, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (typeof v !== "function") return v;
      if (prop === "queryRaw" || prop === "executeRaw") {
        return (...args: unknown[]) => (v as (...a: unknown[]) => Promise<unknown>).apply(target, args).catch(mapPgliteError);
      }
      if (prop === "startTransaction") {
        return async (...args: unknown[]) => mapErrors(await (v as (...a: unknown[]) => Promise<object>).apply(target, args));
      }
      return v.bind(target);
    },
  });
}

// pglite-prisma-adapter 0.6.1 under Prisma Migrate:
//  - executeScript() does not await PGlite.exec(): a failing migration would be reported as applied;
//  - the shadow database replays every migration.sql through executeRaw() as ONE prepared statement:
//    P3006 "cannot insert multiple commands into a prepared statement".
// Argument-less SQL therefore goes through PGlite's simple-query exec().
function migrateScripts(adapter: PGliteAdapter, db: PGlite, onDispose?: () => Promise<void>): PGliteAdapter {
  return new Proxy(adapter, {
    get(target, prop) {
      // onError() turns PGlite's DatabaseError into a DriverAdapterError, so Migrate prints the real message
      const onError = (e: unknown): never => (target as unknown as { onError(e: unknown): never }).onError(e);
      if (prop === "executeScript") {
        return async (script: string) => {
          await db.exec(script).catch(onError);
        };
      }
      if (prop === "executeRaw") {
        return async (q: SqlQuery) => {
          if (q.args.length > 0) return target.executeRaw(q);
          const results = await db.exec(q.sql).catch(onError);
          return results.reduce((n, r) => n + (r.affectedRows ?? 0), 0);
        };
      }
      if (prop === "dispose" && onDispose) {
        return async () => {
          await target.dispose();
          await onDispose();
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

class PGliteFactory {
  readonly provider = "postgres" as const;
  readonly adapterName = "pglite-prisma-adapter";
  constructor(
    readonly dir: string,
    private readonly forMigrate: boolean,
  ) {}
  async connect() {
    const db = pgliteFor(this.dir);
    const adapter = await new PrismaPGlite(db).connect();
    return this.forMigrate ? migrateScripts(adapter, db) : mapErrors(adapter);
  }
  async connectToShadowDb() {
    const shadow = new PGlite(); // in memory
    return migrateScripts(await new PrismaPGlite(shadow).connect(), shadow, () => shadow.close());
  }
}

// ---------------------------------------------------------------- PostgreSQL server

type PgAdapter = Awaited<ReturnType<PrismaPg["connect"]>>;

// @prisma/adapter-pg 6.19.3 under Prisma Migrate (prisma.config.ts):
//  1. result columns of type name (oid 19) and "char" (oid 18), which Migrate's catalog queries return, fail with
//     "Column type 'name' could not be deserialized from the database" (prisma/orm#27403);
//  2. executeScript() splits migration.sql on every ';' (breaks on ';' in strings or $$ bodies);
//  3. connectToShadowDb() passes { ...config, database }, but a connectionString wins over `database`,
//     so the shadow replay hits the real database -> the URL is given to it already parsed;
//  4. its shadow dispose() drops the database before closing the pool ("is being accessed by other users").
// Applied only in the CLI process, never to the application's client.
let pgPatched = false;
function patchPgCatalogTypes() {
  if (pgPatched) return;
  pgPatched = true;
  const { Result } = pg as unknown as { Result: { prototype: { addFields(f: { dataTypeID: number }[]): void } } };
  const addFields = Result.prototype.addFields;
  Result.prototype.addFields = function (fields) {
    for (const f of fields) if (f.dataTypeID === 19 || f.dataTypeID === 18) f.dataTypeID = 25; // -> text
    return addFields.call(this, fields);
  };
}

function pgScripts(adapter: PgAdapter, onDispose?: () => Promise<void>): PgAdapter {
  return new Proxy(adapter, {
    get(target, prop) {
      if (prop === "executeScript") {
        return async (script: string) => {
          try {
            // simple-query protocol: the whole file at once, in one implicit transaction
            await (target.underlyingDriver() as pg.Pool).query(script);
          } catch (e) {
            (target as unknown as { onError(e: unknown): never }).onError(e);
          }
        };
      }
      if (prop === "dispose" && onDispose) return onDispose;
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

class PgMigrationFactory extends PrismaPg {
  constructor(private readonly cfg: pg.PoolConfig) {
    super(cfg);
  }
  override async connect() {
    return pgScripts(await super.connect());
  }
  override async connectToShadowDb() {
    const main = await super.connect();
    const database = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`;
    await main.executeScript(`CREATE DATABASE "${database}"`);
    const shadow = await new PrismaPg({ ...this.cfg, database }).connect();
    return pgScripts(shadow, async () => {
      await shadow.dispose(); // close the shadow pool first
      await main.executeScript(`DROP DATABASE IF EXISTS "${database}"`);
      await main.dispose();
    });
  }
}

// ---------------------------------------------------------------- entry points

/** Adapter for the application's PrismaClient. */
export function makeAdapter(url = process.env.DATABASE_URL) {
  if (isServerUrl(url)) return new PrismaPg({ connectionString: url });
  return new PGliteFactory(pgliteDir(url), false);
}

/** Adapter for prisma.config.ts (migrate dev/deploy/status/diff, db push). */
export function makeMigrationAdapter(url = process.env.DATABASE_URL) {
  if (isServerUrl(url)) {
    patchPgCatalogTypes();
    return new PgMigrationFactory({ ...parseIntoClientConfig(url), allowExitOnIdle: true } as pg.PoolConfig);
  }
  return new PGliteFactory(pgliteDir(url), true);
}

/** The embedded database of a directory, shared with the Prisma adapter (used by the in-process migrator). */
export function embeddedDatabase(url = process.env.DATABASE_URL): PGlite | undefined {
  return isServerUrl(url) ? undefined : pgliteFor(pgliteDir(url));
}

/** Close embedded databases (call after prisma.$disconnect()): since PGlite 0.4 an open one keeps the process from exiting. */
export async function closeEmbedded() {
  for (const db of openDbs.values()) if (!db.closed) await db.close();
  openDbs.clear();
}
