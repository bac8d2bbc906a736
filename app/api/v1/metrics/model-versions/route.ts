import { handle } from "@/lib/api/handler";
import { modelVersionMetrics } from "@/lib/api/contracts/modelVersions";
import { clickhouseTime } from "@/lib/clickhouse/time";
import { DAY_MS } from "@/lib/time";
import { modelVersionDaily } from "@/lib/results/queries";

export const dynamic = "force-dynamic";

export const GET = handle(modelVersionMetrics, async ({ principal, query }) => {
  const to = query.to ?? new Date(Date.now() + 60_000);
  const from = query.from ?? new Date(to.getTime() - 30 * DAY_MS);
  const rows = await modelVersionDaily(principal.projectId, clickhouseTime(from.getTime()), clickhouseTime(to.getTime()));
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    items: rows.map((r) => ({
      ...r,
      acceptanceRate: r.shown > 0 ? r.accepted / r.shown : null,
      generationRate: r.aiChars + r.humanChars > 0 ? r.aiChars / (r.aiChars + r.humanChars) : null,
    })),
  };
});
