import { z } from "zod";
import { roles } from "../auth/permissions";

// Request and answer shapes of user management (GET/POST /api/v1/users, PATCH /api/v1/users/{id}) and of
// redeeming a one-time sign-in link.

export const USER_STATUSES = ["active", "invited", "disabled"] as const;

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.enum(roles),
  status: z.enum(USER_STATUSES).describe("invited: has not set a password through the sign-in link yet"),
  createdAt: z.string(),
  disabledAt: z.string().nullable(),
});

export const signInLinkSchema = z.object({
  token: z.string().describe("The one-time sign-in secret; shown once, only its hash is stored"),
  path: z.string().describe("The page that redeems it (the token travels in the fragment, which is never sent to a server)"),
  expiresAt: z.string(),
});

export const invitedUserSchema = userSchema.extend({ signIn: signInLinkSchema });

export const inviteUserSchema = z.strictObject({
  email: z.email("must be an email address").trim().toLowerCase().max(320),
  role: z.enum(roles),
});

export const updateUserSchema = z
  .strictObject({ role: z.enum(roles).optional(), disabled: z.boolean().optional() })
  .refine((body) => body.role !== undefined || body.disabled !== undefined, { message: "give role or disabled", path: ["role"] });

export const MIN_PASSWORD_LENGTH = 10;

export const redeemSignInLinkSchema = z.strictObject({
  token: z.string().trim().min(1, "token is required").max(200),
  password: z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).max(500),
});

export type UserView = z.output<typeof userSchema>;
export type InvitedUser = z.output<typeof invitedUserSchema>;
