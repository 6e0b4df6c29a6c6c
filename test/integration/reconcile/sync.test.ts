/**
 * The reconciler end to end through `sigil sync --once`, against the real
 * API server, git over file://, the real kustomize and sops, age, the KMS
 * emulator and OpenBao: apply, no write when unchanged, prune on removal,
 * and no prune (every previous object intact) after each kind of failure.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { HttpKubeClient } from "../../../src/kube/index.js";
import { adminClient, createNamespace, deleteNamespace } from "../../support/bitnami.js";
import { createRepo } from "../../support/git.js";
import type { TestRepo } from "../../support/git.js";
import { describePeers, peers, uniqueName } from "../../support/peers.js";
import { AGE_RECIPIENT, commit, sigilSync, sopsEncrypt } from "../../support/reconcile.js";

const CANARY = "canary-sync-9d1f2b";
const cm = (name: string, v = "1"): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  v: "${v}"\n`;
const secret = (name: string, value: string): string => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\nstringData:\n  password: ${value}\n`;
const deploy = (name: string): string =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  selector:\n    matchLabels: {app: ${name}}\n  template:\n    metadata:\n      labels: {app: ${name}}\n    spec:\n      containers:\n      - name: c\n        image: registry.invalid/app:1\n`;

describePeers("sigil sync --once against the real peers", () => {
  let client: HttpKubeClient;
  const namespaces: string[] = [];
  beforeAll(() => {
    client = adminClient();
  });
  afterAll(async () => {
    await Promise.all(namespaces.map((ns) => deleteNamespace(ns, client)));
    client.close();
  });
  async function ns(prefix: string): Promise<string> {
    const name = uniqueName(prefix);
    await createNamespace(name, client);
    namespaces.push(name);
    return name;
  }
  const get = (path: string): Promise<Record<string, unknown> | undefined> => client.get<Record<string, unknown>>(path);
  const names = async (n: string, plural: string): Promise<string[]> =>
    (await client.list<{ metadata: { name: string; labels?: Record<string, string> } }>(`/api/v1/namespaces/${n}/${plural}`)).items.filter((i) => i.metadata.labels?.["gitops.sigil.dev/sync-name"] !== undefined).map((i) => i.metadata.name).sort();

  async function baseline(prefix: string): Promise<{ n: string; repo: TestRepo }> {
    const n = await ns(prefix);
    const repo = createRepo(uniqueName(prefix), { "app/a.yaml": cm("a"), "app/b.yaml": cm("b"), "app/s.yaml": sopsEncrypt(secret("s", CANARY), "s.yaml", ["--age", AGE_RECIPIENT]) });
    const first = await sigilSync(["--source", repo.fileUrl, "--path", "app", "-n", n, "--prune"]);
    expect(first.code, first.stderr).toBe(0);
    return { n, repo };
  }

  it("applies plain manifests with a SOPS Secret, then writes nothing when nothing changed", async () => {
    const { n, repo } = await baseline("sync-apply");
    expect(await names(n, "configmaps")).toEqual(["a", "b"]);
    const s = (await get(`/api/v1/namespaces/${n}/secrets/s`)) as { data: Record<string, string> } | undefined;
    expect(Buffer.from(s?.data["password"] ?? "", "base64").toString()).toBe(CANARY);
    const again = await sigilSync(["--source", repo.fileUrl, "--path", "app", "-n", n, "--prune"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/created 0, configured 0, unchanged 3, deleted 0/);
    expect(again.stdout + again.stderr + again.logs).not.toContain(CANARY);
  });

  it("prunes an object removed from Git, and keeps one annotated prune: disabled", async () => {
    const { n, repo } = await baseline("sync-prune");
    commit(repo, { "app/keep.yaml": cm("keep").replace("metadata:\n", "metadata:\n  annotations: {gitops.sigil.dev/prune: disabled}\n") });
    expect((await sigilSync(["--source", repo.fileUrl, "--path", "app", "-n", n, "--prune"])).code).toBe(0);
    commit(repo, { "app/b.yaml": null, "app/keep.yaml": null });
    const r = await sigilSync(["--source", repo.fileUrl, "--path", "app", "-n", n, "--prune"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ConfigMap\/.*\/b deleted/);
    expect(r.stdout).toMatch(/ConfigMap\/.*\/keep skipped/);
    expect(await names(n, "configmaps")).toEqual(["a", "keep"]);
  });

  it.each([
    { reason: "invalid YAML", files: { "app/b.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b\n" }, code: "render.invalid_yaml" },
    { reason: "a file encrypted to a key the cluster lacks", files: { "app/b.yaml": null, "app/x.yaml": sopsEncrypt(secret("x", "v"), "x.yaml", ["--age", "age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg"]) }, code: "decrypt.no_matching_key" },
    { reason: "a tampered SOPS file", tamper: true, files: {}, code: "decrypt.mac_mismatch" },
    { reason: "a kustomize build error", files: { "app/kustomization.yaml": "resources: [missing.yaml]\n" }, code: "kustomize.failed" },
    { reason: "an empty render", files: { "app/a.yaml": null, "app/b.yaml": null, "app/s.yaml": null, "app/README.md": "empty\n" }, code: "render.empty" },
    { reason: "a path that escapes the repository", files: {}, path: "../", code: "render.path_escape" },
  ])("does not prune after $reason: every previous object stays", async ({ files, code, tamper, path }) => {
    const { n, repo } = await baseline("sync-fail");
    const changes: Record<string, string | null> = { ...files };
    if (tamper === true) {
      const enc = sopsEncrypt(secret("s", CANARY), "s.yaml", ["--age", AGE_RECIPIENT]).replace("name: s", "name: s2");
      changes["app/s.yaml"] = enc;
      changes["app/b.yaml"] = null;
    }
    commit(repo, changes);
    const r = await sigilSync(["--source", repo.fileUrl, "--path", path ?? "app", "-n", n, "--prune"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`[${code}]`);
    expect(r.stdout + r.stderr).not.toContain(CANARY);
    expect(await names(n, "configmaps")).toEqual(["a", "b"]);
    expect(await get(`/api/v1/namespaces/${n}/secrets/s`)).toBeDefined();
  });

  it("does not prune when the repository is unreachable", async () => {
    const { n } = await baseline("sync-unreach");
    const r = await sigilSync(["--source", `file://${peers().git.root}/${uniqueName("nope")}.git`, "--path", "app", "-n", n, "--prune"]);
    expect(r.stderr).toContain("[source.fetch_failed]");
    expect(await names(n, "configmaps")).toEqual(["a", "b"]);
  });

  it("under --dry-run prints the change set without values, writes nothing, and exits 4", async () => {
    const { n, repo } = await baseline("sync-dry");
    commit(repo, { "app/s.yaml": sopsEncrypt(secret("s", `${CANARY}-new`), "s.yaml", ["--age", AGE_RECIPIENT]), "app/c.yaml": cm("c") });
    const r = await sigilSync(["--source", repo.fileUrl, "--path", "app", "-n", n, "--prune", "--dry-run"]);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stdout).toMatch(/Secret\/.*\/s configured \(keys: password changed\)/);
    expect(r.stdout).toMatch(/ConfigMap\/.*\/c created/);
    for (const enc of [CANARY, Buffer.from(CANARY).toString("base64"), encodeURIComponent(CANARY)]) expect(r.stdout + r.stderr + r.logs).not.toContain(enc);
    expect(await names(n, "configmaps")).toEqual(["a", "b"]);
    const inv = (await client.list<{ data?: Record<string, string> }>(`/api/v1/namespaces/${n}/configmaps`)).items.map((c) => JSON.stringify(c.data ?? {})).join("");
    expect(inv).toContain("inventory.json");
    expect(inv).not.toContain(CANARY);
  });

  it("takes back a field Git sets that someone edited by hand (another field manager), and reports it configured", async () => {
    const { n, repo } = await baseline("sync-drift");
    await client.patch(`/api/v1/namespaces/${n}/configmaps/a`, { data: { v: "edited" } }, "merge");
    const r = await sigilSync(["--source", repo.fileUrl, "--path", "app", "-n", n, "--prune"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ConfigMap\/.*\/a configured/);
    expect(((await get(`/api/v1/namespaces/${n}/configmaps/a`)) as { data: Record<string, string> }).data["v"]).toBe("1");
  });

  it("leaves a field another manager owns (an HPA's replicas) alone", async () => {
    const n = await ns("sync-hpa");
    const repo = createRepo(uniqueName("hpa"), { "app/d.yaml": deploy("web") });
    expect((await sigilSync(["--source", repo.fileUrl, "--path", "app", "-n", n])).code).toBe(0);
    await client.patch(`/apis/apps/v1/namespaces/${n}/deployments/web`, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 3 } }, "apply", { fieldManager: "hpa-test", force: true });
    const r = await sigilSync(["--source", repo.fileUrl, "--path", "app", "-n", n]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Deployment\/.*\/web unchanged/);
    const d = (await get(`/apis/apps/v1/namespaces/${n}/deployments/web`)) as { spec: { replicas: number } };
    expect(d.spec.replicas).toBe(3);
  });
});
