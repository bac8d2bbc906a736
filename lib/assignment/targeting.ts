/**
 * Attribute targeting: a user is eligible for an experiment only when every condition holds.
 * A missing attribute cannot be "in" a list, and is trivially "not in" one.
 */
import type { Targeting, UserAttributes } from "./types";

type Condition = Targeting[string];

/** One attribute condition. Both `in` and `notIn` may be given; both must then hold. */
export function matchesCondition(condition: Condition, value: string | null | undefined): boolean {
  const present = typeof value === "string";
  if (condition.in && !(present && condition.in.includes(value))) return false;
  if (condition.notIn && present && condition.notIn.includes(value)) return false;
  return true;
}

/** Whether the attributes satisfy all conditions; no targeting means everyone is eligible. */
export function matchesTargeting(targeting: Targeting | null | undefined, attributes: UserAttributes | null | undefined): boolean {
  if (!targeting) return true;
  for (const attribute in targeting) {
    if (!Object.prototype.hasOwnProperty.call(targeting, attribute)) continue;
    if (!matchesCondition(targeting[attribute], attributes?.[attribute])) return false;
  }
  return true;
}

/** One attribute condition of a compiled targeting. */
export interface CompiledCondition {
  attribute: string;
  condition: Condition;
}

/** Targeting flattened to an array once, so checking a user iterates no object keys. */
export function compileTargeting(targeting: Targeting | null | undefined): CompiledCondition[] {
  if (!targeting) return [];
  return Object.keys(targeting).map((attribute) => ({ attribute, condition: targeting[attribute] }));
}

/** `matchesTargeting` over a compiled targeting. */
export function matchesCompiledTargeting(conditions: readonly CompiledCondition[], attributes: UserAttributes | null | undefined): boolean {
  for (let i = 0; i < conditions.length; i++) {
    if (!matchesCondition(conditions[i].condition, attributes?.[conditions[i].attribute])) return false;
  }
  return true;
}
