import { audit } from "../audit/store";
import { actorName, type Principal } from "../auth/permissions";
import { clickhouseTime, fromClickhouseTime } from "../clickhouse/time";
import type { Db } from "../db";
import { invalid, notFound } from "../errors";
import { flushIngestion } from "../ingestion/log";
import { invalidateCodeCollection } from "./collection";
import { unifiedDiff } from "./measures";
import { forgetUserCode, insertLabel, outcomeCounts, samplePage, samplesById, type SampleCursor, type StoredSample } from "./queries";
import type { ListSamplesQuery, Sample, SampleFilter, SampleSummary } from "./schemas";
import { OUTCOMES } from "./schemas";

// What the refinement routes call: browsing samples, one sample, labels, opt-outs.

const nullable = (value: string) => (value === "" ? null : value);
const isoTime = (clickhouse: string) => (clickhouse ? new Date(fromClickhouseTime(clickhouse)).toISOString() : "");

function presentSummary(row: StoredSample): SampleSummary {
  return {
    suggestionId: row.suggestionId,
    modelVersion: row.modelVersion,
    experimentKey: row.experimentKey,
    variantKey: row.variantKey,
    language: row.language,
    proposal: row.proposal,
    final: row.final,
    target: row.target,
    editDistance: row.editDistance,
    editRatio: row.editRatio,
    outcome: row.outcome as SampleSummary["outcome"],
    reasons: row.reasons,
    refinedAt: isoTime(row.refinedAt),
    label: nullable(row.label) as SampleSummary["label"],
    labelNote: row.label ? row.labelNote : null,
    labeledBy: nullable(row.labeledBy),
    labeledAt: row.labeledAt ? isoTime(row.labeledAt) : null,
  };
}

function presentSample(row: StoredSample): Sample {
  return {
    ...presentSummary(row),
    userId: row.userId,
    ide: row.ide,
    userGroup: row.userGroup,
    prefix: row.prefix,
    suffix: row.suffix,
    diff: unifiedDiff(row.proposal, row.target),
    linesAdded: row.linesAdded,
    linesRemoved: row.linesRemoved,
    retainedChars: row.retainedChars,
    syntax: row.syntax,
    windowSeconds: row.windowSeconds,
    acceptedAt: isoTime(row.acceptedAt),
  };
}

/** Keyset cursors are opaque to clients: base64url of [sort key, suggestion id]. */
function encodeCursor(cursor: SampleCursor): string {
  return Buffer.from(JSON.stringify([cursor.key, cursor.suggestionId])).toString("base64url");
}

function decodeCursor(cursor: string): SampleCursor {
  try {
    const [key, suggestionId] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    if (typeof key === "number" && Number.isFinite(key) && typeof suggestionId === "string") return { key, suggestionId };
  } catch {
    // reported below
  }
  throw invalid("Invalid query: cursor: must be a nextCursor from an earlier answer", [
    { path: "query.cursor", message: "must be a nextCursor from an earlier answer" },
  ]);
}

export async function listSamples(principal: Principal, query: ListSamplesQuery) {
  const { cursor, limit, sort, ...filter } = query;
  const page = await samplePage(principal.projectId, filter, sort, limit + 1, cursor ? decodeCursor(cursor) : undefined);
  const shown = page.slice(0, limit);
  const rows = new Map(
    (
      await samplesById(
        principal.projectId,
        shown.map((p) => p.suggestionId),
      )
    ).map((r) => [r.suggestionId, r]),
  );
  const items = shown.flatMap((p) => (rows.has(p.suggestionId) ? [presentSummary(rows.get(p.suggestionId)!)] : []));
  const last = shown.at(-1);
  return { items, nextCursor: page.length > limit && last ? encodeCursor({ key: last.key, suggestionId: last.suggestionId }) : null };
}

export async function getSample(principal: Principal, suggestionId: string): Promise<Sample> {
  const [row] = await samplesById(principal.projectId, [suggestionId]);
  if (!row) throw notFound(`No refinement sample for suggestion '${suggestionId}'`);
  return presentSample(row);
}

/** Counts per outcome of the samples a filter selects (every outcome listed, zeros included). */
export async function sampleOutcomes(principal: Principal, filter: SampleFilter) {
  const counts = await outcomeCounts(principal.projectId, filter);
  return {
    total: [...counts.values()].reduce((s, n) => s + n, 0),
    outcomes: OUTCOMES.map((outcome) => ({ outcome, count: counts.get(outcome) ?? 0 })),
  };
}

export async function labelSample(client: Db, principal: Principal, suggestionId: string, input: { label: string; note?: string }) {
  const before = await getSample(principal, suggestionId);
  const at = Date.now();
  await insertLabel({
    project_id: principal.projectId,
    suggestion_id: suggestionId,
    label: input.label,
    note: input.note ?? "",
    labeled_by: actorName(principal),
    labeled_at: clickhouseTime(at),
  });
  await audit(client, principal, {
    action: "refinement.label",
    target: `refinement:${suggestionId}`,
    before: { label: before.label, note: before.labelNote },
    after: { label: input.label, note: input.note ?? null },
  });
  return {
    ...before,
    label: input.label as Sample["label"],
    labelNote: input.note ?? "",
    labeledBy: actorName(principal),
    labeledAt: new Date(at).toISOString(),
  };
}

/**
 * Stops sample collection for a user and deletes their stored code (samples, and the code fields of
 * their events); numeric metrics are kept. Recorded first, so the pipeline skips the user from now on.
 */
export async function optOut(client: Db, principal: Principal, userId: string) {
  await client.optOut.upsert({
    where: { projectId_userId: { projectId: principal.projectId, userId } },
    create: { projectId: principal.projectId, userId },
    update: {},
  });
  invalidateCodeCollection(principal.projectId);
  // Events this process acknowledged before the opt-out reach ClickHouse first, so the deletion covers them.
  await flushIngestion();
  await forgetUserCode(principal.projectId, userId);
  // end-user: the SDK's users, not the dashboard's accounts (audit targets user:<email>).
  await audit(client, principal, { action: "refinement.opt_out", target: `end-user:${userId}`, after: { optedOut: true } });
  return { userId, optedOut: true as const };
}
