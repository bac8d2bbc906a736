import { db, type Db } from "../db";
import { initializeStore } from "./initializeStore";

// The metadata store as the application uses it: migrated (lib/db) and initialized on first start (a
// project, the first accounts and keys), once per opened client whichever caller comes first.
const globalForDatabase = globalThis as unknown as { __echoInitialized?: WeakMap<Db, Promise<void>> };
const initialized = (globalForDatabase.__echoInitialized ??= new WeakMap());

export async function database(): Promise<Db> {
  const client = await db();
  let initialization = initialized.get(client);
  if (!initialization) {
    initialization = initializeStore(client);
    initialized.set(client, initialization);
    initialization.catch(() => initialized.delete(client));
  }
  await initialization;
  return client;
}
