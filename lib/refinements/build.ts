import type { RefinementConfig } from "./config";
import { builtRow, escapedCode, refinedLineFields, refinedSuggestion, refinementInput, type BuiltRow } from "./rows";
import { buildSample, type SampleContext } from "./sample";
import { checkRefinementSyntax } from "./syntax";

// Building a run of extracted lines into sample rows, the same code whether it runs in the pipeline's
// process or in one of its worker threads (lib/refinements/buildPool.ts): what crosses to a worker is the
// lines' text, and what comes back is each sample's row text and what the pass decides it by.

/** Extracted lines to build (lib/refinements/rows.ts), with what the caller knows of each: whether its user opted out. */
export interface BuildBatch {
  text: string;
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
 * The batch's sample rows, in its order. One after another: building is synchronous CPU work apart from a
 * grammar's first load, so more in flight only adds scheduling (measured: 16 at once cost 40% more).
 */
export async function buildBatch({ text, optedOut, config }: BuildBatch): Promise<BuiltRow[]> {
  const lines = refinedLineFields(text);
  const rows = new Array<BuiltRow>(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const suggestion = refinedSuggestion(lines[i]);
    const sample = await buildSample(refinementInput(suggestion), config, { optedOut: optedOut[i], checkSyntax });
    rows[i] = builtRow(sample, suggestion.refinedEventId, { original: suggestion, escaped: escapedCode(lines[i]) });
  }
  return rows;
}
