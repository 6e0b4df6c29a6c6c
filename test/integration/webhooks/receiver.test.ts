/**
 * The `receivers` controller on the manager with the `gitsources` and
 * `syncs` controllers, against the real API server and a git repository:
 * a GitHub-style and a GitLab-style push each applied end to end through
 * the webhook, a bad HMAC refused with 401 and nothing annotated, a flood
 * of 50 valid pushes coalesced, an oversize body 413, an unknown path 404,
 * a Receiver without its Secret not Ready; the token and the body never in
 * logs, Events or status.
 */
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Logger } from "../../../src/core/index.js";
import type { HttpKubeClient } from "../../../src/kube/index.js";
import { Manager } from "../../../src/kube/runtime/index.js";
import { ArtifactStore, SyncController, gitSourceController } from "../../../src/operator/gitops/index.js";
import { ProviderRegistry, buildProviderRegistryFromSecret } from "../../../src/providers/index.js";
import { ReceiverController } from "../../../src/operator/webhooks/index.js";
import type { ReceiverType } from "../../../src/operator/webhooks/index.js";
import { adminClient, createNamespace, deleteNamespace, waitFor } from "../../support/bitnami.js";
import { applyCrdFiles, crdFile } from "../../support/crds.js";
import { createRepo } from "../../support/git.js";
import type { TestRepo } from "../../support/git.js";
import { describePeers, peerBin, uniqueName } from "../../support/peers.js";
import { commit } from "../../support/reconcile.js";

const TOKEN = "canary-webhook-token-5d1c";
const BODY_CANARY = "canary-webhook-body-93be";
const API = "/apis/gitops.sigil.dev/v1alpha1";
const CRDS = ["gitsources", "syncs", "receivers"].map((p) => crdFile(`gitops.sigil.dev_${p}.yaml`));
const cm = (v: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  v: "${v}"\n`;
const hmac = (body: string, token = TOKEN): string => `sha256=${createHmac("sha256", token).update(body).digest("hex")}`;
const REQUESTED_AT = "gitops.sigil.dev/requestedAt";

interface Setup { n: string; repo: TestRepo; url: string }

describePeers("webhook receivers", () => {
  let client: HttpKubeClient;
  let manager: Manager;
  let receivers: ReceiverController;
  let cache: string;
  const logs: string[] = [];
  const namespaces: string[] = [];

  beforeAll(async () => {
    client = adminClient();
    await applyCrdFiles(client, CRDS);
    cache = mkdtempSync(join(tmpdir(), "sigil-hook-cache-"));
    const logger = new Logger({ level: "debug", sink: (l) => logs.push(l) });
    const store = new ArtifactStore();
    manager = new Manager(client, { logger });
    manager.add(gitSourceController({ client, store, source: { cacheDir: cache }, logger, now: () => new Date() }));
    manager.add(new SyncController({ client, store, logger, now: () => new Date(), kustomizeBin: peerBin("kustomize"), sealingKeyNamespace: "kube-system", providersFor: (secret) => (secret === undefined ? new ProviderRegistry() : buildProviderRegistryFromSecret(secret)) }));
    receivers = new ReceiverController({ client, logger, addr: "127.0.0.1:0", maxBodyBytes: 64 * 1024 });
    manager.add(receivers);
    await manager.start();
  }, 60_000);

  afterAll(async () => {
    await manager.stop();
    await Promise.all(namespaces.map((n) => deleteNamespace(n, client)));
    rmSync(cache, { recursive: true, force: true });
    client.close();
    const everything = logs.join("\n");
    for (const form of [TOKEN, Buffer.from(TOKEN).toString("base64"), BODY_CANARY, Buffer.from(BODY_CANARY).toString("base64")]) expect(everything).not.toContain(form);
  });

  const value = async (n: string): Promise<string | undefined> => (await client.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${n}/configmaps/a`))?.data?.["v"];
  const requestedAt = async (n: string): Promise<string | undefined> => (await client.get<{ metadata: { annotations?: Record<string, string> } }>(`${API}/namespaces/${n}/gitsources/repo`))?.metadata.annotations?.[REQUESTED_AT];

  async function setup(prefix: string, type: ReceiverType, events: string[]): Promise<Setup> {
    const n = uniqueName(prefix);
    await createNamespace(n, client);
    namespaces.push(n);
    const repo = createRepo(uniqueName(prefix), { "app/a.yaml": cm("1") });
    await client.create(`/api/v1/namespaces/${n}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "hook-token" }, stringData: { token: TOKEN } });
    await client.create(`${API}/namespaces/${n}/gitsources`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "GitSource", metadata: { name: "repo" }, spec: { url: repo.fileUrl, ref: { branch: "main" }, interval: "1h" } });
    await client.create(`${API}/namespaces/${n}/syncs`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "Sync", metadata: { name: "app" }, spec: { sourceRef: { kind: "GitSource", name: "repo" }, path: "app", interval: "1h" } });
    await client.create(`${API}/namespaces/${n}/receivers`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "Receiver", metadata: { name: "hook" }, spec: { type, secretRef: { name: "hook-token" }, resources: [{ kind: "GitSource", name: "repo" }], events } });
    const path = await waitFor("the Receiver to be ready", async () => {
      const r = await client.get<{ status?: { webhookPath?: string; conditions?: { type: string; status: string }[] } }>(`${API}/namespaces/${n}/receivers/hook`);
      return r?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true ? r.status.webhookPath : undefined;
    }, 30_000, 50);
    await waitFor("the first revision applied", async () => ((await value(n)) === "1" ? true : undefined), 30_000, 50);
    const addr = receivers.address;
    return { n, repo, url: `http://127.0.0.1:${String(addr?.port)}${path}` };
  }

  const push = (url: string, body: string, headers: Record<string, string>): Promise<Response> => fetch(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
  const body = (): string => JSON.stringify({ ref: "refs/heads/main", note: BODY_CANARY });
  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 800));

  it("applies a GitHub-style push end to end: ping 200, push 200, requestedAt set, the new commit applied", async () => {
    const { n, repo, url } = await setup("hook-gh", "github", ["push"]);
    const ping = await push(url, "{}", { "x-github-event": "ping", "x-hub-signature-256": hmac("{}") });
    expect(ping.status).toBe(200);
    await settle();
    expect(await requestedAt(n)).toBeUndefined();
    commit(repo, { "app/a.yaml": cm("2") });
    const b = body();
    const res = await push(url, b, { "x-github-event": "push", "x-hub-signature-256": hmac(b) });
    expect(res.status).toBe(200);
    await waitFor("the push applied", async () => ((await value(n)) === "2" ? true : undefined), 15_000, 20);
    expect(await requestedAt(n)).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("applies a GitLab-style push end to end, and ignores an event it was not told to act on", async () => {
    const { n, repo, url } = await setup("hook-gl", "gitlab", ["Push Hook"]);
    const other = await push(url, body(), { "x-gitlab-event": "Issue Hook", "x-gitlab-token": TOKEN });
    expect(other.status).toBe(202);
    await settle();
    expect(await requestedAt(n)).toBeUndefined();
    commit(repo, { "app/a.yaml": cm("3") });
    const res = await push(url, body(), { "x-gitlab-event": "Push Hook", "x-gitlab-token": TOKEN });
    expect(res.status).toBe(200);
    await waitFor("the push applied", async () => ((await value(n)) === "3" ? true : undefined), 15_000, 20);
  });

  it("refuses a bad or missing signature with 401, counts it, annotates nothing, and leaks neither token nor body", async () => {
    const { n, url } = await setup("hook-bad", "github", ["push"]);
    const b = body();
    const bad = await push(url, b, { "x-github-event": "push", "x-hub-signature-256": hmac(b, "wrong-token") });
    const missing = await push(url, b, { "x-github-event": "push" });
    const tampered = await push(url, b.replace("main", "evil"), { "x-github-event": "push", "x-hub-signature-256": hmac(b) });
    expect([bad.status, missing.status, tampered.status]).toEqual([401, 401, 401]);
    const text = (await bad.text()) + (await missing.text()) + (await tampered.text());
    await settle();
    expect(await requestedAt(n)).toBeUndefined();
    expect(receivers.counters.get(`${n}/hook`, "bad-signature")).toBe(2);
    expect(receivers.counters.get(`${n}/hook`, "missing-signature")).toBe(1);
    const metrics = await (await fetch(new URL("/metrics", url))).text();
    expect(metrics).toContain(`sigil_receiver_requests_total{namespace="${n}",name="hook",outcome="bad-signature"} 2`);
    expect(logs.filter((l) => l.includes("webhook signature refused") && l.includes(`${n}/hook`))).toHaveLength(3);
    const receiver = await client.get(`${API}/namespaces/${n}/receivers/hook`);
    const events = await client.list(`/api/v1/namespaces/${n}/events`);
    const everything = text + metrics + JSON.stringify(receiver) + JSON.stringify(events.items) + logs.join("\n");
    for (const form of [TOKEN, Buffer.from(TOKEN).toString("base64"), BODY_CANARY, Buffer.from(BODY_CANARY).toString("base64"), encodeURIComponent(BODY_CANARY)]) expect(everything).not.toContain(form);
  });

  it("coalesces a replayed flood of 50 valid pushes into at most 2 annotations and 2 fetches", async () => {
    const { n, url, repo } = await setup("hook-flood", "generic-hmac", []);
    const key = `${n}/repo`;
    const fetchedBefore = logs.filter((l) => l.includes('"fetched"') && l.includes(repo.fileUrl)).length;
    const b = body();
    const statuses = await Promise.all(Array.from({ length: 50 }, () => push(url, b, { "x-signature": hmac(b) }).then((r) => r.status)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    await receivers.trigger.idle();
    await manager.idle();
    await settle();
    const annotations = receivers.trigger.annotated.get(key) ?? 0;
    const fetches = logs.filter((l) => l.includes('"fetched"') && l.includes(repo.fileUrl)).length - fetchedBefore;
    expect(annotations).toBeGreaterThanOrEqual(1);
    expect(annotations).toBeLessThanOrEqual(2);
    expect(fetches).toBeGreaterThanOrEqual(1);
    expect(fetches).toBeLessThanOrEqual(2);
  });

  it("answers an oversize body 413 and an unknown path 404, triggering nothing", async () => {
    const { n, url } = await setup("hook-size", "generic-hmac", []);
    const big = "x".repeat(64 * 1024 + 1);
    const res = await push(url, big, { "x-signature": hmac(big) });
    expect(res.status).toBe(413);
    const unknown = await push(url.replace(/[0-9a-f]{8}$/, "00000000"), body(), { "x-signature": hmac(body()) });
    expect(unknown.status).toBe(404);
    await settle();
    expect(await requestedAt(n)).toBeUndefined();
    expect(receivers.counters.get(`${n}/hook`, "too-large")).toBe(1);
  });

  it("reports a Receiver whose Secret is missing as not Ready, with no path", async () => {
    const n = uniqueName("hook-nosecret");
    await createNamespace(n, client);
    namespaces.push(n);
    await client.create(`${API}/namespaces/${n}/receivers`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "Receiver", metadata: { name: "hook" }, spec: { type: "github", secretRef: { name: "absent" }, resources: [{ name: "*" }] } });
    const r = await waitFor("Ready=False", async () => {
      const got = await client.get<{ status?: { webhookPath?: string; conditions?: { type: string; status: string; reason: string }[] } }>(`${API}/namespaces/${n}/receivers/hook`);
      return got?.status?.conditions?.find((c) => c.type === "Ready" && c.status === "False") === undefined ? undefined : got;
    }, 15_000, 50);
    expect(r.status?.conditions?.[0]?.reason).toBe("SecretNotFound");
    expect(r.status?.webhookPath).toBeUndefined();
  });
});
