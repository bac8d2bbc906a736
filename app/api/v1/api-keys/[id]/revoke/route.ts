import { handle } from "@/lib/api/handler";
import { revokeApiKey } from "@/lib/api/contracts/apiKeys";
import * as apiKeys from "@/lib/apiKeys/service";

export const dynamic = "force-dynamic";

export const POST = handle(revokeApiKey, async ({ db, principal, params }) => apiKeys.revokeApiKey(db, principal, params.id));
