import { handle } from "@/lib/api/handler";
import { getSettings, updateSettings } from "@/lib/api/contracts/settings";
import { projectSettings, updateProjectSettings } from "@/lib/projects/service";

export const dynamic = "force-dynamic";

export const GET = handle(getSettings, async ({ db, principal }) => projectSettings(db, principal));

export const PATCH = handle(updateSettings, async ({ db, principal, body }) => updateProjectSettings(db, principal, body));
