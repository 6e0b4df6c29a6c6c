/** Fixture access for the Sealed Secrets unit tests. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { KeyRing, privateKeysFromPem } from "../../../src/decrypt/sealed-secrets/index.js";
import type { SealingKey } from "../../../src/decrypt/sealed-secrets/index.js";

/** Absolute path of a file under test/fixtures/sealed-secrets. */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../../fixtures/sealed-secrets/${name}`, import.meta.url));
}

export function fixture(name: string): string {
  return readFileSync(fixturePath(name), "utf8");
}

/** The committed throw-away keys: key1 is RSA-4096 (made by openssl), key2 RSA-2048. */
export function fixtureKey(name: "key1" | "key2"): SealingKey {
  const [key] = privateKeysFromPem(fixture(`${name}.pem`), `${name}.pem`);
  if (key === undefined) throw new Error("fixture key missing");
  return key;
}

export function ring(...names: ("key1" | "key2")[]): KeyRing {
  return new KeyRing(names.map(fixtureKey));
}

/** Fingerprints of the fixture keys as `ssh-keygen -lf` prints them. */
export const SSH_KEYGEN_FINGERPRINTS = {
  key1: "SHA256:RkQ4TfinHdL+50z/y0CRpDs9mtYBAU3uaLNtFtI+NNA",
  key2: "SHA256:eNr+rKymlpYyuU4K3/apyBFrJvoBJkS/j0vGj+npCH8",
} as const;
