import { handle } from "@/lib/api/handler";
import { me } from "@/lib/api/contracts/auth";
import { describePrincipal } from "@/lib/auth/describe";

export const dynamic = "force-dynamic";

export const GET = handle(me, async ({ principal }) => describePrincipal(principal));
