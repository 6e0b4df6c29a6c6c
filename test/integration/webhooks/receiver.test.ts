/**
 * The `receivers` controller on the manager with the `gitsources` and
 * `syncs` controllers, against the real API server and a git repository:
 * a GitHub-style and a GitLab-style push each applied end to end through
 * the webhook, a bad HMAC refused with 401 and nothing annotated, a flood
 * of 50 valid pushes coalesced, an oversize body 413, an unknown path 404,
 * a Receiver without its Secret not Ready; the token and the body never in
 * logs, Events or status. A rotated token Secret is picked up without a
 * restart (well inside the 60 s resync), and a push triggers only the
 * GitSources tracking the ref it moved (HTTPS git server).
 */
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { HttpKubeClient } from "../../../src/kube/index.js";
import { ReceiverController } from "../../../src/operator/webhooks/index.js";
import type { ReceiverType } from "../../../src/operator/webhooks/index.js";
import { adminClient, TestNamespaces, waitFor } from "../../support/bitnami.js";
import { crdFile } from "../../support/crds.js";
import { createRepo } from "../../support/git.js";
import type { TestRepo } from "../../support/git.js";
import { describePeers, peers, uniqueName } from "../../support/peers.js";
import { commit } from "../../support/reconcile.js";
import { startSyncControllers } from "../../support/sync-controllers.js";
import type { RunningControllers } from "../../support/sync-controllers.js";

const TOKEN = "canary-webhook-token-5d1c";
const TOKEN2 = "canary-webhook-token-rotated-77aa";
const BODY_CANARY = "canary-webhook-body-93be";
const API = "/apis/gitops.sigil.dev/v1alpha1";
const RECEIVER_CRDS = [crdFile("gitops.sigil.dev_receivers.yaml")];
const cm = (v: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  v: "${v}"\n`;
const hmac = (body: string, token = TOKEN): string => `sha256=${createHmac("sha256", token).update(body).digest("hex")}`;
const REQUESTED_AT = "gitops.sigil.dev/requestedAt";

interface Setup { n: string; repo: TestRepo; url: string }

describePeers("webhook receivers", () => {
  let client: HttpKubeClient;
  let controllers: RunningControllers;
  let receivers: ReceiverController;
  let logs: string[] = [];
  const namespaces = new TestNamespaces();

  beforeAll(async () => {
    client = adminClient();
    controllers = await startSyncControllers(client, {
      crds: RECEIVER_CRDS,
      // A wide window, so the flood below (50 requests on a loaded machine) fits in one: the leading push plus one gathered.
      extra: (deps) => [(receivers = new ReceiverController({ ...deps, addr: "127.0.0.1:0", maxBodyBytes: 64 * 1024, debounceMs: 3_000 }))],
    });
    logs = controllers.logs;
  }, 60_000);

  afterAll(async () => {
    await controllers.stop();
    await namespaces.deleteAll(client);
    client.close();
    const everything = logs.join("\n");
    for (const form of [TOKEN, Buffer.from(TOKEN).toString("base64"), TOKEN2, Buffer.from(TOKEN2).toString("base64"), BODY_CANARY, Buffer.from(BODY_CANARY).toString("base64")]) expect(everything).not.toContain(form);
  });

  const value = async (n: string): Promise<string | undefined> => (await client.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${n}/configmaps/a`))?.data?.["v"];
  const requestedAt = async (n: string): Promise<string | undefined> => (await client.get<{ metadata: { annotations?: Record<string, string> } }>(`${API}/namespaces/${n}/gitsources/repo`))?.metadata.annotations?.[REQUESTED_AT];

  async function setup(prefix: string, type: ReceiverType, events: string[]): Promise<Setup> {
    const n = await namespaces.create(prefix, client);
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
    for (const form of [TOKEN, Buffer.from(TOKEN).toString("base64"), TOKEN2, Buffer.from(TOKEN2).toString("base64"), BODY_CANARY, Buffer.from(BODY_CANARY).toString("base64"), encodeURIComponent(BODY_CANARY)]) expect(everything).not.toContain(form);
  });

  it("coalesces a replayed flood of 50 valid pushes into at most 2 annotations and 2 fetches", async () => {
    const { n, url, repo } = await setup("hook-flood", "generic-hmac", []);
    const key = `${n}/repo`;
    const fetchedBefore = logs.filter((l) => l.includes('"fetched"') && l.includes(repo.fileUrl)).length;
    const b = body();
    const statuses = await Promise.all(Array.from({ length: 50 }, () => push(url, b, { "x-signature": hmac(b) }).then((r) => r.status)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    await receivers.trigger.idle();
    await controllers.idle();
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
    const n = await namespaces.create("hook-nosecret", client);
    await client.create(`${API}/namespaces/${n}/receivers`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "Receiver", metadata: { name: "hook" }, spec: { type: "github", secretRef: { name: "absent" }, resources: [{ name: "*" }] } });
    const r = await waitFor("Ready=False", async () => {
      const got = await client.get<{ status?: { webhookPath?: string; conditions?: { type: string; status: string; reason: string }[] } }>(`${API}/namespaces/${n}/receivers/hook`);
      return got?.status?.conditions?.find((c) => c.type === "Ready" && c.status === "False") === undefined ? undefined : got;
    }, 15_000, 50);
    expect(r.status?.conditions?.[0]?.reason).toBe("SecretNotFound");
    expect(r.status?.webhookPath).toBeUndefined();
  });
});

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@sigil.invalid", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@sigil.invalid" };

/** Commit `content` as app/a.yaml on the existing `branch` of `repo`; returns the commit. */
function commitOn(repo: TestRepo, branch: string, content: string): string {
  const work = mkdtempSync(join(tmpdir(), "sigil-hook-branch-"));
  const git = (...args: string[]): string => execFileSync("git", args, { cwd: work, env: GIT_ENV, encoding: "utf8" });
  try {
    git("clone", "-q", repo.path, ".");
    git("checkout", "-q", "-B", branch, `origin/${branch}`);
    writeFileSync(join(work, "app/a.yaml"), content);
    git("commit", "-qam", `change on ${branch}`);
    git("push", "-q", "origin", `${branch}:${branch}`);
    return git("rev-parse", "HEAD").trim();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

describePeers("webhook receivers: token rotation and refs", () => {
  let client: HttpKubeClient;
  let controllers: RunningControllers;
  let receivers: ReceiverController;
  const namespaces = new TestNamespaces();

  beforeAll(async () => {
    client = adminClient();
    controllers = await startSyncControllers(client, { crds: RECEIVER_CRDS, extra: (deps) => [(receivers = new ReceiverController({ ...deps, addr: "127.0.0.1:0" }))] });
  }, 60_000);

  afterAll(async () => {
    await controllers.stop();
    await namespaces.deleteAll(client);
    client.close();
  });

  const receiverStatus = async (n: string): Promise<{ webhookPath?: string; conditions?: { type: string; status: string; reason: string }[] } | undefined> =>
    (await client.get<{ status?: { webhookPath?: string; conditions?: { type: string; status: string; reason: string }[] } }>(`${API}/namespaces/${n}/receivers/hook`))?.status;
  const url = (path: string | undefined): string => `http://127.0.0.1:${String(receivers.address?.port)}${String(path)}`;
  const annotation = async (n: string, gs: string): Promise<string | undefined> =>
    (await client.get<{ metadata: { annotations?: Record<string, string> } }>(`${API}/namespaces/${n}/gitsources/${gs}`))?.metadata.annotations?.[REQUESTED_AT];

  it("serves a rotated token at once (new path, old path 404), and a token Secret created late, without waiting for a resync", async () => {
    const n = await namespaces.create("hook-rotate", client);
    await client.create(`${API}/namespaces/${n}/receivers`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "Receiver", metadata: { name: "hook" }, spec: { type: "generic-hmac", secretRef: { name: "tok" }, resources: [{ name: "*" }] } });
    await waitFor("SecretNotFound", async () => ((await receiverStatus(n))?.conditions?.[0]?.reason === "SecretNotFound" ? true : undefined), 15_000, 50);
    // Created late: seen through the Secret watch, not the 10 s retry or the 60 s resync.
    await client.create(`/api/v1/namespaces/${n}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "tok" }, stringData: { token: TOKEN } });
    const first = await waitFor("Ready with a path", async () => (await receiverStatus(n))?.webhookPath, 5_000, 20);
    await client.patch(`/api/v1/namespaces/${n}/secrets/tok`, { stringData: { token: TOKEN2 } }, "merge");
    const second = await waitFor("the new path", async () => { const p = (await receiverStatus(n))?.webhookPath; return p !== undefined && p !== first ? p : undefined; }, 5_000, 20);
    const b = JSON.stringify({ hello: "world" });
    expect((await fetch(url(first), { method: "POST", body: b, headers: { "x-signature": hmac(b) } })).status).toBe(404);
    expect((await fetch(url(second), { method: "POST", body: b, headers: { "x-signature": hmac(b) } })).status).toBe(401);
    expect((await fetch(url(second), { method: "POST", body: b, headers: { "x-signature": hmac(b, TOKEN2) } })).status).toBe(200);
    await client.delete(`/api/v1/namespaces/${n}/secrets/tok`);
    await waitFor("not Ready once the Secret is gone", async () => ((await receiverStatus(n))?.conditions?.[0]?.reason === "SecretNotFound" ? true : undefined), 5_000, 20);
    expect((await fetch(url(second), { method: "POST", body: b, headers: { "x-signature": hmac(b, TOKEN2) } })).status).toBe(404);
  });

  it("triggers only the GitSources tracking the pushed branch (HTTPS git server), and applies that branch's commit", async () => {
    const env = peers();
    const n = await namespaces.create("hook-refs", client);
    const repo = createRepo(uniqueName("hook-refs"), { "app/a.yaml": cm("1") });
    execFileSync("git", ["--git-dir", repo.path, "branch", "dev", "main"]);
    await client.create(`/api/v1/namespaces/${n}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "hook-token" }, stringData: { token: TOKEN } });
    await client.create(`/api/v1/namespaces/${n}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "git" }, stringData: { username: env.git.user, password: env.git.password, "ca.crt": readFileSync(env.git.caFile, "utf8") } });
    for (const [name, branch] of [["main", "main"], ["dev", "dev"]] as const) {
      await client.create(`${API}/namespaces/${n}/gitsources`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "GitSource", metadata: { name }, spec: { url: repo.httpsUrl, ref: { branch }, secretRef: { name: "git" }, interval: "1h" } });
    }
    await client.create(`${API}/namespaces/${n}/syncs`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "Sync", metadata: { name: "app" }, spec: { sourceRef: { kind: "GitSource", name: "dev" }, path: "app", interval: "1h" } });
    await client.create(`${API}/namespaces/${n}/receivers`, { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "Receiver", metadata: { name: "hook" }, spec: { type: "github", secretRef: { name: "hook-token" }, resources: [{ name: "*" }], events: ["push"] } });
    const path = await waitFor("the Receiver's path", async () => (await receiverStatus(n))?.webhookPath, 30_000, 50);
    const value = async (): Promise<string | undefined> => (await client.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${n}/configmaps/a`))?.data?.["v"];
    await waitFor("the dev branch applied", async () => ((await value()) === "1" ? true : undefined), 30_000, 50);
    const send = async (ref: string, after: string): Promise<number> => {
      const body = JSON.stringify({ ref, after, repository: { default_branch: "main" } });
      return (await fetch(url(path), { method: "POST", body, headers: { "x-github-event": "push", "x-hub-signature-256": hmac(body) } })).status;
    };
    const devCommit = commitOn(repo, "dev", cm("2"));
    expect(await send("refs/heads/dev", devCommit)).toBe(200);
    await waitFor("the dev push applied", async () => ((await value()) === "2" ? true : undefined), 15_000, 20);
    await receivers.trigger.idle();
    expect(await annotation(n, "dev")).toBeDefined();
    expect(await annotation(n, "main")).toBeUndefined();
    const devAt = await annotation(n, "dev");
    expect(await send("refs/heads/main", commitOn(repo, "main", cm("3")))).toBe(200);
    await waitFor("main requested", async () => annotation(n, "main"), 5_000, 20);
    await receivers.trigger.idle();
    expect(await annotation(n, "dev")).toBe(devAt);
    expect(await send("refs/tags/v1.0.0", devCommit)).toBe(200);
    await receivers.trigger.idle();
    expect(await annotation(n, "dev")).toBe(devAt);
    expect(await value()).toBe("2");
  });
});
