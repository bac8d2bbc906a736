import { handle, invalidInput, invalidJson, Reply } from "@/lib/api/handler";
import { events } from "@/lib/api/contracts/ingestion";
import { badRequest, errorBody } from "@/lib/api/errors";
import { ingestEventsBody } from "@/lib/events/service";

export const dynamic = "force-dynamic";

// The body is parsed by the service (off the main thread when large), which answers what the wrapper would.
export const POST = handle(events, async ({ db, principal, rawBody }) => {
  const result = await ingestEventsBody(db, principal.projectId, rawBody!);
  if ("problem" in result) throw result.problem === "json" ? invalidJson(result.message) : invalidInput("body", result.details);
  const { count, ...answer } = result;
  if (answer.rejected.length === count) {
    // The documented error format, plus the same per-event list a 207 carries (compatible extension).
    const error = badRequest(
      `All ${count} events were rejected; details name each one`,
      answer.rejected.flatMap((r) => r.errors),
      "validation_failed",
    );
    return new Reply(400, { ...errorBody(error), ...answer });
  }
  return answer.rejected.length ? new Reply(207, answer) : answer;
});
