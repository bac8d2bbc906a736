import { handle, Reply } from "@/lib/api/handler";
import { signIn as signInContract, signOut as signOutContract } from "@/lib/api/contracts/auth";
import { ApiError } from "@/lib/api/errors";
import { clearedSessionCookie, principalFromSession, sessionCookie, sessionToken, signIn, signOut } from "@/lib/auth/service";
import { describePrincipal } from "@/lib/auth/describe";
import { database } from "@/lib/runtime/database";

export const dynamic = "force-dynamic";

/** The client's address as the proxy in front reports it (none without a proxy: only the account is throttled then). */
function clientAddress(headers: { get(name: string): string | null }): string | undefined {
  return headers.get("x-forwarded-for")?.split(",")[0]?.trim() || headers.get("x-real-ip")?.trim() || undefined;
}

export const POST = handle(signInContract, async ({ body, request }) => {
  const client = await database();
  const session = await signIn(client, body.email, body.password, clientAddress(request.headers));
  if (!session) throw new ApiError(401, "invalid_credentials", "Email or password is wrong");
  const principal = await principalFromSession(client, session.token);
  return new Reply(200, describePrincipal(principal!), { "set-cookie": sessionCookie(session.token, session.expiresAt) });
});

export const DELETE = handle(signOutContract, async ({ request }) => {
  const token = sessionToken(request.headers);
  if (token) await signOut(await database(), token);
  return new Reply(200, { ok: true as const }, { "set-cookie": clearedSessionCookie() });
});
