import { generateIdentity, identityToRecipient } from "age-encryption";
import { describe, expect, it } from "vitest";
import { SigilError, isSigilError } from "../../../src/core/index.js";
import { AgeProvider, ProviderRegistry } from "../../../src/providers/index.js";
import type { KeyProvider, MasterKeyRef } from "../../../src/providers/index.js";
import {
  buildKeySecret,
  isKeySecret,
  isWrappedKeySecret,
  loadKeySecret,
  parseWrapRef,
  readKeyFile,
  sealingKeyFromSecret,
  wrapKeySecret,
} from "../../../src/decrypt/sealed-secrets/index.js";
import { formatObject } from "../../../src/decrypt/sealed-secrets/index.js";
import { SSH_KEYGEN_FINGERPRINTS, fixture } from "./support.js";

async function ageSetup(): Promise<{ registry: ProviderRegistry; ref: MasterKeyRef; identity: string }> {
  const identity = await generateIdentity();
  const recipient = await identityToRecipient(identity);
  const registry = new ProviderRegistry().register(new AgeProvider({ sources: [{ location: "test identity", text: identity }] }));
  return { registry, ref: { type: "age", recipient }, identity };
}

const plainSecret = () => buildKeySecret({ privateKeyPem: fixture("key2.pem"), certificatePem: fixture("key2.crt") }, { namespace: "kube-system" });

async function failure(fn: () => Promise<unknown>): Promise<SigilError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof SigilError) return err;
    throw err;
  }
  throw new Error("expected a SigilError");
}

describe("provider-wrapped sealing keys (age)", () => {
  it("stores the key wrapped, never in the clear, and hides it from bitnami's controller", async () => {
    const { registry, ref } = await ageSetup();
    const wrapped = await wrapKeySecret(plainSecret(), ref, registry);
    expect(wrapped.data?.["tls.key"]).toBe("");
    expect(wrapped.data?.["tls.crt"]).toBe(plainSecret().data?.["tls.crt"]);
    expect(Buffer.from(wrapped.data?.["tls.key.wrapped"] ?? "", "base64").toString()).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/);
    expect(wrapped.metadata.labels?.["sealedsecrets.bitnami.com/sealed-secrets-key"]).toBe("wrapped");
    expect(JSON.parse(wrapped.metadata.annotations?.["sealedsecrets.sigil.dev/wrapped-by"] ?? "")).toEqual(ref);
    expect(wrapped.type).toBe("kubernetes.io/tls");
    expect(isKeySecret(wrapped) && isWrappedKeySecret(wrapped)).toBe(true);
    const text = formatObject(wrapped, "yaml");
    const keyBody = fixture("key2.pem").split("\n")[3] ?? "";
    expect(text).not.toContain(keyBody);
    expect(text).not.toContain(plainSecret().data?.["tls.key"]?.slice(40, 80));
  });

  it("unwraps in memory to the same key, checked against the certificate", async () => {
    const { registry, ref } = await ageSetup();
    const key = await loadKeySecret(await wrapKeySecret(plainSecret(), ref, registry), registry);
    expect(key.fingerprint).toBe(SSH_KEYGEN_FINGERPRINTS.key2);
    expect(key.certificate).toBeDefined();
  });

  it("reads wrapped keys from a backup file through the registry", async () => {
    const { registry, ref } = await ageSetup();
    const backup = formatObject(await wrapKeySecret(plainSecret(), ref, registry), "json");
    const keys = await readKeyFile(backup, "wrapped.json", registry);
    expect(keys.map((k) => k.fingerprint)).toEqual([SSH_KEYGEN_FINGERPRINTS.key2]);
  });

  it("says clearly when no identity can unwrap the key (no silent fallback)", async () => {
    const { registry, ref } = await ageSetup();
    const wrapped = await wrapKeySecret(plainSecret(), ref, registry);
    const other = await ageSetup();
    const err = await failure(() => loadKeySecret(wrapped, other.registry));
    expect(err.code).toBe("sealed.no_key");
    expect(err.subject).toBe("Secret/kube-system/<unnamed>");
  });

  it("needs a registry for a wrapped key", async () => {
    const { registry, ref } = await ageSetup();
    const wrapped = await wrapKeySecret(plainSecret(), ref, registry);
    expect((await failure(() => loadKeySecret(wrapped))).code).toBe("provider.not_configured");
    expect((await failure(async () => Promise.resolve(sealingKeyFromSecret(wrapped)))).code).toBe("input.invalid");
  });

  it("passes an unreachable provider's code through, naming the Secret and the provider key", async () => {
    const { registry, ref } = await ageSetup();
    const wrapped = await wrapKeySecret(plainSecret(), ref, registry);
    const unreachable: KeyProvider = {
      type: "age",
      wrap: () => Promise.reject(new Error("unused")),
      unwrap: () => Promise.reject(new SigilError("provider.unreachable", "connection refused")),
      describe: () => "age recipient (fake)",
    };
    const err = await failure(() => loadKeySecret(wrapped, new ProviderRegistry().register(unreachable)));
    expect(err.code).toBe("provider.unreachable");
    expect(err.message).toContain("cannot unwrap the sealing key with age recipient (fake)");
  });

  it("rejects an unwrapped key that does not match tls.crt", async () => {
    const { registry, ref } = await ageSetup();
    const wrapped = await wrapKeySecret(plainSecret(), ref, registry);
    if (wrapped.data === undefined) throw new Error("no data");
    wrapped.data["tls.crt"] = Buffer.from(fixture("key1.crt")).toString("base64");
    expect((await failure(() => loadKeySecret(wrapped, registry))).code).toBe("sealed.cert_invalid");
  });
});

describe("--wrap-with references", () => {
  const cases = [
    { text: "age1cy0su9fwf3gf9mw868g5yut09p6nytfmmnktexz2ya5uqg9vl9sss4euqm", type: "age", reason: "an age recipient" },
    { text: "arn:aws:kms:eu-west-2:111122223333:key/bc436485-5092-42b8-92a3-0aa8b93536dc", type: "kms", reason: "a KMS key ARN" },
    { text: "https://vault.example:8200/v1/transit/keys/sealing", type: "hc_vault", reason: "a Vault transit key URL" },
  ];
  for (const c of cases) {
    it(`parses ${c.reason}`, () => {
      expect(parseWrapRef(c.text).type).toBe(c.type);
    });
  }

  it("rejects anything else with provider.invalid_key", () => {
    let caught: unknown;
    try {
      parseWrapRef("gcp:projects/x");
    } catch (err) {
      caught = err;
    }
    expect(isSigilError(caught, "provider.invalid_key")).toBe(true);
  });
});
