import { handle } from "@/lib/api/handler";
import { rollback } from "@/lib/api/contracts/releases";
import * as releases from "@/lib/releases/service";

export const dynamic = "force-dynamic";

export const POST = handle(rollback, async ({ db, principal, body }) => releases.rollback(db, principal, body.reason));
