import { handle } from "@/lib/api/handler";
import { modelVersionMetrics } from "@/lib/api/contracts/modelVersions";
import { modelVersionTrends } from "@/lib/modelVersions/service";
import { DAY_MS } from "@/lib/time";

export const dynamic = "force-dynamic";

export const GET = handle(modelVersionMetrics, async ({ db, principal, query }) => {
  const to = query.to ?? new Date(Date.now() + 60_000);
  const from = query.from ?? new Date(to.getTime() - 30 * DAY_MS);
  const { language, ide, userGroup } = query;
  return modelVersionTrends(db, principal, from, to, { language, ide, userGroup });
});
