import { API_KEY_PREFIX, hashToken, newToken } from "../auth/crypto";
import type { Db, Tx } from "../db";

/** Creates an API key; the plain key is returned once and only its hash is stored. */
export async function insertApiKey(
  client: Db | Tx,
  input: { projectId: string; name: string; scope: "ingest" | "admin"; key?: string },
): Promise<{ id: string; key: string }> {
  const key = input.key ?? newToken(API_KEY_PREFIX[input.scope]);
  const row = await client.apiKey.create({
    data: { projectId: input.projectId, name: input.name, scope: input.scope, prefix: key.slice(0, 16), secretHash: hashToken(key) },
  });
  return { id: row.id, key };
}
