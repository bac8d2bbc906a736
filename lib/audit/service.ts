import type { Principal } from "../auth/permissions";
import type { Db } from "../db";
import { invalid } from "../errors";
import { csvLine } from "./csv";
import type { AuditEntry, AuditFilter, AuditPage } from "./schemas";
import { findAuditRows, type AuditPosition, type AuditRow } from "./store";

// Reading the audit log: pages for the API and the page, and the whole filtered log as CSV.

export const CSV_COLUMNS = ["at", "actor", "action", "target", "before", "after", "reason"] as const;
const CSV_PAGE = 1000;

function present(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    target: row.target,
    before: row.before ?? null,
    after: row.after ?? null,
    reason: row.reason,
  };
}

function encodeCursor(row: AuditRow): string {
  return Buffer.from(JSON.stringify([row.at.toISOString(), row.id])).toString("base64url");
}

function decodeCursor(cursor: string): AuditPosition {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [string, string];
    const position = { at: new Date(at), id };
    if (typeof id !== "string" || Number.isNaN(position.at.getTime())) throw new Error("malformed");
    return position;
  } catch {
    throw invalid("cursor is not one this API gave out", [
      { path: "query.cursor", message: "must be a nextCursor from an earlier answer" },
    ]);
  }
}

export async function listAudit(
  client: Db,
  principal: Principal,
  query: AuditFilter & { cursor?: string; limit: number },
): Promise<AuditPage> {
  const after = query.cursor ? decodeCursor(query.cursor) : undefined;
  // One more than asked: whether a next page exists without a count.
  const rows = await findAuditRows(client, principal.projectId, query, query.limit + 1, after);
  const page = rows.slice(0, query.limit);
  return { items: page.map(present), nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]) : null };
}

/** Every matching row as CSV lines (header first), read a page at a time as the client takes them. */
export async function* auditCsv(client: Db, principal: Principal, filter: AuditFilter): AsyncGenerator<string> {
  yield csvLine(CSV_COLUMNS);
  let after: AuditPosition | undefined;
  for (;;) {
    const rows = await findAuditRows(client, principal.projectId, filter, CSV_PAGE, after);
    let chunk = "";
    for (const row of rows) {
      const entry = present(row);
      chunk += csvLine(CSV_COLUMNS.map((column) => entry[column]));
    }
    if (chunk) yield chunk;
    if (rows.length < CSV_PAGE) return;
    after = rows[rows.length - 1];
  }
}
