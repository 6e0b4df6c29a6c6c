import { X509Certificate, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isSigilError, redact } from "../../../src/core/index.js";
import {
  KeyRing,
  buildKeySecret,
  generateSealingKeyPair,
  keySecretsFromBackup,
  parseCertificate,
  privateKeysFromPem,
  publicKeyFingerprint,
  readKeyFile,
  sealingCertificate,
  sealingKeyFromPrivateKey,
  sealingKeyFromSecret,
  selfSignCertificate,
} from "../../../src/decrypt/sealed-secrets/index.js";
import { SSH_KEYGEN_FINGERPRINTS, fixture, fixtureKey } from "./support.js";

async function codeOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (err) {
    return isSigilError(err) ? err.code : `not a SigilError: ${String(err)}`;
  }
  return "no error";
}

describe("fingerprints", () => {
  it("match ssh-keygen -l for the fixture keys (4096 and 2048 bits)", () => {
    expect(fixtureKey("key1").fingerprint).toBe(SSH_KEYGEN_FINGERPRINTS.key1);
    expect(fixtureKey("key2").fingerprint).toBe(SSH_KEYGEN_FINGERPRINTS.key2);
    expect(publicKeyFingerprint(fixtureKey("key1").publicKey)).toBe(SSH_KEYGEN_FINGERPRINTS.key1);
  });
});

describe("loading private keys", () => {
  it("reads PKCS#1 and PKCS#8 PEM to the same key", () => {
    const [pkcs1] = privateKeysFromPem(fixture("key1.pem"), "key1.pem");
    const [pkcs8] = privateKeysFromPem(fixture("key1.pkcs8.pem"), "key1.pkcs8.pem");
    expect(pkcs1?.fingerprint).toBe(pkcs8?.fingerprint);
    expect(pkcs1?.modulusBytes).toBe(512);
  });

  it("registers loaded private keys with the redactor", () => {
    privateKeysFromPem(fixture("key2.pem"), "key2.pem");
    const line = fixture("key2.pem").split("\n")[5] ?? "";
    expect(redact(`leak ${line}`)).toBe("leak [REDACTED]");
  });

  const bad = [
    { text: "not a key", code: "input.invalid", reason: "no pem block" },
    { text: "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", code: "input.invalid", reason: "garbage inside the block" },
    {
      text: generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
      code: "sealed.cert_invalid",
      reason: "an ec key is not a sealing key",
    },
  ];
  for (const c of bad) {
    it(`rejects ${c.reason} with ${c.code}`, async () => {
      expect(await codeOf(() => privateKeysFromPem(c.text, "k.pem"))).toBe(c.code);
    });
  }

  it("reads a key Secret backup (YAML) with its certificate", async () => {
    const [key] = await readKeyFile(fixture("key1-secret-backup.yaml"), "backup.yaml");
    expect(key?.fingerprint).toBe(SSH_KEYGEN_FINGERPRINTS.key1);
    expect(key?.certificate?.notBefore).toBeInstanceOf(Date);
    expect(key?.source).toBe("backup.yaml: Secret/kube-system/sealed-secrets-keyk4t01");
  });

  it("reads every key of a v1 List backup (JSON)", async () => {
    const keys = await readKeyFile(fixture("keys-list-backup.json"), "list.json");
    expect(keys.map((k) => k.fingerprint)).toEqual([SSH_KEYGEN_FINGERPRINTS.key2, SSH_KEYGEN_FINGERPRINTS.key1]);
  });

  it("reads a bare PEM key file", async () => {
    const keys = await readKeyFile(fixture("key2.pem"), "key2.pem");
    expect(keys.map((k) => k.fingerprint)).toEqual([SSH_KEYGEN_FINGERPRINTS.key2]);
  });

  it("rejects a backup Secret without tls.key, naming the file and Secret", async () => {
    const text = "apiVersion: v1\nkind: Secret\nmetadata: {name: nokey, namespace: kube-system}\ndata: {other: YQ==}\n";
    const err = await readKeyFile(text, "b.yaml").catch((e: unknown) => e);
    expect(isSigilError(err, "input.invalid")).toBe(true);
    expect((err as Error).message).toContain("tls.key");
    expect((err as { subject?: string }).subject).toBe("b.yaml: Secret/kube-system/nokey");
  });

  it("rejects a backup whose tls.crt belongs to another key", async () => {
    const secret = keySecretsFromBackup(fixture("key1-secret-backup.yaml"), "x")[0];
    if (secret?.data === undefined) throw new Error("fixture");
    secret.data["tls.crt"] = Buffer.from(fixture("key2.crt")).toString("base64");
    expect(await codeOf(() => sealingKeyFromSecret(secret))).toBe("sealed.cert_invalid");
  });
});

describe("key ring", () => {
  it("puts the newest certificate first and seals with it", () => {
    const base = fixtureKey("key2");
    const older = { ...base, certificate: { ...parseCertificate(fixture("key2.crt"), "k2"), notBefore: new Date("2020-01-01") } };
    const newer = { ...fixtureKey("key1"), certificate: { ...parseCertificate(fixture("key1.crt"), "k1"), notBefore: new Date("2024-01-01") } };
    const ring = new KeyRing([older, newer]);
    expect(ring.newest()?.fingerprint).toBe(newer.fingerprint);
    expect(ring.keys().map((k) => k.fingerprint)).toEqual([newer.fingerprint, older.fingerprint]);
  });

  it("orders keys without a certificate last", () => {
    const bare = fixtureKey("key2");
    const withCert = { ...fixtureKey("key1"), certificate: parseCertificate(fixture("key1.crt"), "k1") };
    expect(new KeyRing([bare, withCert]).newest()?.fingerprint).toBe(withCert.fingerprint);
  });

  it("deduplicates keys by fingerprint", () => {
    expect(new KeyRing([fixtureKey("key1"), fixtureKey("key1")]).size).toBe(1);
  });
});

describe("generated key pairs and certificates", () => {
  it("generates an RSA-4096 key with a bitnami-shaped certificate by default", async () => {
    const now = new Date("2026-03-04T05:06:07.890Z");
    const pair = await generateSealingKeyPair({ now: () => now });
    const x509 = new X509Certificate(pair.certificate.pem);
    expect(pair.privateKey.asymmetricKeyDetails?.modulusLength).toBe(4096);
    expect(pair.privateKeyPem.startsWith("-----BEGIN RSA PRIVATE KEY-----")).toBe(true);
    // BasicConstraints (2.5.29.19) critical, CA = true. (node's `ca` is false: OpenSSL also wants keyCertSign, which bitnami does not set.)
    expect(x509.raw.includes(Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x13, 0x01, 0x01, 0xff, 0x04, 0x05, 0x30, 0x03, 0x01, 0x01, 0xff]))).toBe(true);
    // an empty subject and issuer (node reports them as undefined at runtime, though typed as string)
    const names: unknown[] = [x509.subject, x509.issuer];
    expect(names.every((n) => n === undefined || n === "")).toBe(true);
    expect(pair.certificate.notBefore.toISOString()).toBe("2026-03-04T05:06:07.000Z");
    expect(pair.certificate.notAfter.getTime() - pair.certificate.notBefore.getTime()).toBe(87_600 * 3_600_000);
    expect(BigInt(`0x${x509.serialNumber}`) < 2n ** 128n).toBe(true);
    expect(x509.checkPrivateKey(pair.privateKey)).toBe(true);
    expect(x509.verify(pair.certificate.publicKey)).toBe(true);
  }, 60_000);

  it("writes the common name and marks KeyUsage as EncipherOnly", () => {
    const key = fixtureKey("key2").privateKey;
    const pem = selfSignCertificate(key, { commonName: "sealed-secrets" });
    const x509 = new X509Certificate(pem);
    expect(x509.subject).toBe("CN=sealed-secrets");
    // node exposes only extended key usage; check the DER carries keyUsage (2.5.29.15) with encipherOnly (bit 7)
    expect(x509.raw.includes(Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x0f, 0x01, 0x01, 0xff, 0x04, 0x04, 0x03, 0x02, 0x00, 0x01]))).toBe(true);
  });

  it("keeps the serial positive even when the random top bit is set", () => {
    const pem = selfSignCertificate(fixtureKey("key2").privateKey, { randomBytes: (n) => Buffer.alloc(n, 0xff) });
    expect(new X509Certificate(pem).serialNumber.toLowerCase()).toBe("ff".repeat(16));
  });

  it("refuses to seal with an expired certificate", async () => {
    const pem = selfSignCertificate(fixtureKey("key2").privateKey, { now: () => new Date("2000-01-01"), validForMs: 1000 });
    expect(await codeOf(() => sealingCertificate(pem, "old.crt"))).toBe("sealed.cert_expired");
    expect(await codeOf(() => sealingCertificate("junk", "junk.crt"))).toBe("sealed.cert_invalid");
  });

  it("builds a bitnami-compatible key Secret that loads back", () => {
    const key = fixtureKey("key2");
    const secret = buildKeySecret({ privateKeyPem: fixture("key2.pem"), certificatePem: fixture("key2.crt") }, { namespace: "sealed" });
    expect(secret.type).toBe("kubernetes.io/tls");
    expect(secret.metadata).toEqual({
      generateName: "sealed-secrets-key",
      namespace: "sealed",
      labels: { "sealedsecrets.bitnami.com/sealed-secrets-key": "active" },
    });
    expect(Object.keys(secret.data ?? {}).sort()).toEqual(["tls.crt", "tls.key"]);
    expect(sealingKeyFromSecret(secret).fingerprint).toBe(key.fingerprint);
  });

  it("builds a SealingKey from a KeyObject with its fingerprint and modulus size", () => {
    const k = sealingKeyFromPrivateKey(fixtureKey("key2").privateKey, "mem");
    expect(k.modulusBytes).toBe(256);
    expect(k.fingerprint).toBe(SSH_KEYGEN_FINGERPRINTS.key2);
  });
});
