import type { RefinementConfig } from "./config";
import { buildSample, type RefinementInput, type RefinementSample, type SampleContext } from "./sample";
import { checkRefinementSyntax } from "./syntax";

// Building a batch of samples, the same code whether it runs in the pipeline's process or in one of its
// worker threads (lib/refinements/buildPool.ts): what crosses to a worker is plain data.

/** Refinements to build, with what the caller knows about each: whether its user opted out. */
export interface BuildBatch {
  inputs: RefinementInput[];
  optedOut: boolean[];
  config: RefinementConfig;
}

let syntaxFailureLogged = false;

/**
 * The syntax check, kept from stopping the pipeline: a grammar that cannot load is a deployment error
 * (logged once per thread), and its samples are `unchecked` rather than every later pass failing on them.
 */
const checkSyntax: NonNullable<SampleContext["checkSyntax"]> = (language, input) =>
  checkRefinementSyntax(language, input).catch((error: Error) => {
    if (!syntaxFailureLogged) console.error(`[echo] syntax check unavailable (${language}); samples stay unchecked:`, error.message);
    syntaxFailureLogged = true;
    return "unchecked" as const;
  });

/**
 * The batch's samples, in its order. One after another: building is synchronous CPU work apart from a
 * grammar's first load, so more in flight only adds scheduling (measured: 16 at once cost 40% more).
 */
export async function buildBatch({ inputs, optedOut, config }: BuildBatch): Promise<RefinementSample[]> {
  const samples = new Array<RefinementSample>(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    samples[i] = await buildSample(inputs[i], config, { optedOut: optedOut[i], checkSyntax });
  }
  return samples;
}
