import type { ReactNode } from "react";
import { headers } from "next/headers";
import { requireUser } from "@/lib/api/session";
import { describePrincipal } from "@/lib/auth/describe";
import { Shell } from "./shell";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const path = (await headers()).get("x-echo-path") ?? "/";
  const user = await requireUser(path);
  return <Shell me={describePrincipal(user)}>{children}</Shell>;
}
