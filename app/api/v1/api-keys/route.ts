import { handle } from "@/lib/api/handler";
import { createApiKey, listApiKeys } from "@/lib/api/contracts/apiKeys";
import * as apiKeys from "@/lib/apiKeys/service";

export const dynamic = "force-dynamic";

export const GET = handle(listApiKeys, async ({ db, principal }) => ({ items: await apiKeys.listApiKeys(db, principal) }));

export const POST = handle(createApiKey, async ({ db, principal, body }) => apiKeys.createApiKey(db, principal, body));
