import { createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Logger, SigilError, describeError, isSigilError } from "../../../src/core/index.js";
import {
  UnsealCache,
  encodeBlob,
  encryptionLabel,
  hybridEncrypt,
  parseManifests,
  toSealedSecret,
  unsealSealedSecret,
} from "../../../src/decrypt/sealed-secrets/index.js";
import type { SealedSecretObject } from "../../../src/decrypt/sealed-secrets/index.js";
import { canary, expectNoLeak } from "../../support/canary.js";
import type { Canary } from "../../support/canary.js";
import { fixture, fixtureKey, ring } from "./support.js";

function load(name: string): SealedSecretObject {
  return toSealedSecret(parseManifests(fixture(name), name)[0], name);
}

function decoded(data: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]));
}

function failure(fn: () => unknown): SigilError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SigilError) return err;
    throw err;
  }
  throw new Error("expected a SigilError");
}

const KAT_VALUES = { username: "kat-user", password: "kat-password-1b7e", "config.json": '{"pw":"kat-password-1b7e"}' };

describe("unsealing SealedSecrets made by the real kubeseal", () => {
  for (const file of ["sealed-strict.yaml", "sealed-namespace-wide.json", "sealed-cluster-wide.yaml"]) {
    it(`unseals ${file} to the Secret kubeseal --recovery-unseal prints`, () => {
      const secret = unsealSealedSecret(load(file), ring("key2", "key1"));
      expect(decoded(secret.data)).toEqual(KAT_VALUES);
      expect(secret.metadata.name).toBe("kat-secret");
      expect(secret.metadata.namespace).toBe("kat");
      expect(secret.metadata.labels).toEqual({ app: "kat" });
      expect(secret.type).toBe("Opaque");
      expect(secret.metadata.ownerReferences).toEqual([
        { apiVersion: "bitnami.com/v1alpha1", kind: "SealedSecret", name: "kat-secret", uid: "", controller: true },
      ]);
    });
  }

  it("unseals a namespace-wide SealedSecret under another name in the same namespace", () => {
    const ss = load("sealed-namespace-wide.json");
    ss.metadata.name = "renamed";
    expect(decoded(unsealSealedSecret(ss, ring("key1")).data)).toEqual(KAT_VALUES);
  });

  it("unseals a cluster-wide SealedSecret moved to any namespace and name", () => {
    const ss = load("sealed-cluster-wide.yaml");
    ss.metadata.name = "elsewhere";
    ss.metadata.namespace = "other";
    const secret = unsealSealedSecret(ss, ring("key1"));
    expect(secret.metadata.namespace).toBe("other");
    expect(secret.metadata.name).toBe("elsewhere");
  });
});

describe("bad input is refused with a clear code, naming the object and key", () => {
  const cases: { name: string; mutate: (ss: SealedSecretObject) => void; file: string; code: string; reason: string }[] = [
    { name: "renamed under strict scope", file: "sealed-strict.yaml", mutate: (ss) => (ss.metadata.name = "renamed"), code: "sealed.scope_mismatch", reason: "the label binds ns/name" },
    { name: "moved to another namespace under strict scope", file: "sealed-strict.yaml", mutate: (ss) => (ss.metadata.namespace = "other"), code: "sealed.scope_mismatch", reason: "the label binds ns/name" },
    { name: "moved across namespaces under namespace-wide scope", file: "sealed-namespace-wide.json", mutate: (ss) => (ss.metadata.namespace = "other"), code: "sealed.scope_mismatch", reason: "the label binds ns" },
    { name: "with its scope annotation removed", file: "sealed-cluster-wide.yaml", mutate: (ss) => (ss.metadata.annotations = {}), code: "sealed.scope_mismatch", reason: "strict label does not match an empty label" },
    { name: "with a truncated blob", file: "sealed-strict.yaml", mutate: (ss) => (ss.spec.encryptedData["password"] = (ss.spec.encryptedData["password"] ?? "").slice(0, 300)), code: "sealed.invalid_blob", reason: "shorter than its length prefix" },
    { name: "with non-base64 data", file: "sealed-strict.yaml", mutate: (ss) => (ss.spec.encryptedData["password"] = "not base64!"), code: "sealed.invalid_blob", reason: "strict base64" },
    { name: "with a template that fails to render", file: "sealed-strict.yaml", mutate: (ss) => (ss.spec.template = { ...ss.spec.template, data: { "bad.txt": "{{ env \"HOME\" }}" } }), code: "sealed.template_failed", reason: "unsupported function" },
  ];
  for (const c of cases) {
    it(`refuses a SealedSecret ${c.name} with ${c.code} (${c.reason})`, () => {
      const ss = load(c.file);
      c.mutate(ss);
      const err = failure(() => unsealSealedSecret(ss, ring("key1")));
      expect(err.code).toBe(c.code);
      expect(err.subject).toMatch(/^SealedSecret\//);
    });
  }

  it("says which key failed and where the value was sealed for", () => {
    const ss = load("sealed-strict.yaml");
    ss.metadata.name = "renamed";
    const err = failure(() => unsealSealedSecret(ss, ring("key1")));
    expect(err.subject).toBe("SealedSecret/kat/renamed");
    expect(err.message).toContain('encryptedData "config.json" was sealed for the strict scope of "kat/kat-secret"');
  });

  it("refuses a ciphertext from an unknown key with sealed.no_key", () => {
    const err = failure(() => unsealSealedSecret(load("sealed-strict.yaml"), ring("key2")));
    expect(err.code).toBe("sealed.no_key");
    expect(err.message).toContain('no key could decrypt encryptedData "password"');
  });

  it("refuses a deprecated v1 object that also has encryptedData", () => {
    const ss = load("sealed-strict.yaml");
    ss.spec.data = "AgAA";
    expect(failure(() => unsealSealedSecret(ss, ring("key1"))).code).toBe("input.invalid");
  });

  it("produces no Secret when one key of several fails", () => {
    const ss = load("sealed-strict.yaml");
    ss.spec.encryptedData["extra"] = "AgA=";
    expect(() => unsealSealedSecret(ss, ring("key1"))).toThrow(SigilError);
  });
});

describe("templates, type, immutable and owner references", () => {
  it("renders template data over the decrypted values and keeps template metadata", () => {
    const ss = load("sealed-strict.yaml");
    ss.spec.template = {
      ...ss.spec.template,
      type: "kubernetes.io/basic-auth",
      immutable: true,
      data: { "dsn": "postgres://{{ .username }}:{{ .password }}@db", password: "{{ .password | upper }}" },
    };
    const secret = unsealSealedSecret(ss, ring("key1"));
    expect(decoded(secret.data)["dsn"]).toBe("postgres://kat-user:kat-password-1b7e@db");
    expect(decoded(secret.data)["password"]).toBe("KAT-PASSWORD-1B7E");
    expect(secret.type).toBe("kubernetes.io/basic-auth");
    expect(secret.immutable).toBe(true);
  });

  it("forces name and namespace from the SealedSecret over the template", () => {
    const ss = load("sealed-cluster-wide.yaml");
    ss.metadata.name = "own";
    const secret = unsealSealedSecret(ss, ring("key1"));
    expect(secret.metadata.name).toBe("own");
  });

  it("leaves out the owner reference with skip-set-owner-references", () => {
    const ss = load("sealed-strict.yaml");
    ss.spec.template = { ...ss.spec.template, metadata: { ...ss.spec.template?.metadata, annotations: { "sealedsecrets.bitnami.com/skip-set-owner-references": "true" } } };
    expect(unsealSealedSecret(ss, ring("key1")).metadata.ownerReferences).toBeUndefined();
  });

  it("puts the SealedSecret's uid in the owner reference", () => {
    const ss = load("sealed-strict.yaml");
    ss.metadata.uid = "1234-abcd";
    expect(unsealSealedSecret(ss, ring("key1")).metadata.ownerReferences?.[0]?.uid).toBe("1234-abcd");
  });
});

describe("deprecated v1 spec.data", () => {
  function v1(label: Buffer, ns = "legacy", name = "old"): SealedSecretObject {
    const secret = { apiVersion: "v1", kind: "Secret", metadata: { name, namespace: ns }, data: { token: Buffer.from("v1-token-value").toString("base64") } };
    const blob = hybridEncrypt(createPublicKey(fixtureKey("key1").privateKey), Buffer.from(JSON.stringify(secret)), label);
    return { apiVersion: "bitnami.com/v1alpha1", kind: "SealedSecret", metadata: { name, namespace: ns }, spec: { encryptedData: {}, data: encodeBlob(blob) } };
  }

  it("unseals the whole-Secret blob", () => {
    const secret = unsealSealedSecret(v1(encryptionLabel("legacy", "old", "strict")), ring("key1"));
    expect(decoded(secret.data)).toEqual({ token: "v1-token-value" });
    expect(secret.metadata.ownerReferences?.[0]?.name).toBe("old");
  });

  it("is refused when v1 data is not accepted", () => {
    const err = failure(() => unsealSealedSecret(v1(encryptionLabel("legacy", "old", "strict")), ring("key1"), { acceptDeprecatedV1Data: false }));
    expect(err.code).toBe("input.invalid");
  });
});

describe("the unseal cache", () => {
  it("performs zero RSA private-key operations when unchanged SealedSecrets are unsealed again", () => {
    const keys = ring("key2", "key1");
    const cache = new UnsealCache();
    const objects = ["sealed-strict.yaml", "sealed-namespace-wide.json", "sealed-cluster-wide.yaml"].map(load);
    for (const ss of objects) unsealSealedSecret(ss, keys, { cache });
    const after = keys.privateKeyOperations;
    expect(after).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) for (const ss of objects) unsealSealedSecret(ss, keys, { cache });
    expect(keys.privateKeyOperations).toBe(after);
    expect(cache.hits).toBe(27);
  });

  it("skips keys whose modulus size differs from the blob's rsa part", () => {
    const keys = ring("key2", "key1");
    unsealSealedSecret(load("sealed-strict.yaml"), keys);
    expect(keys.privateKeyOperations).toBe(3);
  });

  it("does not serve a cached value to an object moved elsewhere", () => {
    const keys = ring("key1");
    const cache = new UnsealCache();
    unsealSealedSecret(load("sealed-strict.yaml"), keys, { cache });
    const moved = load("sealed-strict.yaml");
    moved.metadata.namespace = "other";
    expect(failure(() => unsealSealedSecret(moved, keys, { cache })).code).toBe("sealed.scope_mismatch");
  });

  it("does not serve a cached value once the key that opened it is gone", () => {
    const keys = ring("key1");
    const cache = new UnsealCache();
    unsealSealedSecret(load("sealed-strict.yaml"), keys, { cache });
    keys.remove(fixtureKey("key1").fingerprint);
    expect(failure(() => unsealSealedSecret(load("sealed-strict.yaml"), keys, { cache })).code).toBe("sealed.no_key");
  });

  it("evicts the least recently used entries beyond its size", () => {
    const cache = new UnsealCache({ maxEntries: 2 });
    const keys = { has: () => true };
    for (const n of ["a", "b", "c"]) cache.set(Buffer.from(n), Buffer.from(n), "fp", Buffer.from(n));
    expect(cache.size).toBe(2);
    expect(cache.get(Buffer.from("a"), Buffer.from("a"), keys)).toBeUndefined();
    expect(cache.get(Buffer.from("c"), Buffer.from("c"), keys)?.plaintext.toString()).toBe("c");
  });
});

describe("canary: no plaintext or key material in errors or logs", () => {
  it("keeps a known plaintext and the private key out of every error and log line", () => {
    const publicKey = createPublicKey(fixtureKey("key1").privateKey);
    // A fresh canary per attempt: one that an earlier attempt unsealed is registered with the process
    // redactor, which would hide a leak of it in the later attempt's log line.
    const attempt = (name: string, edit: (ss: SealedSecretObject) => void): { plain: Canary; err: unknown; lines: string[] } => {
      const plain = canary(name);
      const blob = (label: Buffer): string => encodeBlob(hybridEncrypt(publicKey, Buffer.from(plain.value), label));
      const ss: SealedSecretObject = {
        apiVersion: "bitnami.com/v1alpha1",
        kind: "SealedSecret",
        metadata: { name: "canary", namespace: "ns" },
        spec: {
          encryptedData: { good: blob(encryptionLabel("ns", "canary", "strict")) },
          // The template names the object, as kubeseal writes it: a renamed object is then diagnosed by opening the value under its old label.
          template: { metadata: { name: "canary", namespace: "ns" }, data: { leak: `{{ .good }} {{ env "X" }}`, leak2: "{{ printf \"%d\" .good }}" } },
        },
      };
      edit(ss);
      const lines: string[] = [];
      const logger = new Logger({ sink: (line) => lines.push(line), level: "debug" });
      let err: unknown;
      try {
        unsealSealedSecret(ss, ring("key1"));
      } catch (e) {
        err = e;
        logger.error("unseal failed", { err: e });
      }
      return { plain, err, lines };
    };
    const attempts = [
      attempt("template", () => undefined),
      attempt("moved", (ss) => {
        ss.metadata.name = "moved";
      }),
    ];
    const keyPem = fixture("key1.pem");
    const keyLines = keyPem.split("\n").filter((l) => l.length > 20 && !l.startsWith("-----"));
    expect(attempts.map((a) => (a.err as SigilError).code)).toEqual(["sealed.template_failed", "sealed.scope_mismatch"]);
    for (const { plain, err, lines } of attempts) {
      expect(isSigilError(err)).toBe(true);
      const text = `${(err as Error).message} ${JSON.stringify(err)} ${describeError(err)}`;
      expectNoLeak({ error: text, log: lines.join("\n") }, plain);
      for (const l of keyLines) expect(text + lines.join("\n")).not.toContain(l);
    }
  });
});
