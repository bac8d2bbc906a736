import { handle } from "@/lib/api/handler";
import { assign } from "@/lib/api/contracts/ingestion";
import { assignAndExpose } from "@/lib/exposures/service";

export const dynamic = "force-dynamic";

export const POST = handle(assign, async ({ db, principal, body }) =>
  assignAndExpose(db, principal.projectId, body.userId, body.attributes),
);
