import { auditPageSchema, auditQuerySchema } from "../../audit/schemas";
import { endpoint } from "../endpoint";

// Permission `read`, not `admin`: the history of experiments and releases is what product managers,
// researchers and release managers need to understand why something changed, and release managers are
// not admins. The log holds no secrets (API keys, sign-in tokens and webhook secrets appear by id or
// prefix only), and it is read-only for everyone: no route changes or deletes a row.
export const listAudit = endpoint({
  method: "GET",
  path: "/api/v1/audit",
  summary: "The audit log, newest first: filtered by actor, action, target and time; keyset pages, or all of it as CSV",
  tag: "Audit",
  permission: "read",
  query: auditQuerySchema,
  response: auditPageSchema,
  description:
    "With format=csv the answer is text/csv (columns at, actor, action, target, before, after, reason; before/after as JSON), " +
    "streamed, every matching row; cells that a spreadsheet would run as a formula start with an apostrophe.",
});
