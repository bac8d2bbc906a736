import { queryRows, runStatement } from "../clickhouse";
import { filterSql } from "../refinements/queries";
import type { ExportSample } from "./formats";
import type { DatasetFilter, DatasetSplit } from "./schemas";

// ClickHouse access of datasets: freezing a filter's samples into dataset_samples, and reading a frozen
// version back in order, a page at a time, joined to the samples' code.

/** Frozen samples read per query: a download holds one page (and its rendering) at a time. */
export const PAGE_SIZE = 2_000;

/** The split is chosen by hash: validation when cityHash64(suggestion_id) % SPLIT_BUCKETS is below share × SPLIT_BUCKETS. */
export const SPLIT_BUCKETS = 10_000;

/**
 * Freezes the samples a filter selects into a dataset, in one statement: their ids in the samples table's
 * order (suggestion_id) as positions 0, 1, …, each sample's split, and its label now. Samples of users who
 * opted out (outcome opted_out) carry no code and are never frozen. In the table's order, a download's
 * page of ids is one run of the table's rows: in the order they were refined, each page's ids lay all
 * over the table, so every page read (and decompressed the code of) nearly all of it.
 */
export async function freezeSamples(projectId: string, datasetId: string, filter: DatasetFilter, validationShare: number): Promise<void> {
  const { where, params } = filterSql(projectId, filter);
  await runStatement({
    tag: "datasets.freeze",
    sql: `INSERT INTO dataset_samples (project_id, dataset_id, position, suggestion_id, split, label)
          SELECT {projectId:String}, {datasetId:String}, toUInt32(row_number() OVER (ORDER BY s.suggestion_id) - 1),
                 s.suggestion_id, if(cityHash64(s.suggestion_id) % ${SPLIT_BUCKETS} < {threshold:UInt32}, 'validation', 'train'), l.label
          FROM refinement_samples AS s FINAL
          LEFT JOIN (SELECT suggestion_id, label FROM refinement_labels FINAL WHERE project_id = {projectId:String}) AS l
            ON l.suggestion_id = s.suggestion_id
          WHERE ${where} AND s.outcome != 'opted_out'`,
    params: { ...params, datasetId, threshold: Math.round(validationShare * SPLIT_BUCKETS) },
  });
}

/** Forgets a dataset's frozen samples (a creation that failed midway). */
export async function deleteFrozenSamples(projectId: string, datasetId: string): Promise<void> {
  await runStatement({
    tag: "datasets.deleteFrozen",
    sql: "DELETE FROM dataset_samples WHERE project_id = {projectId:String} AND dataset_id = {datasetId:String}",
    params: { projectId, datasetId },
  });
}

/**
 * How many of a version's frozen samples (of one split, or all) can still be exported: a sample leaves
 * downloads when its user opts out (their samples are deleted) or it expires. The IN set the engine
 * builds is the version's ids, looked up by the samples' primary key: the set the other way round (every
 * sample of the project, to test the version's ids against) took about 150 MB per million samples of the
 * project, at every download of any version however small.
 */
export async function exportableCount(projectId: string, datasetId: string, split?: DatasetSplit): Promise<number> {
  const [row] = await queryRows({
    tag: "datasets.exportable",
    sql: `SELECT count() AS n FROM refinement_samples FINAL
          WHERE project_id = {projectId:String} AND outcome != 'opted_out'
            AND suggestion_id IN (SELECT suggestion_id FROM dataset_samples
                                  WHERE project_id = {projectId:String} AND dataset_id = {datasetId:String}
                                    ${split ? "AND split = {split:String}" : ""})`,
    params: { projectId, datasetId, ...(split ? { split } : {}) },
    columns: { n: "number" },
  });
  return row?.n ?? 0;
}

const PAGE_COLUMNS = {
  position: "number",
  split: "string",
  label: "string",
  found: "string",
  suggestionId: "string",
  language: "string",
  modelVersion: "string",
  experimentKey: "string",
  variantKey: "string",
  outcome: "string",
  editRatio: "number",
  prefix: "string",
  suffix: "string",
  target: "string",
} as const;

/**
 * The frozen samples from `position` on (at most `limit`), in order, with their code. Every frozen row
 * of the range is answered (keyset paging by position stays exact), with `found` empty when its sample
 * is gone.
 */
async function frozenPage(projectId: string, datasetId: string, split: DatasetSplit | undefined, position: number, limit: number) {
  const range = `SELECT position, suggestion_id, split, label FROM dataset_samples
                 WHERE project_id = {projectId:String} AND dataset_id = {datasetId:String} AND position >= {position:UInt32}
                   ${split ? "AND split = {split:String}" : ""}
                 ORDER BY position LIMIT {limit:UInt32}`;
  return queryRows({
    tag: "datasets.page",
    sql: `SELECT d.position AS position, toString(d.split) AS split, d.label AS label, s.suggestion_id AS found,
                 d.suggestion_id AS suggestionId, s.language AS language, s.model_version AS modelVersion,
                 s.experiment_key AS experimentKey, s.variant_key AS variantKey, s.outcome AS outcome, s.edit_ratio AS editRatio,
                 s.prefix AS prefix, s.suffix AS suffix, s.target AS target
          FROM (${range}) AS d
          LEFT JOIN (SELECT suggestion_id, language, model_version, experiment_key, variant_key, outcome, edit_ratio, prefix, suffix, target
                     FROM refinement_samples FINAL
                     WHERE project_id = {projectId:String} AND outcome != 'opted_out'
                       AND suggestion_id IN (SELECT suggestion_id FROM (${range}))) AS s
            ON s.suggestion_id = d.suggestion_id
          ORDER BY d.position`,
    params: { projectId, datasetId, position, limit, ...(split ? { split } : {}) },
    columns: PAGE_COLUMNS,
  });
}

/** Reads a frozen version's pages in order; `next()` answers the next page's samples, or null after the last. */
export interface FrozenSamplePager {
  next(): Promise<ExportSample[] | null>;
}

/**
 * A frozen version's samples (of one split, or all) in order, one page at a time: each page is read
 * when the consumer asks for it, and the pager keeps nothing of a page once it has answered it, so a
 * download of any size holds about one page. Samples gone since the version was frozen (opted out,
 * expired) are left out.
 */
export function frozenSamples(projectId: string, datasetId: string, split?: DatasetSplit): FrozenSamplePager {
  let position = 0;
  let done = false;
  return {
    async next() {
      while (!done) {
        const page = await frozenPage(projectId, datasetId, split, position, PAGE_SIZE);
        done = page.length < PAGE_SIZE;
        if (page.length) position = page[page.length - 1].position + 1;
        const samples: ExportSample[] = [];
        for (const row of page) {
          if (!row.found) continue;
          samples.push({
            suggestionId: row.suggestionId,
            language: row.language,
            modelVersion: row.modelVersion,
            experimentKey: row.experimentKey,
            variantKey: row.variantKey,
            outcome: row.outcome as ExportSample["outcome"],
            label: row.label,
            editRatio: row.editRatio,
            split: row.split as DatasetSplit,
            prefix: row.prefix,
            suffix: row.suffix,
            target: row.target,
          });
        }
        if (samples.length) return samples;
      }
      return null;
    },
  };
}
