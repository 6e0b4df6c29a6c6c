/**
 * The content hash written into a pod template: for each named Secret (in
 * name order), HMAC-SHA-256 over its data in key order, keyed with the
 * Secret's uid; then SHA-256 over those. It changes exactly when a named
 * Secret's data changes (or the Secret is recreated), is not the data, and
 * cannot be brute-forced from the pod template by someone who may read
 * Deployments but not Secrets: they do not know the uid (a random UUID).
 */
import { createHash, createHmac } from "node:crypto";

/** What the hash is taken over: one named Secret. */
export interface HashedSecret {
  readonly name: string;
  readonly uid: string;
  /** `data` as stored (base64 values). */
  readonly data: Readonly<Record<string, string>>;
}

/** The annotation value for `secrets` (`v1:` and 64 hex digits). */
export function secretsHash(secrets: readonly HashedSecret[]): string {
  const outer = createHash("sha256");
  for (const s of [...secrets].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const inner = createHmac("sha256", s.uid);
    for (const key of Object.keys(s.data).sort()) inner.update(`${JSON.stringify(key)}=${JSON.stringify(s.data[key] ?? "")}\n`);
    outer.update(`${JSON.stringify(s.name)}:${inner.digest("hex")}\n`);
  }
  return `v1:${outer.digest("hex")}`;
}
