import { handle } from "@/lib/api/handler";
import { inviteUser, listUsers } from "@/lib/api/contracts/users";
import * as users from "@/lib/users/service";

export const dynamic = "force-dynamic";

export const GET = handle(listUsers, async ({ db }) => ({ items: await users.listUsers(db) }));

export const POST = handle(inviteUser, async ({ db, principal, body }) => users.inviteUser(db, principal, body));
