/**
 * Environment promotion with kustomize overlays and refs, SOPS in
 * generators (age, KMS, Vault transit), SealedSecrets in both modes, and a
 * CRD with its custom resources applied in one render (staged apply), all
 * through `sigil sync --once` against the real peers.
 */
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildKeySecret, generateSealingKeyPair, sealSecret } from "../../../src/decrypt/index.js";
import type { HttpKubeClient } from "../../../src/kube/index.js";
import { adminClient, ensureSealedSecretCrd, TestNamespaces } from "../../support/bitnami.js";
import { createRepo } from "../../support/git.js";
import { describePeers, peers, uniqueName } from "../../support/peers.js";
import { AGE_RECIPIENT, commit, sigilSync, sopsEncrypt } from "../../support/reconcile.js";

const CANARY = "canary-promote-3e7a";
const b64 = (s: string): string => Buffer.from(s).toString("base64");

function overlays(version: string): Record<string, string> {
  const base = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  version: "${version}"\n`;
  const overlay = (env: string, file: string): string =>
    `resources: [../../base]\nnameSuffix: -${env}\nsecretGenerator:\n- name: db\n  envs: [${file}]\n  options: {disableNameSuffixHash: true}\n`;
  return {
    "base/kustomization.yaml": "resources: [app.yaml]\n",
    "base/app.yaml": base,
    "overlays/dev/kustomization.yaml": overlay("dev", "db.env"),
    "overlays/dev/db.env": sopsEncrypt(`PASSWORD=${CANARY}-dev\n`, "db.env", ["--age", AGE_RECIPIENT]),
    "overlays/staging/kustomization.yaml": overlay("staging", "db.env"),
    "overlays/staging/db.env": sopsEncrypt(`PASSWORD=${CANARY}-staging\n`, "db.env", ["--kms", peers().kms.keyArns[0] ?? ""]),
    "overlays/prod/kustomization.yaml": overlay("prod", "db.env"),
    "overlays/prod/db.env": sopsEncrypt(`PASSWORD=${CANARY}-prod\n`, "db.env", ["--hc-vault-transit", `${peers().vault.addr}/v1/${peers().vault.transitMount}/keys/${peers().vault.transitKey}`]),
  };
}

describePeers("promotion, generators, SealedSecrets and CRDs through sigil sync", () => {
  let client: HttpKubeClient;
  const namespaces = new TestNamespaces();
  beforeAll(async () => {
    client = adminClient();
    await ensureSealedSecretCrd(client);
  });
  afterAll(async () => {
    await namespaces.deleteAll(client);
    client.close();
  });
  const ns = (prefix: string): Promise<string> => namespaces.create(prefix, client);
  const data = async (n: string, kind: string, name: string): Promise<Record<string, string> | undefined> =>
    (await client.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${n}/${kind}/${name}`))?.data;

  it("promotes through overlays with branch, tag, semver and commit refs; SOPS env files decrypted for kustomize (age, KMS, Vault)", async () => {
    const repo = createRepo(uniqueName("promote"), overlays("1"));
    const first = commit(repo, {}, "v1.0.0");
    commit(repo, overlays("2"), "v1.1.0");
    commit(repo, overlays("3"));
    const dev = await ns("dev");
    const staging = await ns("staging");
    const prod = await ns("prod");
    const pinned = await ns("pinned");
    for (const [n, path, ref] of [[dev, "overlays/dev", "main"], [staging, "overlays/staging", "tag:v1.0.0"], [prod, "overlays/prod", "semver:~1.1.0"], [pinned, "overlays/dev", `commit:${first}`]] as const) {
      const r = await sigilSync(["--source", repo.fileUrl, "--ref", ref, "--path", path, "-n", n, "--prune"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr + r.logs).not.toContain(CANARY);
    }
    expect((await data(dev, "configmaps", "app-dev"))?.["version"]).toBe("3");
    expect((await data(staging, "configmaps", "app-staging"))?.["version"]).toBe("1");
    expect((await data(prod, "configmaps", "app-prod"))?.["version"]).toBe("2");
    expect((await data(pinned, "configmaps", "app-dev"))?.["version"]).toBe("1");
    expect(readdirSync(tmpdir()).filter((d) => d.startsWith("sigil-kustomize-")), "the decrypted copies are removed").toEqual([]);
    expect((await data(dev, "secrets", "db-dev"))?.["PASSWORD"]).toBe(b64(`${CANARY}-dev`));
    expect((await data(staging, "secrets", "db-staging"))?.["PASSWORD"]).toBe(b64(`${CANARY}-staging`));
    expect((await data(prod, "secrets", "db-prod"))?.["PASSWORD"]).toBe(b64(`${CANARY}-prod`));
  });

  it("applies SealedSecrets for the controller by default, and unseals them with the cluster's keys in inline mode", async () => {
    const n = await ns("sealed");
    const keys = await ns("sealkeys");
    const pair = await generateSealingKeyPair({ keySize: 2048 });
    await client.create(`/api/v1/namespaces/${keys}/secrets`, buildKeySecret({ privateKeyPem: pair.privateKeyPem, certificatePem: pair.certificate.pem }, { namespace: keys }));
    const sealed = sealSecret({ apiVersion: "v1", kind: "Secret", metadata: { name: "tok", namespace: n }, type: "Opaque", data: { token: b64(CANARY) } }, pair.certificate.publicKey);
    const repo = createRepo(uniqueName("sealed"), { "app/sealed.json": JSON.stringify(sealed) });
    const controller = await sigilSync(["--source", repo.fileUrl, "--path", "app", "-n", n]);
    expect(controller.code, controller.stderr).toBe(0);
    expect(controller.stdout).toMatch(/SealedSecret\/.*\/tok created/);
    const inline = await sigilSync(["--source", repo.fileUrl, "--path", "app", "-n", n, "--sealed-secrets", "inline", "--controller-namespace", keys, "--prune"]);
    expect(inline.code, inline.stderr).toBe(0);
    expect(inline.stdout).toMatch(/Secret\/.*\/tok created/);
    expect(inline.stdout).toMatch(/SealedSecret\/.*\/tok deleted/);
    expect((await data(n, "secrets", "tok"))?.["token"]).toBe(b64(CANARY));
    expect(inline.stdout + inline.stderr + inline.logs).not.toContain(CANARY);
    const wrongKeys = await ns("nokeys");
    const none = await sigilSync(["--source", repo.fileUrl, "--path", "app", "-n", n, "--sealed-secrets", "inline", "--controller-namespace", wrongKeys, "--prune"]);
    expect(none.stderr).toContain("[sealed.no_key]");
    expect((await data(n, "secrets", "tok"))?.["token"]).toBe(b64(CANARY));
  });

  it("applies a CRD and its custom resources in one render (CRDs first, then the rest), passing an ExternalSecret-shaped object through untouched", async () => {
    const n = await ns("crd");
    const group = `${uniqueName("es").replace(/-/g, "")}.sigil.test`;
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: `externalsecrets.${group}` },
      spec: { group, scope: "Namespaced", names: { kind: "ExternalSecret", plural: "externalsecrets", singular: "externalsecret", listKind: "ExternalSecretList" }, versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }] },
    };
    const es = { apiVersion: `${group}/v1`, kind: "ExternalSecret", metadata: { name: "db" }, spec: { secretStoreRef: { name: "vault", kind: "SecretStore" }, data: [{ secretKey: "password", remoteRef: { key: "db", property: "password" } }] } };
    const repo = createRepo(uniqueName("crd"), { "app/es.json": JSON.stringify(es), "app/crd.json": JSON.stringify(crd) });
    try {
      const r = await sigilSync(["--source", repo.fileUrl, "--path", "app", "-n", n]);
      expect(r.code, r.stderr).toBe(0);
      const live = await client.get<{ spec: unknown }>(`/apis/${group}/v1/namespaces/${n}/externalsecrets/db`);
      expect(live?.spec).toEqual(es.spec);
    } finally {
      await client.delete(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/externalsecrets.${group}`).catch(() => undefined);
    }
  });
});
