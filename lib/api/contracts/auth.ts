import { z } from "zod";
import { roles } from "../../auth/permissions";
import { endpoint } from "../endpoint";

export const meSchema = z.object({
  kind: z.enum(["user", "apiKey"]),
  email: z.string().nullable(),
  role: z.enum(roles).nullable(),
  scope: z.enum(["ingest", "admin"]).nullable(),
  projectId: z.string(),
  permissions: z.array(z.string()),
});

export const signIn = endpoint({
  method: "POST",
  path: "/api/auth/session",
  summary: "Sign in with email and password; sets the httpOnly session cookie",
  tag: "Auth",
  permission: "public",
  body: z.strictObject({ email: z.string().trim().min(1, "email is required"), password: z.string().min(1, "password is required") }),
  response: meSchema,
});

export const signOut = endpoint({
  method: "DELETE",
  path: "/api/auth/session",
  summary: "Sign out (deletes the session)",
  tag: "Auth",
  permission: "public",
  response: z.object({ ok: z.literal(true) }),
});

export const me = endpoint({
  method: "GET",
  path: "/api/auth/me",
  summary: "Who is calling, and what they may do",
  tag: "Auth",
  permission: "signed_in",
  response: meSchema,
});
