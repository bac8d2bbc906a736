"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Fragment, Suspense, useState, type FormEvent } from "react";
import { ErrorNote } from "@/app/components/ErrorNote";
import { dateTime } from "@/app/components/format";
import { auditChanges } from "@/lib/audit/diff";
import { auditSearch, useAuditPages, type AuditFilterParams, type AuditPage } from "@/lib/client/admin";

type Entry = AuditPage["items"][number];

const FILTERS = ["actor", "action", "target", "from", "to"] as const;
// Families the filter offers; any action name works too (typed).
const ACTION_FAMILIES = [
  "experiment",
  "model_version",
  "promotion",
  "rollback",
  "user",
  "api_key",
  "webhook",
  "project",
  "dataset",
  "refinement",
];
const DAY_MS = 86_400_000;

/** The URL keeps calendar dates of the reader's time zone (from, to inclusive); the API takes instants (to exclusive). */
function apiFilter(filter: AuditFilterParams): AuditFilterParams {
  const midnight = (date: string) => new Date(`${date}T00:00:00`);
  return {
    ...filter,
    from: filter.from ? midnight(filter.from).toISOString() : undefined,
    to: filter.to ? new Date(midnight(filter.to).getTime() + DAY_MS).toISOString() : undefined,
  };
}

function show(value: unknown): string {
  if (value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value, null, 1);
}

/** The entry's before and after side by side, changed fields first and marked. */
function ChangeView({ entry }: { entry: Entry }) {
  const changes = auditChanges(entry.before, entry.after);
  if (!changes.length) return <p className="muted small">No before or after recorded for this action.</p>;
  return (
    <table className="table audit-diff" data-testid="audit-diff">
      <thead>
        <tr>
          <th>Field</th>
          <th>Before</th>
          <th>After</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((c) => (
          <tr key={c.field} className={c.changed ? "changed" : "muted"}>
            <td>
              <code>{c.field}</code>
            </td>
            <td className={c.changed ? "diff-del" : ""}>
              <pre>{show(c.before)}</pre>
            </td>
            <td className={c.changed ? "diff-add" : ""}>
              <pre>{show(c.after)}</pre>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function changedFields(entry: Entry): string {
  const changed = auditChanges(entry.before, entry.after).filter((c) => c.changed);
  if (entry.before === null && entry.after !== null) return "created";
  if (entry.after === null && entry.before !== null) return "removed";
  return changed.map((c) => c.field).join(", ");
}

function AuditLog() {
  const search = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const filter = Object.fromEntries(FILTERS.map((name) => [name, search.get(name) || undefined])) as AuditFilterParams;
  const pages = useAuditPages(apiFilter(filter));
  const [open, setOpen] = useState<string | null>(null);
  const entries = pages.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = FILTERS.some((name) => filter[name]);

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = auditSearch(Object.fromEntries(FILTERS.map((name) => [name, String(form.get(name) ?? "").trim()])));
    router.replace(next.size ? `${pathname}?${next}` : pathname, { scroll: false });
  };
  const csv = auditSearch(apiFilter(filter));
  csv.set("format", "csv");

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Audit log</h1>
          <p className="muted">
            Every change to experiments, model versions and releases, API keys, users and settings: who, when, why, and what it was before
            and after. Rows are never changed or deleted.
          </p>
        </div>
        <a className="button" href={`/api/v1/audit?${csv}`} download data-testid="audit-csv">
          Export CSV
        </a>
      </header>
      <form key={search.toString()} className="card filters" aria-label="Audit filters" onSubmit={apply}>
        <label>
          Actor
          <input name="actor" defaultValue={filter.actor} placeholder="email or api-key:…" />
        </label>
        <label>
          Action
          <input name="action" defaultValue={filter.action} placeholder="experiment or experiment.start" list="audit-actions" />
          <datalist id="audit-actions">
            {ACTION_FAMILIES.map((family) => (
              <option key={family} value={family} />
            ))}
          </datalist>
        </label>
        <label>
          Target
          <input name="target" defaultValue={filter.target} placeholder="experiment:checkout or user" />
        </label>
        <label>
          From
          <input name="from" type="date" defaultValue={filter.from} />
        </label>
        <label>
          To
          <input name="to" type="date" defaultValue={filter.to} />
        </label>
        <button className="button primary" type="submit">
          Apply
        </button>
        {filtered ? (
          <button className="link-button" type="button" onClick={() => router.replace(pathname, { scroll: false })}>
            Clear
          </button>
        ) : null}
      </form>
      <section className="card">
        <ErrorNote error={pages.error} />
        {pages.isLoading ? <p className="muted">Loading…</p> : null}
        {pages.data && !entries.length ? (
          <p className="empty">{filtered ? "No audit entries match these filters." : "Nothing has been changed yet."}</p>
        ) : null}
        {entries.length ? (
          <table className="table" data-testid="audit-table">
            <thead>
              <tr>
                <th>When</th>
                <th>Actor</th>
                <th>Action</th>
                <th>Target</th>
                <th>Changed</th>
                <th>Reason</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <Fragment key={entry.id}>
                  <tr
                    className="clickable"
                    data-testid="audit-row"
                    aria-expanded={open === entry.id}
                    onClick={() => setOpen(open === entry.id ? null : entry.id)}
                  >
                    <td className="muted nowrap">{dateTime(entry.at)}</td>
                    <td>{entry.actor}</td>
                    <td>
                      <span className="badge">{entry.action}</span>
                    </td>
                    <td>
                      <code>{entry.target}</code>
                    </td>
                    <td className="muted small">{changedFields(entry)}</td>
                    <td>{entry.reason ?? <span className="muted">—</span>}</td>
                  </tr>
                  {open === entry.id ? (
                    <tr>
                      <td colSpan={6}>
                        <ChangeView entry={entry} />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              ))}
            </tbody>
          </table>
        ) : null}
        {pages.hasNextPage ? (
          <button className="button" onClick={() => pages.fetchNextPage()} disabled={pages.isFetchingNextPage}>
            {pages.isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        ) : null}
      </section>
    </div>
  );
}

export default function AuditPage() {
  return (
    <Suspense>
      <AuditLog />
    </Suspense>
  );
}
