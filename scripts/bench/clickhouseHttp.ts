// The ClickHouse-HTTP test fixture (tests/fixtures/clickhouseHttpServer.ts: chDB behind the subset of
// ClickHouse's HTTP interface that @clickhouse/client uses) in a process of its own, so that the soak can
// run the app with CLICKHOUSE_URL and read the engine's memory apart from the app's. Not a ClickHouse
// server (none is installable here): the same engine as the embedded default, with its default settings.
// Usage: tsx scripts/bench/clickhouseHttp.ts <data directory>; prints the URL on its first line of output.
import { startClickHouseHttpServer } from "../../tests/fixtures/clickhouseHttpServer";

const dataDir = process.argv[2];
if (!dataDir) throw new Error("usage: tsx scripts/bench/clickhouseHttp.ts <data directory>");
const server = await startClickHouseHttpServer({ dataDir });
console.log(server.url);
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => void server.close().then(() => process.exit(0)));
}
