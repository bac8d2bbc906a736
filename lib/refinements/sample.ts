/**
 * A refinement sample: one `refined` event turned into a candidate training example, with its measures,
 * its syntax status and its outcome. `buildSample` is the pipeline, in this order:
 *
 *   redact   (redact.ts)   the four fields as one text; secrets become `[REDACTED:<rule>]`
 *   trim     (trim.ts)     the final less the context it repeats: the target
 *   measures (measures.ts) edit distance and ratio, retained characters, lines changed
 *   syntax   (syntax.ts)   errors the target introduces in its context (async: grammars load lazily)
 *   outcome  (outcome.ts)  one outcome and every reason, with the dedupe key the caller checks
 *
 * Pure apart from the syntax check's lazy grammar loading: no clock, no randomness, no store. What only the
 * caller knows (whether the user opted out, whether the dedupe key was seen) comes in `SampleContext`.
 */
import { DEFAULT_REFINEMENT_CONFIG, type RefinementConfig } from "./config";
import { measureRefinement } from "./measures";
import { classifyOutcome, dedupeKey, type Outcome, type Reason } from "./outcome";
import { earlierRedactions, redactRefinement } from "./redact";
import { checkRefinementSyntax, type RefinementSyntaxInput, type SyntaxStatus } from "./syntax";
import { trimToTarget } from "./trim";

/** A refined event's fields (lib/events/schema.ts), where it was ingested and when. */
export interface RefinementInput {
  suggestionId: string;
  projectId?: string | null;
  userId: string;
  modelVersion: string;
  experimentKey?: string | null;
  variantKey?: string | null;
  language?: string | null;
  ide?: string | null;
  userGroup?: string | null;
  prefix?: string;
  suffix?: string;
  proposal: string;
  final: string;
  windowSeconds: number;
  /** The refined event's timestamp (epoch milliseconds). */
  refinedAt: number;
  /** The accepted event's timestamp (epoch milliseconds), when the caller has joined it. */
  acceptedAt?: number | null;
  /** `retainedChars` as the client reported it, if it did. */
  retainedChars?: number | null;
}

/** What the caller knows and the sample cannot. */
export interface SampleContext {
  /** The user opted out of training on their code. */
  optedOut?: boolean;
  /** Whether a sample with this dedupe key was seen before (by the caller's own rule). */
  isDuplicate?: (key: string) => boolean;
  /** The syntax check (default: `checkRefinementSyntax`); a test or a batch job may pass its own. */
  checkSyntax?: (language: string | null, input: RefinementSyntaxInput) => Promise<SyntaxStatus>;
}

export interface RefinementSample {
  suggestionId: string;
  projectId: string | null;
  userId: string;
  modelVersion: string;
  experimentKey: string | null;
  variantKey: string | null;
  language: string | null;
  ide: string | null;
  userGroup: string | null;
  /** The context and texts, redacted. */
  prefix: string;
  suffix: string;
  proposal: string;
  final: string;
  /** What the model should have produced at the cursor: the final less the context it repeats. */
  target: string;
  /** Characters of the final that repeated the prefix's tail / the suffix's head, and were stripped. */
  trimmedPrefixChars: number;
  trimmedSuffixChars: number;
  editDistance: number;
  editRatio: number;
  /** Characters of the proposal kept in the target (LCS length; see measures.ts). */
  retainedChars: number;
  /** False when `retainedChars` is the lower bound of an over-budget diff. */
  retainedExact: boolean;
  /** `retainedChars` as the client reported it, or null. */
  reportedRetainedChars: number | null;
  linesAdded: number;
  linesRemoved: number;
  syntax: SyntaxStatus;
  outcome: Outcome;
  reasons: Reason[];
  /** Distinct secrets redacted, and the rules that found them. */
  secretsFound: number;
  secretRules: string[];
  /** Whitespace-normalized context + target, hashed (see outcome.ts). */
  dedupeKey: string;
  acceptedAt: number | null;
  refinedAt: number;
  windowSeconds: number;
}

/** Runs the pipeline on one refinement: redact → trim → measures → syntax → outcome. */
export async function buildSample(
  input: RefinementInput,
  config: RefinementConfig = DEFAULT_REFINEMENT_CONFIG,
  context: SampleContext = {},
): Promise<RefinementSample> {
  const language = input.language ?? null;
  const redacted = redactRefinement({
    prefix: input.prefix ?? "",
    proposal: input.proposal,
    final: input.final,
    suffix: input.suffix ?? "",
  });
  const { prefix, suffix, proposal, final } = redacted;
  // Text redacted before (at ingestion) holds markers this pass cannot find again: they count too.
  const earlier = earlierRedactions(input.prefix ?? "", input.proposal, input.final, input.suffix ?? "");
  const secretRules = [...new Set([...redacted.rules, ...earlier])];
  const { target, strippedPrefix, strippedSuffix } = trimToTarget({ prefix, suffix, proposal, final });
  const measures = measureRefinement(proposal, target, config);
  const syntax = await (context.checkSyntax ?? checkRefinementSyntax)(language, { prefix, suffix, proposal, target });
  const key = dedupeKey({ prefix, suffix, target });
  const { outcome, reasons } = classifyOutcome(
    {
      optedOut: context.optedOut ?? false,
      secretRules,
      proposal,
      final,
      target,
      editRatio: measures.editRatio,
      syntax,
      duplicate: context.isDuplicate?.(key) ?? false,
    },
    config,
  );
  return {
    suggestionId: input.suggestionId,
    projectId: input.projectId ?? null,
    userId: input.userId,
    modelVersion: input.modelVersion,
    experimentKey: input.experimentKey ?? null,
    variantKey: input.variantKey ?? null,
    language,
    ide: input.ide ?? null,
    userGroup: input.userGroup ?? null,
    prefix,
    suffix,
    proposal,
    final,
    target,
    trimmedPrefixChars: strippedPrefix,
    trimmedSuffixChars: strippedSuffix,
    editDistance: measures.editDistance,
    editRatio: measures.editRatio,
    retainedChars: measures.retainedChars,
    retainedExact: measures.retainedExact,
    reportedRetainedChars: input.retainedChars ?? null,
    linesAdded: measures.linesAdded,
    linesRemoved: measures.linesRemoved,
    syntax,
    outcome,
    reasons,
    secretsFound: Math.max(redacted.secretsFound, earlier.length),
    secretRules,
    dedupeKey: key,
    acceptedAt: input.acceptedAt ?? null,
    refinedAt: input.refinedAt,
    windowSeconds: input.windowSeconds,
  };
}
