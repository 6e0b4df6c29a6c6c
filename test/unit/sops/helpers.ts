/** Shared helpers for the SOPS unit tests: the committed throw-away age key and small in-memory fake providers. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildProviderRegistry } from "../../../src/providers/index.js";
import { ProviderRegistry } from "../../../src/providers/index.js";
import type { KeyProvider, KmsKeyRef, VaultKeyRef } from "../../../src/providers/index.js";

export const FIXTURES = fileURLToPath(new URL("../../fixtures/sops/", import.meta.url));
export const AGE_KEY_FILE = `${FIXTURES}age-key.txt`;
export const AGE_RECIPIENT = /age1[0-9a-z]+/.exec(readFileSync(AGE_KEY_FILE, "utf8"))?.[0] ?? "";

/** A fixture file's bytes. */
export function fixture(name: string): Buffer {
  return readFileSync(`${FIXTURES}${name}`);
}

/** The real age provider with the fixture identity (no network, no files but the key). */
export function ageRegistry(extra: Record<string, string> = {}): ProviderRegistry {
  return buildProviderRegistry({ SOPS_AGE_KEY_FILE: AGE_KEY_FILE, HOME: "/nonexistent-home", ...extra });
}

/** A fake KMS or Vault provider: "wraps" by tagging base64; counts unwraps; can be made to refuse or fail. */
export class FakeProvider<K extends KmsKeyRef | VaultKeyRef> implements KeyProvider<K> {
  unwraps = 0;
  constructor(
    readonly type: K["type"],
    readonly behaviour: "ok" | "not-mine" | "fail" = "ok",
  ) {}

  wrap(key: K, plaintext: Uint8Array): Promise<string> {
    return Promise.resolve(`fake:${this.describe(key)}:${Buffer.from(plaintext).toString("base64")}`);
  }

  unwrap(key: K, enc: string): Promise<Uint8Array | null> {
    this.unwraps++;
    if (this.behaviour === "not-mine") return Promise.resolve(null);
    if (this.behaviour === "fail") return Promise.reject(new Error("fake provider is unreachable"));
    const prefix = `fake:${this.describe(key)}:`;
    if (!enc.startsWith(prefix)) return Promise.resolve(null);
    return Promise.resolve(new Uint8Array(Buffer.from(enc.slice(prefix.length), "base64")));
  }

  describe(key: K): string {
    return key.type === "kms" ? key.arn : `${key.vaultAddress}/${key.enginePath}/${key.keyName}`;
  }
}

export const KMS_ARN = "arn:aws:kms:eu-west-2:111122223333:key/bc436485-5092-42b8-92a3-0aa8b93536dc";
export const VAULT_REF: VaultKeyRef = { type: "hc_vault", vaultAddress: "http://127.0.0.1:8200", enginePath: "transit", keyName: "sops" };
