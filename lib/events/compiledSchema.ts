import type { z } from "zod";

// A fast path for validating one element of POST /api/v1/events, compiled from the zod schema itself
// (schema.ts), so that there is still one definition of what an event is. Ingestion validates every
// event of every batch, and zod's general machinery (issue collection, union dispatch, per-check
// closures) costs a few microseconds per event, several times the work the rules need.
//
// The compiled check only ever says "valid, and this is what zod would output" or "not sure": any
// element it does not accept is handed to zod, which gives the answer and the 4xx messages naming the
// field. A rule the compiler does not understand is run by the field's own zod schema (exact, slower),
// so a new rule in schema.ts can make the fast path slower but never different.
// tests/unit/events-compiled-schema.test.ts compares it with zod over many valid and invalid events.

/** A field's check: its output value, or NOT_VALID. */
type FieldCheck = (value: unknown) => unknown;

const NOT_VALID = Symbol("not valid");

interface CompiledOption {
  keys: readonly string[];
  checks: readonly FieldCheck[];
  required: readonly boolean[];
  known: ReadonlySet<string>;
}

// zod 4's internal definitions, as far as the compiler reads them.
interface Def {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  values?: unknown[];
}
interface CheckDef {
  check: string;
  tx?: (value: unknown) => unknown;
  minimum?: number;
  maximum?: number;
  pattern?: RegExp;
  format?: string;
  value?: number;
  inclusive?: boolean;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The field's own zod schema: exact, for rules the compiler does not know. */
function viaZod(schema: z.ZodType): FieldCheck {
  return (value) => {
    const result = schema.safeParse(value);
    return result.success ? result.data : NOT_VALID;
  };
}

function compileString(schema: z.ZodType, checks: CheckDef[]): FieldCheck {
  const steps: ((value: string) => string | typeof NOT_VALID)[] = [];
  for (const check of checks) {
    if (check.check === "overwrite" && check.tx) {
      const tx = check.tx;
      steps.push((value) => {
        const out = tx(value);
        return typeof out === "string" ? out : NOT_VALID;
      });
    } else if (check.check === "min_length" && typeof check.minimum === "number") {
      const minimum = check.minimum;
      steps.push((value) => (value.length >= minimum ? value : NOT_VALID));
    } else if (check.check === "max_length" && typeof check.maximum === "number") {
      const maximum = check.maximum;
      steps.push((value) => (value.length <= maximum ? value : NOT_VALID));
    } else if (check.check === "string_format" && PATTERN_FORMATS.has(check.format ?? "") && check.pattern instanceof RegExp) {
      const pattern = new RegExp(check.pattern.source, check.pattern.flags.replace("g", "").replace("y", ""));
      steps.push((value) => (pattern.test(value) ? value : NOT_VALID));
    } else return viaZod(schema);
  }
  return (value) => {
    if (typeof value !== "string") return NOT_VALID;
    let out: string | typeof NOT_VALID = value;
    for (const step of steps) if ((out = step(out)) === NOT_VALID) return NOT_VALID;
    return out;
  };
}

function compileNumber(schema: z.ZodType, checks: CheckDef[]): FieldCheck {
  let integer = false;
  let minimum = -Infinity;
  let maximum = Infinity;
  for (const check of checks) {
    if (check.check === "number_format" && (check.format === "safeint" || check.format === "int32")) {
      if (check.format !== "safeint") return viaZod(schema);
      integer = true;
    } else if (check.check === "greater_than" && check.inclusive && typeof check.value === "number")
      minimum = Math.max(minimum, check.value);
    else if (check.check === "less_than" && check.inclusive && typeof check.value === "number") maximum = Math.min(maximum, check.value);
    else return viaZod(schema);
  }
  return (value) =>
    typeof value === "number" && Number.isFinite(value) && (!integer || Number.isSafeInteger(value)) && value >= minimum && value <= maximum
      ? value
      : NOT_VALID;
}

/** Definition keys that change nothing about which values are valid or what they become. */
const INERT_KEYS = new Set(["type", "checks", "error", "abort"]);
/** String formats that are exactly their pattern (zod's others check more than a pattern). */
const PATTERN_FORMATS = new Set(["uuid", "guid", "regex"]);

/**
 * Checks for field schemas the compiler cannot read (a transform), given by the caller: the output zod
 * would give, or undefined when the value is not valid. They must share their rule with the schema's own
 * transform (see timestampMs in schema.ts).
 */
export type KnownFields = ReadonlyMap<z.ZodType, (value: unknown) => unknown>;

/** A field's check and whether the field may be absent. */
function compileField(schema: z.ZodType, known: KnownFields): { check: FieldCheck; required: boolean } {
  const def = defOf(schema);
  if (def.type === "optional" && def.innerType) return { check: compileField(def.innerType, known).check, required: false };
  const rule = known.get(schema);
  if (rule) {
    return {
      check: (value) => {
        const out = rule(value);
        return out === undefined ? NOT_VALID : out;
      },
      required: true,
    };
  }
  const checks = (def.checks ?? []).map((c) => c._zod.def);
  const ownFormat = def as unknown as CheckDef;
  if (def.type === "string" && ownFormat.check === "string_format") {
    // A format type such as z.uuid() is a string whose first check is the format itself.
    const { format, check, pattern, ...rest } = def as unknown as CheckDef & Record<string, unknown>;
    if (!Object.keys(rest).every((key) => INERT_KEYS.has(key))) return { check: viaZod(schema), required: true };
    return { check: compileString(schema, [{ check, format, pattern }, ...checks]), required: true };
  }
  if (!Object.keys(def).every((key) => INERT_KEYS.has(key))) return { check: viaZod(schema), required: true };
  if (def.type === "string") return { check: compileString(schema, checks), required: true };
  if (def.type === "number") return { check: compileNumber(schema, checks), required: true };
  if (def.type === "literal" && def.values?.length === 1 && !checks.length) {
    const literal = def.values[0];
    return { check: (value) => (value === literal ? value : NOT_VALID), required: true };
  }
  return { check: viaZod(schema), required: true };
}

/**
 * Compiles a z.discriminatedUnion of z.strictObject options (the event schema) into a function that
 * returns what `schema.safeParse(value).data` would be when it is sure the value is valid, and
 * undefined otherwise (then ask zod). A schema of another shape compiles to "always ask zod".
 */
export function compileDiscriminatedUnion<S extends z.ZodType>(
  schema: S,
  known: KnownFields = new Map(),
): (value: unknown) => z.output<S> | undefined {
  const def = defOf(schema);
  const never = () => undefined;
  if (def.type !== "union" || !def.discriminator || !def.options) return never;
  const discriminator = def.discriminator;
  const options = new Map<unknown, CompiledOption>();
  for (const option of def.options) {
    const optionDef = defOf(option);
    if (optionDef.type !== "object" || !optionDef.shape || !optionDef.catchall || defOf(optionDef.catchall).type !== "never") return never;
    const tag = defOf(optionDef.shape[discriminator] ?? option).values;
    if (!tag || tag.length !== 1) return never;
    const keys = Object.keys(optionDef.shape);
    const fields = keys.map((key) => compileField(optionDef.shape![key], known));
    options.set(tag[0], { keys, checks: fields.map((f) => f.check), required: fields.map((f) => f.required), known: new Set(keys) });
  }
  return (value) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    const input = value as Record<string, unknown>;
    const option = options.get(input[discriminator]);
    if (!option) return undefined;
    let present = 0;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < option.keys.length; i++) {
      const key = option.keys[i];
      const field = input[key];
      if (field === undefined) {
        // Absent (or explicitly undefined, which zod keeps as a key): zod decides.
        if (option.required[i] || key in input) return undefined;
        continue;
      }
      const checked = option.checks[i](field);
      if (checked === NOT_VALID) return undefined;
      out[key] = checked;
      present++;
    }
    // Strict objects: a key the option does not know is an error zod names.
    if (Object.keys(input).length !== present) return undefined;
    return out as z.output<S>;
  };
}
