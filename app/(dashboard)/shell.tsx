"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import type { ReactNode } from "react";
import { apiFetch } from "@/lib/client/api";

export interface Me {
  email: string | null;
  role: string | null;
  permissions: string[];
}

// Areas that have not been built yet are listed but not linked, so nobody lands on a page that pretends.
const navigation: { href: string; label: string; ready: boolean; permission?: string }[] = [
  { href: "/", label: "Overview", ready: true },
  { href: "/experiments", label: "Experiments", ready: true },
  { href: "/model-versions", label: "Model versions", ready: true },
  { href: "/refinements", label: "Refinements", ready: true },
  { href: "/datasets", label: "Datasets", ready: true },
  { href: "/audit", label: "Audit log", ready: true },
  { href: "/users", label: "Users", ready: true, permission: "admin" },
  { href: "/settings", label: "Settings", ready: true },
];

export function Shell({ me, children }: { me: Me; children: ReactNode }) {
  const pathname = usePathname();
  const router = useRouter();
  const signOut = async () => {
    await apiFetch("/api/auth/session", { method: "DELETE" });
    router.push("/login");
  };
  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark">◉</span> Echo
        </div>
        <nav>
          {navigation.map((item) => {
            if (item.permission && !me.permissions.includes(item.permission)) return null;
            const active = item.href === "/" ? pathname === "/" : pathname.startsWith(item.href);
            // No prefetch: it would server-render every page of the menu on each visit, competing on a small
            // server with the reads of the page being opened.
            return item.ready ? (
              <Link key={item.href} href={item.href} prefetch={false} className={active ? "nav-item active" : "nav-item"}>
                {item.label}
              </Link>
            ) : (
              <span key={item.href} className="nav-item disabled" title="Not built yet">
                {item.label} <small>soon</small>
              </span>
            );
          })}
        </nav>
        <div className="whoami">
          <div className="whoami-email">{me.email}</div>
          <div className="whoami-role">{me.role?.replace("_", " ")}</div>
          <button className="link-button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </aside>
      <main className="content">{children}</main>
    </div>
  );
}
