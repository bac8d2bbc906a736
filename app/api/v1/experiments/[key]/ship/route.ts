import { handle } from "@/lib/api/handler";
import { ship } from "@/lib/api/contracts/releases";
import * as releases from "@/lib/releases/service";

export const dynamic = "force-dynamic";

export const POST = handle(ship, async ({ db, principal, params, body }) => releases.shipVariant(db, principal, params.key, body));
