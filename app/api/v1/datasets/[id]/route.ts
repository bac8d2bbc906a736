import { handle } from "@/lib/api/handler";
import { getDataset } from "@/lib/api/contracts/datasets";
import * as datasets from "@/lib/datasets/service";

export const dynamic = "force-dynamic";

export const GET = handle(getDataset, async ({ db, principal, params }) => datasets.getDataset(db, principal, params.id));
