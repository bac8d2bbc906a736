import { handle } from "@/lib/api/handler";
import { createDataset, listDatasets } from "@/lib/api/contracts/datasets";
import * as datasets from "@/lib/datasets/service";

export const dynamic = "force-dynamic";

export const GET = handle(listDatasets, async ({ db, principal }) => ({ items: await datasets.listDatasets(db, principal) }));

export const POST = handle(createDataset, async ({ db, principal, body }) => datasets.createDataset(db, principal, body));
