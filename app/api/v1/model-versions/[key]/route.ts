import { handle } from "@/lib/api/handler";
import { getModelVersion, updateModelVersion } from "@/lib/api/contracts/modelVersions";
import * as modelVersions from "@/lib/modelVersions/service";

export const dynamic = "force-dynamic";

export const GET = handle(getModelVersion, async ({ db, principal, params }) => modelVersions.getModelVersion(db, principal, params.key));

export const PATCH = handle(updateModelVersion, async ({ db, principal, params, body }) =>
  modelVersions.updateModelVersion(db, principal, params.key, body),
);
