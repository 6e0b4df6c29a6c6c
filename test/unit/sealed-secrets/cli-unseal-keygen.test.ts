import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateIdentity, identityToRecipient } from "age-encryption";
import { describe, expect, it } from "vitest";
import { parseManifests, readKeyFile, sealSecret, toSecret, formatObject } from "../../../src/decrypt/sealed-secrets/index.js";
import type { SealedSecretObject, SecretObject } from "../../../src/decrypt/sealed-secrets/index.js";
import { canary, expectNoLeak } from "../../support/canary.js";
import type { Canary } from "../../support/canary.js";
import { sigil, tempDir } from "./cli-support.js";
import type { RunResult } from "./cli-support.js";
import { SSH_KEYGEN_FINGERPRINTS, fixture, fixturePath, fixtureKey } from "./support.js";

/** The plaintexts of secret.yaml, which every sealed fixture holds. */
const KAT_VALUES = { username: "kat-user", password: "kat-password-1b7e", "config.json": '{"pw":"kat-password-1b7e"}' };

/** The data of the Secret(s) `sigil unseal` printed (YAML or JSON), decoded. */
function unsealedValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const doc of parseManifests(text, "out")) {
    for (const [k, v] of Object.entries(toSecret(doc, "out").data ?? {})) out[k] = Buffer.from(v, "base64").toString();
  }
  return out;
}

describe("sigil unseal", () => {
  it("prints the Secret exactly as kubeseal --recovery-unseal does (JSON)", async () => {
    const r = await sigil(["unseal", "--private-key", fixturePath("key1.pem")], { stdin: fixture("sealed-strict.yaml") });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`{
  "kind": "Secret",
  "apiVersion": "v1",
  "metadata": {
    "name": "kat-secret",
    "namespace": "kat",
    "labels": {
      "app": "kat"
    },
    "annotations": {
      "example.com/owner": "team-a"
    },
    "ownerReferences": [
      {
        "apiVersion": "bitnami.com/v1alpha1",
        "kind": "SealedSecret",
        "name": "kat-secret",
        "uid": "",
        "controller": true
      }
    ]
  },
  "data": {
    "config.json": "eyJwdyI6ImthdC1wYXNzd29yZC0xYjdlIn0=",
    "password": "a2F0LXBhc3N3b3JkLTFiN2U=",
    "username": "a2F0LXVzZXI="
  },
  "type": "Opaque"
}
`);
  });

  const keyFiles = [
    { files: ["key2.pem", "key1.pkcs8.pem"], reason: "several PEM files, PKCS#1 and PKCS#8" },
    { files: ["key1-secret-backup.yaml"], reason: "a key Secret backup in YAML" },
    { files: ["keys-list-backup.json"], reason: "a v1 List backup in JSON" },
  ];
  for (const c of keyFiles) {
    it(`unseals with ${c.reason}`, async () => {
      const r = await sigil(["unseal", "--private-key", c.files.map(fixturePath).join(","), "-o", "yaml", "-f", fixturePath("sealed-cluster-wide.yaml")]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.startsWith("---\napiVersion: v1\ndata:\n")).toBe(true);
      expect(unsealedValues(r.stdout)).toEqual(KAT_VALUES);
    });
  }

  it("refuses a renamed strict SealedSecret, naming it", async () => {
    const renamed = fixture("sealed-strict.yaml").replace("  name: kat-secret\n  namespace", "  name: renamed\n  namespace");
    const r = await sigil(["unseal", "--private-key", fixturePath("key1.pem")], { stdin: renamed });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sigil: SealedSecret\/kat\/renamed: encryptedData "config.json" was sealed for the strict scope of "kat\/kat-secret"/);
    expect(r.stderr).toContain("[sealed.scope_mismatch]");
    expect(r.stdout).toBe("");
  });

  it("refuses a ciphertext from an unknown key", async () => {
    const r = await sigil(["unseal", "--private-key", fixturePath("key2.pem")], { stdin: fixture("sealed-strict.yaml") });
    expect(r.stderr).toContain("[sealed.no_key]");
  });

  it("needs --private-key", async () => {
    const r = await sigil(["unseal"], { stdin: fixture("sealed-strict.yaml") });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("required option '--private-key <files>' not specified");
    expect(r.stdout).toBe("");
  });

  it("names a key file that holds no key", async () => {
    const r = await sigil(["unseal", "--private-key", fixturePath("key1.crt")], { stdin: fixture("sealed-strict.yaml") });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(fixturePath("key1.crt"));
  });
});

describe("canary: the CLI never prints plaintext or private keys on failure", () => {
  it("keeps the canary and key material out of stderr and logs", async () => {
    // A fresh canary for each run: a value one run unseals is registered with the process redactor,
    // which would then hide a leak of the same value by a later run that never registers it.
    const sealedFor = (label: string): { plain: Canary; secret: SecretObject; sealed: SealedSecretObject } => {
      const plain = canary(label);
      const secret = toSecret({ apiVersion: "v1", kind: "Secret", metadata: { name: "c", namespace: "ns" }, stringData: { v: plain.value } }, "s");
      const sealed = sealSecret(secret, fixtureKey("key1").publicKey);
      return { plain, secret, sealed };
    };
    const attempts: { reason: string; run: () => Promise<{ plain: Canary; r: RunResult }> }[] = [
      { reason: "a template that fails after the value is unsealed", run: async () => {
        const { plain, sealed } = sealedFor("template");
        sealed.spec.template = { ...sealed.spec.template, data: { t: `{{ .v }}{{ nope }}` } };
        return { plain, r: await sigil(["unseal", "--private-key", fixturePath("key1.pem")], { stdin: formatObject(sealed, "yaml") }) };
      } },
      { reason: "a renamed strict SealedSecret (the value opens only under its old label)", run: async () => {
        const { plain, sealed } = sealedFor("moved");
        return { plain, r: await sigil(["unseal", "--private-key", fixturePath("key1.pem")], { stdin: formatObject({ ...sealed, metadata: { ...sealed.metadata, name: "moved" } }, "json") }) };
      } },
      { reason: "sealing with a private key given as the certificate", run: async () => {
        const { plain, secret } = sealedFor("seal");
        return { plain, r: await sigil(["seal", "--cert", fixturePath("key1.pem")], { stdin: formatObject(secret, "yaml") }) };
      } },
      { reason: "unsealing with a certificate given as the private key", run: async () => {
        const { plain, sealed } = sealedFor("no-key");
        return { plain, r: await sigil(["unseal", "--private-key", fixturePath("key1.crt")], { stdin: formatObject(sealed, "yaml") }) };
      } },
    ];
    const keyLines = fixture("key1.pem").split("\n").filter((l) => l.length > 20 && !l.startsWith("-----"));
    for (const attempt of attempts) {
      const { plain, r } = await attempt.run();
      expect(r.code, attempt.reason).not.toBe(0);
      expectNoLeak({ [`${attempt.reason}: stderr`]: r.stderr, [`${attempt.reason}: logs`]: r.logs.join("\n"), [`${attempt.reason}: stdout`]: r.stdout }, plain);
      const text = r.stderr + r.logs.join("\n") + r.stdout;
      for (const line of keyLines) expect(text).not.toContain(line);
    }
  });
});

describe("sigil keygen sealed", () => {
  it("writes a certificate, a PKCS#1 key (mode 0600) and a key Secret that kubeseal-style tools read", async () => {
    const dir = tempDir();
    const r = await sigil(["keygen", "sealed", "--key-size", "2048", "--my-cn", "sigil", "--cert-out", join(dir, "tls.crt"), "--key-out", join(dir, "tls.key"), "--secret-out", join(dir, "key.yaml"), "-n", "sealed"]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, "tls.key"), "utf8").startsWith("-----BEGIN RSA PRIVATE KEY-----")).toBe(true);
    expect(statSync(join(dir, "tls.key")).mode & 0o777).toBe(0o600);
    const secret = toSecret(parseManifests(readFileSync(join(dir, "key.yaml"), "utf8"), "k")[0], "k");
    expect(secret.metadata.namespace).toBe("sealed");
    expect(secret.metadata.generateName).toBe("sealed-secrets-key");
    const [key] = await readKeyFile(readFileSync(join(dir, "key.yaml"), "utf8"), "key.yaml");
    expect(key?.certificate?.pem).toBe(readFileSync(join(dir, "tls.crt"), "utf8"));
  });

  it("refuses to overwrite files without --force", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "tls.crt"), "existing");
    const r = await sigil(["keygen", "sealed", "--key-size", "2048", "--cert-out", join(dir, "tls.crt"), "--key-out", join(dir, "tls.key")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("refusing to overwrite an existing file (pass --force)");
    expect(readFileSync(join(dir, "tls.crt"), "utf8")).toBe("existing");
  });

  it("with --force replaces an existing key file by a new 0600 file and leaves no temporary file", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "tls.key"), "old", { mode: 0o644 });
    const r = await sigil(["keygen", "sealed", "--key-size", "2048", "--cert-out", join(dir, "tls.crt"), "--key-out", join(dir, "tls.key"), "--force"]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, "tls.key"), "utf8").startsWith("-----BEGIN RSA PRIVATE KEY-----")).toBe(true);
    expect(statSync(join(dir, "tls.key")).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(["tls.crt", "tls.key"]);
  });

  it("wraps the key with an age recipient and never writes it in the clear; sigil unseal unwraps it", async () => {
    const dir = tempDir();
    const identity = await generateIdentity();
    const recipient = await identityToRecipient(identity);
    const r = await sigil(["keygen", "sealed", "--from-key", fixturePath("key2.pem"), "--wrap-with", recipient, "--cert-out", join(dir, "tls.crt"), "--secret-out", join(dir, "wrapped.yaml")]);
    expect(r.code).toBe(0);
    const wrapped = readFileSync(join(dir, "wrapped.yaml"), "utf8");
    expect(wrapped).toContain("sealedsecrets.bitnami.com/sealed-secrets-key: wrapped");
    expect(wrapped).toContain("sealedsecrets.sigil.dev/wrapped-by");
    for (const line of fixture("key2.pem").split("\n").slice(1, 5)) expect(wrapped).not.toContain(line);
    const sealedByKey2 = formatObject(sealSecret(toSecret(parseManifests(fixture("secret.yaml"), "s")[0], "s"), fixtureKey("key2").publicKey), "yaml");
    const ok = await sigil(["unseal", "--private-key", join(dir, "wrapped.yaml")], { stdin: sealedByKey2, env: { SOPS_AGE_KEY: identity } });
    expect(ok.code, ok.stderr).toBe(0);
    expect(unsealedValues(ok.stdout)).toEqual(KAT_VALUES);
    const noKey = await sigil(["unseal", "--private-key", join(dir, "wrapped.yaml")], { stdin: sealedByKey2 });
    expect(noKey.code).not.toBe(0);
    expect(noKey.stderr).toContain("wrapped.yaml: Secret/kube-system/<unnamed>");
  });

  it("keeps the certificate of a migrated key Secret backup", async () => {
    const dir = tempDir();
    const r = await sigil(["keygen", "sealed", "--from-key", fixturePath("key1-secret-backup.yaml"), "--cert-out", join(dir, "c.crt"), "--key-out", join(dir, "k.pem")]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, "c.crt"), "utf8")).toBe(fixture("key1.crt"));
    const [key] = await readKeyFile(readFileSync(join(dir, "k.pem"), "utf8"), "k");
    expect(key?.fingerprint).toBe(SSH_KEYGEN_FINGERPRINTS.key1);
  });

  it("refuses --key-out together with --wrap-with", async () => {
    const r = await sigil(["keygen", "sealed", "--wrap-with", "age1cy0su9fwf3gf9mw868g5yut09p6nytfmmnktexz2ya5uqg9vl9sss4euqm", "--key-out", "x"]);
    expect(r.stderr).toContain("the private key is never written in the clear");
  });

  it("rejects a bad --key-ttl", async () => {
    const r = await sigil(["keygen", "sealed", "--key-ttl", "10 years"]);
    expect(r.stderr).toContain("is not a duration");
  });

  it("rejects a --key-ttl of zero", async () => {
    const r = await sigil(["keygen", "sealed", "--key-ttl", "0s"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--key-ttl: duration '0s' must be positive");
  });
});

describe("relative paths", () => {
  it("are resolved against the command's working directory, not the process's", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "in.yaml"), fixture("sealed-strict.yaml"));
    writeFileSync(join(dir, "k.pem"), fixture("key1.pem"));
    const r = await sigil(["unseal", "--private-key", "k.pem", "-f", "in.yaml", "-w", "out.yaml"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, "out.yaml"), "utf8").startsWith("---\napiVersion: v1\n")).toBe(true);
    expect(unsealedValues(readFileSync(join(dir, "out.yaml"), "utf8"))).toEqual(KAT_VALUES);
    const k = await sigil(["keygen", "age", "-o", "keys.txt"], { cwd: dir });
    expect(k.code, k.stderr).toBe(0);
    expect(readFileSync(join(dir, "keys.txt"), "utf8")).toMatch(/^# created: /);
  });
});

describe("sigil keygen age", () => {
  it("prints a key file like age-keygen", async () => {
    const r = await sigil(["keygen", "age"]);
    expect(r.code).toBe(0);
    const [created, pub, identity, rest] = r.stdout.split("\n");
    expect(created).toMatch(/^# created: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(pub).toMatch(/^# public key: age1[a-z0-9]{58}$/);
    expect(identity).toMatch(/^AGE-SECRET-KEY-1[A-Z0-9]{58}$/);
    expect(rest).toBe("");
    expect(await identityToRecipient(identity ?? "")).toBe(pub?.slice("# public key: ".length));
  });

  it("writes -o with mode 0600 and prints the public key on stderr", async () => {
    const file = join(tempDir(), "keys.txt");
    const r = await sigil(["keygen", "age", "-o", file]);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^Public key: age1[a-z0-9]{58}\n$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("prints the recipients of an identity file with -y", async () => {
    const file = join(tempDir(), "keys.txt");
    await sigil(["keygen", "age", "-o", file]);
    const r = await sigil(["keygen", "age", "-y", file]);
    expect(r.stdout).toBe(`${readFileSync(file, "utf8").split("\n")[1]?.slice("# public key: ".length) ?? ""}\n`);
  });

  it("generates post-quantum identities with --pq", async () => {
    const r = await sigil(["keygen", "age", "--pq"]);
    expect(r.stdout).toMatch(/# public key: age1pq1/);
  });
});
