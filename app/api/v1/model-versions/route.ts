import { handle } from "@/lib/api/handler";
import { createModelVersion, listModelVersions } from "@/lib/api/contracts/modelVersions";
import * as modelVersions from "@/lib/modelVersions/service";

export const dynamic = "force-dynamic";

export const GET = handle(listModelVersions, async ({ db, principal }) => ({
  items: await modelVersions.listModelVersions(db, principal),
}));

export const POST = handle(createModelVersion, async ({ db, principal, body }) => modelVersions.createModelVersion(db, principal, body));
