// What an audit entry changed: its before and after compared field by field (top-level fields; nested
// values compared as a whole). Pure; the audit page shows it.

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
  changed: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Every field of either side, changed ones first, each group in name order. A side that is not an object is one field, "value". */
export function auditChanges(before: unknown, after: unknown): FieldChange[] {
  if (before === null && after === null) return [];
  if (!isRecord(before ?? {}) || !isRecord(after ?? {})) {
    return [{ field: "value", before, after, changed: JSON.stringify(before) !== JSON.stringify(after) }];
  }
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
  const changes = fields.map((field) => ({
    field,
    before: b[field],
    after: a[field],
    changed: JSON.stringify(b[field]) !== JSON.stringify(a[field]),
  }));
  return [...changes.filter((c) => c.changed), ...changes.filter((c) => !c.changed)];
}
