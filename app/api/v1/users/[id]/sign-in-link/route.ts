import { handle } from "@/lib/api/handler";
import { newSignInLink } from "@/lib/api/contracts/users";
import * as users from "@/lib/users/service";

export const dynamic = "force-dynamic";

export const POST = handle(newSignInLink, async ({ db, principal, params }) => users.newSignInLink(db, principal, params.id));
