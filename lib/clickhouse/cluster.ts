// The sharded layout on a ClickHouse cluster (CLICKHOUSE_CLUSTER), derived from the single-node SQL so
// that queries and migrations are written once. Each table of the migrations is placed in one of two ways:
//
// - Sharded by user: the data lives in `<table>_local` (Replicated*MergeTree, one copy per replica of a
//   shard) and `<table>` becomes a Distributed table over it, sharded by cityHash64(project_id, user_id).
//   Queries and inserts name `<table>` exactly as on one node. A user's rows are on one shard, so FINAL's
//   de-duplication (duplicates share the user) and per-user aggregation happen where the rows are.
// - On every node: small tables (build records, labels, the pipeline's cursor, migrations) and the frozen
//   dataset lists are one Replicated table whose replicas are all nodes of the cluster, read locally.
//
// Only the statements that must reach the local tables change at run time (clusteredStatement): DELETE and
// ALTER … UPDATE, OPTIMIZE and TRUNCATE, which a Distributed table does not forward.

export interface ClusterTarget {
  cluster: string;
  database: string;
}

const USER_SHARDING_KEY = "cityHash64(project_id, user_id)";

/** Tables sharded across the cluster, each with the Distributed table's sharding key. */
export const SHARDED_TABLES: Readonly<Record<string, string>> = {
  events: USER_SHARDING_KEY,
  exposures: USER_SHARDING_KEY,
  experiment_user_daily: USER_SHARDING_KEY,
  refinement_samples: USER_SHARDING_KEY,
  // Beside its samples (written on each shard by refinement_dedupe_keys_mv from that shard's samples).
  refinement_dedupe_keys: USER_SHARDING_KEY,
  // Written on each shard by event_day_stats_mv from that shard's events; read through the Distributed
  // table, whose sums and maxima add the shards up. Only a backfill inserts through it: any shard will do.
  event_day_stats: "rand()",
};

/** Tables with a full copy on every node. */
export const EVERY_NODE_TABLES: readonly string[] = [
  "schema_migrations",
  "experiment_rollup_builds",
  "experiment_variant_latency_daily",
  "refinement_labels",
  "refinement_pipeline_state",
  "dataset_samples",
];

/** Tables once kept on every node that a later migration drops (created by the earlier ones all the same). */
export const DROPPED_TABLES: readonly string[] = ["experiment_rollup_days"];

export const localTable = (table: string) => `${table}_local`;

const identifier = (name: string) => name.replace(/[^\w]/g, "");
const onCluster = (target: ClusterTarget) => `ON CLUSTER '${identifier(target.cluster)}'`;
const isSharded = (table: string) => Object.hasOwn(SHARDED_TABLES, table);

function replicatedEngine(statement: string, table: string, target: ClusterTarget): string {
  const engine = /ENGINE\s*=\s*(Replacing|Aggregating|Summing|Collapsing)?MergeTree\b(\s*\(([^)]*)\))?/i;
  const match = statement.match(engine);
  if (!match) throw new Error(`ClickHouse migration: no MergeTree engine in CREATE TABLE ${table}`);
  // Replicas of a sharded table share a Keeper path per shard; an every-node table has one path for the
  // whole cluster, so every node holds all of it ({replica} must then name each node uniquely).
  const keeperPath = isSharded(table)
    ? `/clickhouse/tables/{shard}/${identifier(target.database)}/${localTable(table)}`
    : `/clickhouse/tables/all/${identifier(target.database)}/${table}`;
  const args = [`'${keeperPath}'`, "'{replica}'", ...(match[3]?.trim() ? [match[3].trim()] : [])];
  return statement.replace(engine, `ENGINE = Replicated${match[1] ?? ""}MergeTree(${args.join(", ")})`);
}

/** Names of sharded tables inside a statement's text replaced by their local tables (a view's source and target). */
function toLocalNames(sql: string): string {
  return sql.replace(/\b(FROM|TO|JOIN)\s+(\w+)\b/gi, (m, keyword: string, table: string) =>
    isSharded(table) ? `${keyword} ${localTable(table)}` : m,
  );
}

/** A Distributed table keeps the column list of its local table; every other ALTER concerns the stored data. */
function changesColumnsOnly(alteration: string): boolean {
  const clauses = alteration.split(/,\s*(?=(?:ADD|DROP|MODIFY|RENAME|MATERIALIZE|UPDATE|DELETE|CLEAR|COMMENT)\b)/i);
  const columnClauses = clauses.filter((c) => /^(ADD|DROP|MODIFY|RENAME|COMMENT)\s+COLUMN\b/i.test(c.trim()));
  if (columnClauses.length && columnClauses.length !== clauses.length) {
    throw new Error(
      "ClickHouse migration: change columns and anything else in separate ALTER statements (a Distributed table takes only the former)",
    );
  }
  return columnClauses.length > 0;
}

/**
 * The statements a single-node migration statement becomes on a cluster, in order: created on every
 * node (ON CLUSTER) with replicated engines, sharded tables as `<table>_local` plus a Distributed
 * `<table>`. INSERT … SELECT runs once, through the Distributed tables, on the node applying it.
 */
export function clusteredStatements(statement: string, target: ClusterTarget): string[] {
  const cluster = onCluster(target);
  const create = statement.match(/^CREATE\s+TABLE\s+IF\s+NOT\s+EXISTS\s+(\w+)/i);
  if (create) {
    const table = create[1];
    if (!isSharded(table) && !EVERY_NODE_TABLES.includes(table) && !DROPPED_TABLES.includes(table)) {
      throw new Error(`ClickHouse migration: table ${table} has no place on a cluster; add it to lib/clickhouse/cluster.ts`);
    }
    const replicated = replicatedEngine(statement, table, target);
    if (!isSharded(table)) return [replicated.replace(create[0], `${create[0]} ${cluster}`)];
    const local = localTable(table);
    return [
      replicated.replace(create[0], `CREATE TABLE IF NOT EXISTS ${local} ${cluster}`),
      `CREATE TABLE IF NOT EXISTS ${table} ${cluster} AS ${local}\n` +
        `ENGINE = Distributed('${identifier(target.cluster)}', '${identifier(target.database)}', '${local}', ${SHARDED_TABLES[table]})`,
    ];
  }
  const view = statement.match(/^CREATE\s+MATERIALIZED\s+VIEW\s+IF\s+NOT\s+EXISTS\s+(\w+)/i);
  if (view) {
    // A view fires on inserts into its source's local table, on the node that stores them.
    return [`${view[0]} ${cluster}${toLocalNames(statement.slice(view[0].length))}`];
  }
  const dropView = statement.match(/^DROP\s+VIEW\s+(IF\s+EXISTS\s+)?(\w+)$/i);
  if (dropView) return [`${dropView[0]} ${cluster}`];
  const dropTable = statement.match(/^DROP\s+TABLE\s+(IF\s+EXISTS\s+)?(\w+)$/i);
  if (dropTable) {
    // SYNC: a replicated table's Keeper path is free once the statement returns
    const drop = (table: string) => `DROP TABLE ${dropTable[1] ?? ""}${table} ${cluster} SYNC`;
    return isSharded(dropTable[2]) ? [drop(dropTable[2]), drop(localTable(dropTable[2]))] : [drop(dropTable[2])];
  }
  const alter = statement.match(/^ALTER\s+TABLE\s+(\w+)\s+/i);
  if (alter) {
    const table = alter[1];
    const alteration = statement.slice(alter[0].length);
    if (!isSharded(table)) return [`ALTER TABLE ${table} ${cluster} ${alteration}`];
    const local = `ALTER TABLE ${localTable(table)} ${cluster} ${alteration}`;
    return changesColumnsOnly(alteration) ? [local, `ALTER TABLE ${table} ${cluster} ${alteration}`] : [local];
  }
  const truncate = statement.match(/^TRUNCATE\s+TABLE\s+(IF\s+EXISTS\s+)?(\w+)/i);
  if (truncate) {
    const table = isSharded(truncate[2]) ? localTable(truncate[2]) : truncate[2];
    return [`TRUNCATE TABLE ${truncate[1] ?? ""}${table} ${cluster}${statement.slice(truncate[0].length)}`];
  }
  if (/^INSERT\s+INTO\s+\w+/i.test(statement)) return [statement];
  throw new Error(`ClickHouse migration: no clustered form for the statement ${statement.slice(0, 60)}…`);
}

/**
 * A statement run by the application, as the cluster needs it: DELETE, ALTER (mutations), OPTIMIZE and
 * TRUNCATE of a sharded table go to its local tables on every shard; anything else is unchanged.
 */
export function clusteredStatement(sql: string, target: ClusterTarget): string {
  const cluster = onCluster(target);
  return sql
    .replace(/^(\s*DELETE\s+FROM\s+)(\w+)(\s)/i, (m, head: string, table: string, space: string) =>
      isSharded(table) ? `${head}${localTable(table)} ${cluster}${space}` : m,
    )
    .replace(/^(\s*(?:ALTER|OPTIMIZE)\s+TABLE\s+)(\w+)(\s|$)/i, (m, head: string, table: string, space: string) =>
      isSharded(table) ? `${head}${localTable(table)} ${cluster}${space}` : m,
    )
    .replace(/^(\s*TRUNCATE\s+TABLE\s+(?:IF\s+EXISTS\s+)?)(\w+)(\s|$)/i, (m, head: string, table: string, space: string) =>
      isSharded(table) ? `${head}${localTable(table)} ${cluster}${space}` : m,
    );
}

/**
 * Settings of every query on a cluster. Subqueries and joins over Distributed tables are evaluated once
 * on the node that received the query and sent to the shards (GLOBAL), so every query means what it
 * means on one node; inserts return once the shards stored the rows (an acknowledged event is readable);
 * and every node prefers the same replica of each shard, so a request reads what the previous one wrote
 * and event_day_stats and events are read from one replica (docs/deploy.md, consistency).
 */
export const CLUSTER_QUERY_SETTINGS = {
  distributed_product_mode: "global",
  distributed_foreground_insert: 1,
  load_balancing: "in_order",
} as const;
