import { handle } from "@/lib/api/handler";
import { config } from "@/lib/api/contracts/ingestion";
import { assignmentConfig } from "@/lib/experiments/assignmentConfig";

export const dynamic = "force-dynamic";

export const GET = handle(config, async ({ db, principal }) => assignmentConfig(db, principal.projectId));
