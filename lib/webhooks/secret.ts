import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { dataDir, secretKeySetting } from "../settings";

// Webhook secrets must be available in plain to sign deliveries, so unlike API keys they cannot be
// stored as a hash: they are encrypted with AES-256-GCM under the server's key, ECHO_SECRET_KEY (the same
// value on every instance), or else a random key created once in the data directory (secret.key, mode
// 0600). A copy of the database alone does not reveal them.

let cachedKey: { source: string; key: Buffer } | undefined;

function serverKey(): Buffer {
  const configured = secretKeySetting();
  const file = path.join(dataDir(), "secret.key");
  const source = configured ? `env:${configured}` : `file:${file}`;
  if (cachedKey?.source === source) return cachedKey.key;
  let material: string;
  if (configured) material = configured;
  else {
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      // wx: when two processes race, one creates the file and the other reads it.
      try {
        fs.writeFileSync(file, randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
    }
    material = fs.readFileSync(file, "utf8").trim();
  }
  cachedKey = { source, key: createHash("sha256").update(material).digest() };
  return cachedKey.key;
}

/** `v1.<iv>.<tag>.<ciphertext>`, base64url parts. */
export function encryptSecret(plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", serverKey(), iv);
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), data].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(".");
}

export function decryptSecret(stored: string): string {
  const [version, iv, tag, data] = stored.split(".");
  if (version !== "v1" || !iv || !tag || data === undefined) throw new Error("unknown secret format");
  try {
    const decipher = createDecipheriv("aes-256-gcm", serverKey(), Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new Error("the webhook secret cannot be decrypted with this server's key: set the same ECHO_SECRET_KEY on every instance");
  }
}
