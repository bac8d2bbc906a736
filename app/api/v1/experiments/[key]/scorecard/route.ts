import { handle, StreamReply } from "@/lib/api/handler";
import { getScorecard } from "@/lib/api/contracts/experiments";
import { experimentScorecard } from "@/lib/results/service";
import { scorecardCsv } from "@/lib/results/scorecard";

export const dynamic = "force-dynamic";

export const GET = handle(getScorecard, async ({ db, principal, params, query }) => {
  const scorecard = await experimentScorecard(db, principal, params.key, query);
  if (query.format !== "csv") return scorecard;
  const day = scorecard.computedAt.slice(0, 10);
  return new StreamReply(
    200,
    {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="echo-scorecard-${scorecard.experimentKey}-${day}.csv"`,
    },
    (async function* () {
      yield scorecardCsv(scorecard);
    })(),
  );
});
