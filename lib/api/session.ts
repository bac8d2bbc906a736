import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { can, principalFromSession, SESSION_COOKIE, type Permission, type Principal } from "../auth/service";
import { database } from "../runtime/database";

/** For server components that also serve visitors (the not-found page): the signed-in user, or null. */
export async function signedInUser(): Promise<Extract<Principal, { kind: "user" }> | null> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  const principal = token ? await principalFromSession(await database(), token) : null;
  return principal?.kind === "user" ? principal : null;
}

/** For server components: the signed-in user, or a redirect to the sign-in page. */
export async function requireUser(nextPath = "/"): Promise<Extract<Principal, { kind: "user" }>> {
  const principal = await signedInUser();
  if (!principal) redirect(`/login?next=${encodeURIComponent(nextPath)}`);
  return principal;
}

/** For pages that need more than reading: the same role check the API applies. */
export async function requirePermission(permission: Permission, nextPath: string) {
  const user = await requireUser(nextPath);
  return { user, allowed: can(user, permission) };
}
