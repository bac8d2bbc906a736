import { notFound } from "../errors";
import { audit } from "../audit/store";
import { clearKeyCache } from "../auth/service";
import { insertApiKey } from "./store";
import type { Principal } from "../auth/permissions";
import type { Db } from "../db";

type KeyRow = {
  id: string;
  name: string;
  prefix: string;
  scope: "ingest" | "admin";
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};

export function presentApiKey(row: KeyRow) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scope: row.scope,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

export async function listApiKeys(client: Db, principal: Principal) {
  const rows = await client.apiKey.findMany({ where: { projectId: principal.projectId }, orderBy: { createdAt: "desc" } });
  return rows.map(presentApiKey);
}

export async function createApiKey(client: Db, principal: Principal, input: { name: string; scope: "ingest" | "admin" }) {
  // The key and its audit row land together or not at all.
  return client.$transaction(async (tx) => {
    const { id, key } = await insertApiKey(tx, { projectId: principal.projectId, ...input });
    const row = await tx.apiKey.findUniqueOrThrow({ where: { id } });
    await audit(tx, principal, { action: "api_key.create", target: `api-key:${id}`, after: presentApiKey(row) });
    return { ...presentApiKey(row), key };
  });
}

export async function revokeApiKey(client: Db, principal: Principal, id: string) {
  const before = await client.apiKey.findFirst({ where: { id, projectId: principal.projectId } });
  if (!before) throw notFound(`No API key with id '${id}'`);
  const after = await client.$transaction(async (tx) => {
    const row = await tx.apiKey.update({ where: { id }, data: { revokedAt: before.revokedAt ?? new Date() } });
    await audit(tx, principal, {
      action: "api_key.revoke",
      target: `api-key:${id}`,
      before: presentApiKey(before),
      after: presentApiKey(row),
    });
    return row;
  });
  clearKeyCache();
  return presentApiKey(after);
}
