import { handle, Reply } from "@/lib/api/handler";
import { signIn as signInContract, signOut as signOutContract } from "@/lib/api/contracts/auth";
import { ApiError } from "@/lib/api/errors";
import { clearedSessionCookie, principalFromSession, sessionCookie, sessionToken, signIn, signOut } from "@/lib/auth/service";
import { describePrincipal } from "@/lib/auth/describe";
import { database } from "@/lib/runtime/database";

export const dynamic = "force-dynamic";

export const POST = handle(signInContract, async ({ body }) => {
  const client = await database();
  const session = await signIn(client, body.email, body.password);
  if (!session) throw new ApiError(401, "invalid_credentials", "Email or password is wrong");
  const principal = await principalFromSession(client, session.token);
  return new Reply(200, describePrincipal(principal!), { "set-cookie": sessionCookie(session.token, session.expiresAt) });
});

export const DELETE = handle(signOutContract, async ({ request }) => {
  const token = sessionToken(request.headers);
  if (token) await signOut(await database(), token);
  return new Reply(200, { ok: true as const }, { "set-cookie": clearedSessionCookie() });
});
