// npm run db:migrate — applies the metadata (Prisma) and event (ClickHouse) migrations, the same ones
// the server applies at start-up. Do not run it while a server uses the same embedded data directory.
import { closeClickHouse, clusterTarget } from "../lib/clickhouse";
import { clickhouseHandle } from "../lib/clickhouse/client";
import { applyMigrations } from "../lib/clickhouse/migrate";
import { closeDatabase } from "../lib/db";
import { database } from "../lib/runtime/database";
import { applyDatabaseMigrations } from "../lib/db/migrate";

const metadata = await applyDatabaseMigrations();
console.log(`metadata database: ${metadata.applied.length ? `applied ${metadata.applied.join(", ")}` : "up to date"}`);
await database(); // initializes an empty store
const { client } = await clickhouseHandle();
const events = await applyMigrations(client, { cluster: clusterTarget() });
console.log(`event store: ${events.applied.length ? `applied ${events.applied.join(", ")}` : "up to date"}`);
await closeDatabase();
await closeClickHouse();
