import { handle } from "@/lib/api/handler";
import { openapi } from "@/lib/api/contracts/system";
import { openApiDocument } from "@/lib/api/openapi";

export const dynamic = "force-dynamic";

export const GET = handle(openapi, async () => openApiDocument());
