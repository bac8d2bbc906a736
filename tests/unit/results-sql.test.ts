import { describe, expect, it } from "vitest";
import { readMigrations, splitStatements } from "@/lib/clickhouse/migrate";
import { exposureDaysSql, exposedUsersSql } from "@/lib/exposures/queries";
import { SUGGESTION_EVENT_TYPES, SUGGESTION_FACTS, SUM_KEYS, SUMS } from "@/lib/metrics/registry";
import { modelVersionDailySql, segmentValuesSql } from "@/lib/modelVersions/queries";
import * as sql from "@/lib/results/sql";

// Golden files of the SQL that results, the rollup, exposures and model-version trends run: a change
// to a query (or to the metric registry it derives from) shows up in review as a change to a file in
// tests/unit/golden/. Update them with `npx vitest run tests/unit/results-sql.test.ts -u`.

const generated: Record<string, string> = {
  "results-fresh-days": sql.freshDaysSql(),
  "results-user-day-rows": sql.userDayRowsSql(),
  "results-user-day-rows-by-language": sql.userDayRowsSql("language"),
  "results-user-rows-with-series": sql.userDayRowsSql(undefined, ["requested", "shown", "accepted"], {
    numerator: ["accepted"],
    denominator: ["shown"],
  }),
  "results-user-rows-with-latency": sql.userDayRowsSql(undefined, ["shown"], undefined, "histograms"),
  "results-user-rows-with-latency-tails": sql.userDayRowsSql(undefined, ["shown"], undefined, "tails"),
  "results-latency-quantiles": sql.latencyQuantilesSql(),
  "rollup-day-states": sql.rollupDayStatesSql(),
  "rollup-snapshot": sql.rollupSnapshotSql(),
  "rollup-snapshot-of-a-patch": sql.rollupSnapshotSql(true),
  "rollup-insert": sql.rollupInsertSql(),
  "rollup-patch-rows": sql.rollupInsertSql(true),
  "rollup-carry-rows": sql.rollupCarrySql(),
  "rollup-record": sql.rollupRecordSql(),
  "rollup-tail-from": sql.rollupTailFromSql(),
  "rollup-variant-latency": sql.rollupVariantLatencySql(),
  "rollup-delete-superseded": sql.rollupDeleteSupersededSql(),
  "rollup-superseded-count": sql.rollupSupersededCountSql(),
  "exposures-days": exposureDaysSql(),
  "exposures-users": exposedUsersSql(true),
  "model-versions-daily": modelVersionDailySql(),
  "model-versions-totals": modelVersionDailySql("version"),
  "all-traffic-daily": modelVersionDailySql("day"),
  "model-versions-segment-values": segmentValuesSql(),
};

describe("generated SQL", () => {
  for (const [name, text] of Object.entries(generated)) {
    it(`${name} matches its golden file`, async () => {
      await expect(`${text.trim()}\n`).toMatchFileSnapshot(`golden/${name}.sql`);
    });
  }

  it("binds every value as a typed parameter (no value is ever spliced into the text)", () => {
    for (const [name, text] of Object.entries(generated)) {
      expect(text, name).not.toMatch(/\$\{|undefined|\[object /);
      for (const [, param] of text.matchAll(/\{(\w+)(?::[^}]+)?\}/g)) {
        expect(text, `${name}: {${param}} without a type`).toMatch(new RegExp(`\\{${param}:[A-Za-z]`));
      }
    }
  });

  it("reads every sum of the metric registry from a rollup column that the migrations create", () => {
    const statements = readMigrations().flatMap((m) => splitStatements(m.sql));
    const columns = new Set<string>();
    for (const statement of statements) {
      if (/^CREATE TABLE IF NOT EXISTS experiment_user_daily\b/.test(statement)) {
        for (const [, column] of statement.matchAll(/^\s{4}(\w+)\s+[A-Z]/gm)) columns.add(column);
      }
      if (/^ALTER TABLE experiment_user_daily\b/.test(statement)) {
        for (const [, column] of statement.matchAll(/ADD COLUMN IF NOT EXISTS (\w+)/g)) columns.add(column);
      }
    }
    for (const key of SUM_KEYS) expect(columns, `rollup column ${key}`).toContain(key);
    expect(sql.rollupInsertSql()).toContain(SUM_KEYS.join(", "));
  });

  it("groups by suggestion only the event types whose facts the sums read; every other sum adds up event by event", () => {
    // lib/metrics/sql.ts suggestionSumsSql puts all other events of a key group in one row
    for (const [fact, sql] of Object.entries(SUGGESTION_FACTS)) {
      const types = [...sql.matchAll(/e\.type = '(\w+)'/g)].map((m) => m[1]);
      expect(types.length, fact).toBeGreaterThan(0);
      for (const type of types) expect(SUGGESTION_EVENT_TYPES, `${fact} reads ${type}`).toContain(type);
    }
    const facts = Object.keys(SUGGESTION_FACTS);
    for (const [key, { perSuggestion }] of Object.entries(SUMS)) {
      if (facts.some((fact) => perSuggestion.includes(fact))) continue;
      expect(perSuggestion, key).toMatch(/^(countIf|sumIf)\(/);
    }
  });
});
