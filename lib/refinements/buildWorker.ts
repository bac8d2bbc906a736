// A worker thread of the sample-building pool (lib/refinements/buildPool.ts): builds each batch it is sent.
import { serveTasks } from "../workers/serve";
import { buildBatch, type BuildBatch } from "./build";

serveTasks(async (batch: BuildBatch) => ({ result: await buildBatch(batch) }));
