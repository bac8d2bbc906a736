import { handle } from "@/lib/api/handler";
import { updateUser } from "@/lib/api/contracts/users";
import * as users from "@/lib/users/service";

export const dynamic = "force-dynamic";

export const PATCH = handle(updateUser, async ({ db, principal, params, body }) => users.updateUser(db, principal, params.id, body));
