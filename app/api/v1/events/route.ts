import { handle, Reply } from "@/lib/api/handler";
import { events } from "@/lib/api/contracts/ingestion";
import { badRequest, errorBody } from "@/lib/api/errors";
import { ingestEvents } from "@/lib/events/service";

export const dynamic = "force-dynamic";

export const POST = handle(events, async ({ db, principal, body }) => {
  const result = await ingestEvents(db, principal.projectId, body.events);
  if (result.rejected.length === body.events.length) {
    // The documented error format, plus the same per-event list a 207 carries (compatible extension).
    const error = badRequest(
      `All ${body.events.length} events were rejected; details name each one`,
      result.rejected.flatMap((r) => r.errors),
      "validation_failed",
    );
    return new Reply(400, { ...errorBody(error), ...result });
  }
  return result.rejected.length ? new Reply(207, result) : result;
});
