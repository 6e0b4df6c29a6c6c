import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sealSecret, sopsDecryptor, encryptFile } from "../../../src/decrypt/index.js";
import { decryptManifests } from "../../../src/reconcile/decrypt/index.js";
import { render } from "../../../src/reconcile/render/index.js";
import { fixtureKey, ring } from "../sealed-secrets/support.js";
import { AGE_RECIPIENT, ageRegistry } from "../sops/helpers.js";

const CANARY = "canary-decrypt-5150";
const SECRET = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: app\nstringData:\n  password: ${CANARY}\n`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function encrypted(text: string): Promise<string> {
  const out = await encryptFile(Buffer.from(text), { registry: ageRegistry(), keyGroups: [[{ type: "age", recipient: AGE_RECIPIENT }]], rules: { encrypted_regex: "^(data|stringData)$" }, path: "s.yaml" });
  return Buffer.from(out).toString("utf8");
}

function repo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "sigil-decrypt-"));
  dirs.push(root);
  for (const [f, c] of Object.entries(files)) writeFileSync(join(root, f), c);
  return root;
}

const sops = (): ReturnType<typeof sopsDecryptor> => sopsDecryptor({ registry: ageRegistry() });

describe("the decrypt step", () => {
  it("decrypts a SOPS-encrypted manifest file, MAC verified", async () => {
    const root = repo({ "s.yaml": await encrypted(SECRET), "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n" });
    const out = await decryptManifests(await render(root, "."), { sops: sops() });
    expect(out.map((m) => m.object.kind)).toEqual(["ConfigMap", "Secret"]);
    expect(out[1]?.object["stringData"]).toEqual({ password: CANARY });
    expect(out[1]?.object["sops"]).toBeUndefined();
  });

  it("refuses a tampered file (MAC mismatch) and names it, without the value", async () => {
    const enc = await encrypted(SECRET);
    const tampered = enc.replace(/namespace: app/, "namespace: other");
    const err = await decryptManifests(await render(repo({ "s.yaml": tampered }), "."), { sops: sops() }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "decrypt.mac_mismatch", subject: "s.yaml" });
    expect(String(err)).not.toContain(CANARY);
  });

  it("refuses an encrypted file when no key is configured, or the key is not the right one", async () => {
    const manifests = await render(repo({ "s.yaml": await encrypted(SECRET) }), ".");
    await expect(decryptManifests(manifests, {})).rejects.toMatchObject({ code: "decrypt.no_matching_key", subject: "s.yaml" });
    const other = sopsDecryptor({ registry: ageRegistry({ SOPS_AGE_KEY_FILE: "/nonexistent" }) });
    await expect(decryptManifests(manifests, { sops: other })).rejects.toMatchObject({ code: "decrypt.no_matching_key" });
  });

  it("unseals a SealedSecret in Inline mode (no ownerReference), and passes it through in Controller mode", async () => {
    const ss = sealSecret({ apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "app" }, type: "Opaque", data: { password: Buffer.from(CANARY).toString("base64") } }, fixtureKey("key1").publicKey);
    const manifests = [{ object: ss as never, source: "ss.yaml" }];
    const inline = await decryptManifests(manifests, { sealedSecrets: "Inline", sealingKeys: () => Promise.resolve(ring("key1")) });
    expect(inline[0]?.object).toMatchObject({ kind: "Secret", metadata: { name: "db", namespace: "app" }, data: { password: Buffer.from(CANARY).toString("base64") } });
    expect(inline[0]?.object.metadata["ownerReferences"]).toBeUndefined();
    const controller = await decryptManifests(manifests, { sealedSecrets: "Controller" });
    expect(controller[0]?.object.kind).toBe("SealedSecret");
    await expect(decryptManifests(manifests, { sealedSecrets: "Inline", sealingKeys: () => Promise.resolve(ring("key2")) })).rejects.toMatchObject({ code: "sealed.no_key" });
  });

  it("passes ExternalSecrets through untouched", async () => {
    const es = { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: "e" }, spec: { secretStoreRef: { name: "vault" } } };
    expect((await decryptManifests([{ object: es, source: "es.yaml" }], {}))[0]?.object).toEqual(es);
  });
});
