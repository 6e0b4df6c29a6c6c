/**
 * One arm of the push→applied bench: a namespace, a bare repository of N
 * ConfigMaps in the environment's git root, a GitSource over `file://`, a
 * Sync, and (webhook arm) a GitHub-type Receiver. `round()` commits a
 * change, starts the clock, pushes, (webhook arm) POSTs the signed push
 * event, and polls the ConfigMap every 10 ms until it holds the new value.
 */
import { execFileSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HttpKubeClient } from "../../src/kube/index.js";

const API = "/apis/gitops.sigil.dev/v1alpha1";
const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: "bench", GIT_AUTHOR_EMAIL: "bench@sigil.invalid", GIT_COMMITTER_NAME: "bench", GIT_COMMITTER_EMAIL: "bench@sigil.invalid" };
const git = (cwd: string, ...args: string[]): string => execFileSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8" });
const cm = (i: number, v: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${String(i)}\ndata:\n  v: "${v}"\n`;
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** How an arm is set up. */
export interface ArmOptions {
  readonly client: HttpKubeClient;
  readonly gitRoot: string;
  readonly objects: number;
  /** `webhook` (GitSource interval 1h, a Receiver) or `polling` (GitSource at `interval`, no Receiver). */
  readonly mode: "webhook" | "polling";
  readonly interval: string;
}

/** A set-up arm. */
export interface Arm {
  readonly ns: string;
  readonly bare: string;
  /** Commit a change, push, (webhook) POST; resolves with `t0` (before `git push`) and the push→applied time. */
  round(n: number, receiverPort: number | undefined): Promise<{ t0: number; ms: number }>;
  close(): Promise<void>;
}

async function until(what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Set up an arm and wait until its first revision is applied (and, for the webhook arm, its Receiver has a path). */
export async function setupArm(o: ArmOptions): Promise<Arm> {
  const { client } = o;
  const ns = `bench-hook-${o.mode}-${randomBytes(3).toString("hex")}`;
  const token = randomBytes(24).toString("hex");
  const bare = join(o.gitRoot, `${ns}.git`);
  const work = mkdtempSync(join(tmpdir(), "sigil-bench-hook-"));
  git(o.gitRoot, "init", "-q", "--bare", "--initial-branch=main", bare);
  git(work, "init", "-q", "--initial-branch=main");
  mkdirSync(join(work, "app"));
  for (let i = 0; i < o.objects; i++) writeFileSync(join(work, "app", `cm-${String(i)}.yaml`), cm(i, "0"));
  git(work, "add", "-A");
  git(work, "commit", "-qm", "initial");
  git(work, "push", "-q", bare, "main");
  const v = { apiVersion: "gitops.sigil.dev/v1alpha1" };
  await client.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  await client.create(`${API}/namespaces/${ns}/gitsources`, { ...v, kind: "GitSource", metadata: { name: "repo" }, spec: { url: `file://${bare}`, ref: { branch: "main" }, interval: o.mode === "webhook" ? "1h" : o.interval } });
  await client.create(`${API}/namespaces/${ns}/syncs`, { ...v, kind: "Sync", metadata: { name: "app" }, spec: { sourceRef: { kind: "GitSource", name: "repo" }, path: "app", interval: "1h" } });
  let hookPath: string | undefined;
  if (o.mode === "webhook") {
    await client.create(`/api/v1/namespaces/${ns}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "hook" }, stringData: { token } });
    await client.create(`${API}/namespaces/${ns}/receivers`, { ...v, kind: "Receiver", metadata: { name: "hook" }, spec: { type: "github", secretRef: { name: "hook" }, resources: [{ name: "repo" }], events: ["push"] } });
    await until("the Receiver's path", async () => (hookPath = (await client.get<{ status?: { webhookPath?: string } }>(`${API}/namespaces/${ns}/receivers/hook`))?.status?.webhookPath) !== undefined, 60_000);
  }
  const value = async (): Promise<string | undefined> => (await client.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${ns}/configmaps/cm-0`))?.data?.["v"];
  await until("the first sync", async () => (await value()) === "0", 120_000);
  return {
    ns, bare,
    async round(n, port) {
      writeFileSync(join(work, "app", "cm-0.yaml"), cm(0, String(n)));
      git(work, "commit", "-qam", `round ${String(n)}`);
      const t0 = performance.now();
      git(work, "push", "-q", bare, "main");
      if (hookPath !== undefined) {
        const body = JSON.stringify({ ref: "refs/heads/main", after: git(work, "rev-parse", "HEAD").trim() });
        const res = await fetch(`http://127.0.0.1:${String(port)}${hookPath}`, { method: "POST", body, headers: { "x-github-event": "push", "x-hub-signature-256": `sha256=${createHmac("sha256", token).update(body).digest("hex")}` } });
        if (res.status !== 200) throw new Error(`webhook answered ${String(res.status)}`);
      }
      await until(`round ${String(n)} applied`, async () => (await value()) === String(n), o.mode === "webhook" ? 60_000 : 300_000);
      return { t0, ms: performance.now() - t0 };
    },
    async close() {
      await client.delete(`/api/v1/namespaces/${ns}`).catch(() => undefined);
      rmSync(work, { recursive: true, force: true });
      rmSync(bare, { recursive: true, force: true });
    },
  };
}
