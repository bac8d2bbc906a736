import { z } from "zod";
import { invitedUserSchema, inviteUserSchema, redeemSignInLinkSchema, updateUserSchema, userSchema } from "../../users/schemas";
import { endpoint } from "../endpoint";
import { meSchema } from "./auth";

const userParams = z.strictObject({ id: z.string().trim().min(1).max(100) });

export const listUsers = endpoint({
  method: "GET",
  path: "/api/v1/users",
  summary: "Everyone who can sign in, with role and status (active, invited, disabled)",
  tag: "Users",
  permission: "admin",
  response: z.object({ items: z.array(userSchema) }),
});

export const inviteUser = endpoint({
  method: "POST",
  path: "/api/v1/users",
  summary: "Invite a user: the answer carries a one-time sign-in link, once (valid 3 days; audited)",
  tag: "Users",
  permission: "admin",
  body: inviteUserSchema,
  response: invitedUserSchema,
  status: 201,
});

export const updateUser = endpoint({
  method: "PATCH",
  path: "/api/v1/users/{id}",
  summary: "Change a user's role, or disable (sessions end at once) or re-enable it; 409 for the last active admin (audited)",
  tag: "Users",
  permission: "admin",
  params: userParams,
  body: updateUserSchema,
  response: userSchema,
});

export const newSignInLink = endpoint({
  method: "POST",
  path: "/api/v1/users/{id}/sign-in-link",
  summary: "A new one-time sign-in link for a user (earlier unused links stop working; audited)",
  tag: "Users",
  permission: "admin",
  params: userParams,
  response: invitedUserSchema,
  status: 201,
});

export const redeemSignInLink = endpoint({
  method: "POST",
  path: "/api/auth/sign-in-link",
  summary: "Redeem a one-time sign-in link: set a password and sign in (sets the session cookie)",
  tag: "Auth",
  permission: "public",
  body: redeemSignInLinkSchema,
  response: meSchema,
});
