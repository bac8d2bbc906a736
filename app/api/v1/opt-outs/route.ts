import { handle } from "@/lib/api/handler";
import { optOut } from "@/lib/api/contracts/refinements";
import * as refinements from "@/lib/refinements/service";

export const dynamic = "force-dynamic";

export const POST = handle(optOut, async ({ db, principal, body }) => refinements.optOut(db, principal, body.userId));
