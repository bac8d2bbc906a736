import { SUGGESTION_EVENT_TYPES, SUGGESTION_FACTS, SUM_KEYS, SUMS, type SumKey } from "./registry";

// SQL derived from the metric registry: the only place where the registry's sums become columns.

/** The per-suggestion columns over events `e`: the helper facts, then every sum (aliases = keys). */
export function suggestionColumnsSql(): string {
  const facts = Object.entries(SUGGESTION_FACTS).map(([key, sql]) => `${sql} AS ${key}`);
  const sums = SUM_KEYS.map((key) => `${SUMS[key].perSuggestion} AS ${key}`);
  return [...facts, ...sums].join(",\n      ");
}

/** `sum(k) AS k` for every sum (or those given): per-suggestion (or rollup) rows summed into one row per group. */
export function summedSumsSql(keys: readonly SumKey[] = SUM_KEYS): string {
  return keys.map((key) => `sum(${key}) AS ${key}`).join(", ");
}

/** Every sum column by name, optionally taken from a table alias (`r.k AS k`). */
export function sumColumnsSql(alias?: string): string {
  return SUM_KEYS.map((key) => (alias ? `${alias}.${key} AS ${key}` : key)).join(", ");
}

/**
 * The sums over `events AS e` joined to `joinSql` (or not), in rows to be summed per the given keys:
 * grouped by those keys and, for the events whose suggestion-level facts some sum needs
 * (SUGGESTION_EVENT_TYPES), by their suggestion (such an event without a suggestion id is its own group);
 * every other event of a key group falls in one row, since its sums add up event by event. So a
 * suggestion's facts come from its own events as if every event were grouped by suggestion, with a few
 * hundred thousand groups a day fewer to hash. The latencies of shown events come with each row.
 */
export function suggestionSumsSql(options: { keys: string; where: string; join?: string }): string {
  const types = SUGGESTION_EVENT_TYPES.map((type) => `'${type}'`).join(", ");
  return `
    SELECT ${options.keys},
      ${suggestionColumnsSql()},
      groupArrayIf(e.latency_ms, e.type = 'shown') AS latencies
    FROM events AS e FINAL${options.join ? `\n    ${options.join}` : ""}
    WHERE e.project_id = {projectId:String} AND e.type != 'exposure' AND ${options.where}
    GROUP BY ${options.keys.replace(/\s+AS\s+\w+/g, "")},
      if(e.type IN (${types}), if(e.suggestion_id = '', toString(e.event_id), e.suggestion_id), '')`;
}
