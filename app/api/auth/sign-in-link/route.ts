import { handle, Reply } from "@/lib/api/handler";
import { redeemSignInLink } from "@/lib/api/contracts/users";
import { principalFromSession, sessionCookie } from "@/lib/auth/service";
import { describePrincipal } from "@/lib/auth/describe";
import { database } from "@/lib/runtime/database";
import * as users from "@/lib/users/service";

export const dynamic = "force-dynamic";

export const POST = handle(redeemSignInLink, async ({ body }) => {
  const client = await database();
  const session = await users.redeemSignInLink(client, body);
  const principal = await principalFromSession(client, session.token);
  return new Reply(200, describePrincipal(principal!), { "set-cookie": sessionCookie(session.token, session.expiresAt) });
});
