/**
 * Server-side apply (src/kube/ssa) against the real API server, with
 * writes counted in the API server's audit log by this test's user agent.
 */
import { afterAll, expect, it } from "vitest";
import type { ChangeSetEntry, HttpKubeClient, KubeObject, ResourceManager } from "../../../src/kube/index.js";
import { isSigilError } from "../../../src/core/index.js";
import { countBy, describePeers, kubeAuditMark, kubeAuditSince, writes } from "../../support/peers.js";
import { cleanup, manager, namespaceObject, taggedClient, widgetCrd } from "./support.js";

const actions = (entries: readonly ChangeSetEntry[]): string[] => entries.map((e) => `${e.kind} ${e.action}`);
const CANARY = "k8s-ssa-canary-5eCr3t";

describePeers("server-side apply against a real API server", () => {
  const created: KubeObject[] = [];
  let admin: HttpKubeClient;

  afterAll(async () => {
    admin = taggedClient("sigil-kube-cleanup").client;
    await cleanup(admin, created);
  });

  async function fresh(): Promise<{ client: HttpKubeClient; userAgent: string; manager: ResourceManager; ns: string }> {
    const m = manager();
    const nsObject = namespaceObject("ssa");
    created.push(nsObject);
    await m.manager.apply([nsObject], { fieldManager: "sigil-test" });
    return { ...m, ns: nsObject.metadata?.name ?? "" };
  }

  it("applies a CRD and its custom resource in one call, then makes no write when nothing changed", async () => {
    const { client, userAgent, manager: m, ns } = await fresh();
    const { crd, group, widget } = widgetCrd();
    created.push(crd);
    const objects = [widget(ns, "w1", { size: 1 }), crd];
    expect(actions(await m.apply(objects, { fieldManager: "sigil-test" }))).toEqual(["CustomResourceDefinition created", "Widget created"]);
    const live = await client.get<{ spec: { size: number } }>(`/apis/${group}/v1/namespaces/${ns}/widgets/w1`);
    expect(live?.spec.size).toBe(1);

    const mark = kubeAuditMark();
    expect(actions(await m.apply(objects, { fieldManager: "sigil-test" }))).toEqual(["CustomResourceDefinition unchanged", "Widget unchanged"]);
    const mine = (await kubeAuditSince(mark, client)).filter((e) => e.userAgent === userAgent);
    expect(writes(mine)).toEqual([]);
    // What it did instead: one GET and one dry-run PATCH per object, nothing else.
    expect(countBy(mine, (e) => `${e.verb}${e.dryRun ? " (dry run)" : ""}`)).toEqual({ get: 2, "patch (dry run)": 2 });

    const changed = await m.apply([crd, widget(ns, "w1", { size: 2 })], { fieldManager: "sigil-test" });
    expect(changed.map((e) => [e.action, e.diff?.fields])).toEqual([
      ["unchanged", undefined],
      ["configured", ["spec.size"]],
    ]);
  });

  it("describes a Secret change per key, never with its values", async () => {
    const { client, userAgent, manager: m, ns } = await fresh();
    // data, not stringData: server-side apply tracks stringData keys apart from data, so a key dropped from stringData stays in data.
    const b64 = (v: string): string => Buffer.from(v).toString("base64");
    const secret = (data: Record<string, string>): KubeObject => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: ns }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) }) as KubeObject;
    await m.apply([secret({ keep: CANARY, change: CANARY, drop: CANARY })], { fieldManager: "sigil-test" });
    const mark = kubeAuditMark();
    const [entry] = await m.apply([secret({ keep: CANARY, change: `${CANARY}-2`, add: CANARY })], { fieldManager: "sigil-test" });
    expect(entry?.action).toBe("configured");
    expect(entry?.diff?.keys).toEqual([
      { key: "add", change: "added" },
      { key: "change", change: "changed" },
      { key: "drop", change: "removed" },
      { key: "keep", change: "unchanged" },
    ]);
    const text = JSON.stringify(entry);
    for (const form of [CANARY, Buffer.from(CANARY).toString("base64"), Buffer.from(`${CANARY}-2`).toString("base64")]) expect(text).not.toContain(form);
    expect(writes((await kubeAuditSince(mark, client)).filter((e) => e.userAgent === userAgent)).map((e) => e.verb)).toEqual(["patch"]);
  });

  it("fails with apply.conflict naming the other field manager, writes nothing, and takes the field over with force", async () => {
    const { client, userAgent, manager: m, ns } = await fresh();
    const cm = (value: string): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: ns }, data: { key: value } }) as KubeObject;
    await m.apply([cm("theirs")], { fieldManager: "someone-else" });
    const mark = kubeAuditMark();
    const err: unknown = await m.apply([cm("ours")], { fieldManager: "sigil-test" }).catch((e: unknown) => e);
    expect(isSigilError(err, "apply.conflict")).toBe(true);
    expect((err as Error).message).toContain('"someone-else"');
    expect((err as Error).message).toContain(".data.key");
    expect((err as { subject?: string }).subject).toBe(`ConfigMap/${ns}/c`);
    expect(writes((await kubeAuditSince(mark, client)).filter((e) => e.userAgent === userAgent))).toEqual([]);
    expect((await client.get<{ data: { key: string } }>(`/api/v1/namespaces/${ns}/configmaps/c`))?.data.key).toBe("theirs");

    expect(actions(await m.apply([cm("ours")], { fieldManager: "sigil-test", force: true }))).toEqual(["ConfigMap configured"]);
    expect((await client.get<{ data: { key: string } }>(`/api/v1/namespaces/${ns}/configmaps/c`))?.data.key).toBe("ours");
  });

  it("writes nothing of a call when one of its objects fails", async () => {
    const { client, userAgent, manager: m, ns } = await fresh();
    const cm = (name: string, value: string): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns }, data: { key: value } }) as KubeObject;
    await m.apply([cm("taken", "theirs")], { fieldManager: "someone-else" });
    const mark = kubeAuditMark();
    // "a-new" sorts before "taken": it is diffed first, and still not written.
    const err: unknown = await m.apply([cm("a-new", "x"), cm("taken", "ours")], { fieldManager: "sigil-test" }).catch((e: unknown) => e);
    expect(isSigilError(err, "apply.conflict")).toBe(true);
    expect(await client.get(`/api/v1/namespaces/${ns}/configmaps/a-new`)).toBeUndefined();
    expect(writes((await kubeAuditSince(mark, client)).filter((e) => e.userAgent === userAgent))).toEqual([]);
  });

  it("dry-run reports what would happen and writes nothing", async () => {
    const { client, userAgent, manager: m, ns } = await fresh();
    const mark = kubeAuditMark();
    const entries = await m.apply([{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "dry", namespace: ns }, data: { a: "1" } } as KubeObject], { fieldManager: "sigil-test", dryRun: true });
    expect(actions(entries)).toEqual(["ConfigMap created"]);
    expect(await client.get(`/api/v1/namespaces/${ns}/configmaps/dry`)).toBeUndefined();
    const mine = (await kubeAuditSince(mark, client)).filter((e) => e.userAgent === userAgent);
    expect(writes(mine)).toEqual([]);
    expect(mine.some((e) => e.verb === "patch" && e.dryRun)).toBe(true);
  });

  it("maps an immutable-field change to apply.immutable, and recreates the object when asked", async () => {
    const { client, manager: m, ns } = await fresh();
    const secret = (value: string): KubeObject => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "frozen", namespace: ns }, immutable: true, stringData: { k: value } }) as KubeObject;
    await m.apply([secret(CANARY)], { fieldManager: "sigil-test" });
    const before = await client.get<KubeObject>(`/api/v1/namespaces/${ns}/secrets/frozen`);
    const err: unknown = await m.apply([secret(`${CANARY}-2`)], { fieldManager: "sigil-test" }).catch((e: unknown) => e);
    expect(isSigilError(err, "apply.immutable")).toBe(true);
    expect((err as Error).message).not.toContain(CANARY);
    const [entry] = await m.apply([secret(`${CANARY}-2`)], { fieldManager: "sigil-test", recreateOnImmutable: true });
    expect(entry).toMatchObject({ action: "created", recreated: true });
    const after = await client.get<KubeObject & { data: { k: string } }>(`/api/v1/namespaces/${ns}/secrets/frozen`);
    expect(after?.metadata?.uid).not.toBe(before?.metadata?.uid);
    expect(Buffer.from(after?.data.k ?? "", "base64").toString()).toBe(`${CANARY}-2`);
  });

  it("reports an object the API server rejects as apply.invalid without the rejected value", async () => {
    const { manager: m, ns } = await fresh();
    // A label value over 63 characters: the API server quotes it after "Invalid value:".
    const value = `${CANARY}-${"x".repeat(70)}`;
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "bad", namespace: ns, labels: { l: value } }, data: {} } as KubeObject;
    const err: unknown = await m.apply([cm], { fieldManager: "sigil-test" }).catch((e: unknown) => e);
    expect(isSigilError(err, "apply.invalid")).toBe(true);
    expect((err as Error).message).toContain("must be no more than 63 characters");
    expect(JSON.stringify({ message: (err as Error).message, cause: String((err as Error).cause) })).not.toContain(CANARY);
  });

  it("skips objects annotated ssa: Ignore, and ssa: IfNotPresent once they exist", async () => {
    const { client, manager: m, ns } = await fresh();
    const cm = (name: string, mode: string, value: string): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns, annotations: { "kustomize.toolkit.fluxcd.io/ssa": mode } }, data: { v: value } }) as KubeObject;
    expect(actions(await m.apply([cm("once", "IfNotPresent", "1"), cm("never", "Ignore", "1")], { fieldManager: "sigil-test" }))).toEqual(["ConfigMap skipped", "ConfigMap created"]);
    expect(await client.get(`/api/v1/namespaces/${ns}/configmaps/never`)).toBeUndefined();
    expect(actions(await m.apply([cm("once", "IfNotPresent", "2")], { fieldManager: "sigil-test" }))).toEqual(["ConfigMap skipped"]);
    expect((await client.get<{ data: { v: string } }>(`/api/v1/namespaces/${ns}/configmaps/once`))?.data.v).toBe("1");
  });

  it("deletes like a prune: propagation policy honoured, prune: disabled and missing objects skipped", async () => {
    const { client, manager: m, ns } = await fresh();
    const cm = (name: string, annotations: Record<string, string> = {}): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns, annotations }, data: {} }) as KubeObject;
    await m.apply([cm("owner"), cm("kept", { "kustomize.toolkit.fluxcd.io/prune": "disabled" })], { fieldManager: "sigil-test" });
    const owner = await client.get<KubeObject>(`/api/v1/namespaces/${ns}/configmaps/owner`);
    const dependent = { ...cm("dependent"), metadata: { name: "dependent", namespace: ns, ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner?.metadata?.uid ?? "" }] } } as KubeObject;
    await m.apply([dependent], { fieldManager: "sigil-test" });

    const entries = await m.delete([cm("owner"), cm("kept"), cm("never-existed")], { propagationPolicy: "Foreground" });
    expect(entries.map((e) => `${e.name} ${e.action}${e.reason === undefined ? "" : ` (${e.reason})`}`).sort()).toEqual([
      "kept skipped (kustomize.toolkit.fluxcd.io/prune: disabled)",
      "never-existed skipped (not found)",
      "owner deleted",
    ]);
    // Foreground: the garbage collector deletes the dependent, then the owner.
    const deadline = Date.now() + 30_000;
    while ((await client.get(`/api/v1/namespaces/${ns}/configmaps/dependent`)) !== undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await client.get(`/api/v1/namespaces/${ns}/configmaps/dependent`)).toBeUndefined();
    expect(await client.get(`/api/v1/namespaces/${ns}/configmaps/kept`)).toBeDefined();
  });

  it("waits for a CRD to be established and a Namespace to be active, and times out on what never gets ready", async () => {
    const { manager: m } = manager();
    const { crd } = widgetCrd();
    const ns = namespaceObject("wait");
    created.push(crd, ns);
    await m.applyAll([ns, crd], { fieldManager: "sigil-test" });
    await m.wait([crd, ns], { timeoutMs: 30_000, intervalMs: 100 });
    const job = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "never", namespace: ns.metadata?.name }, spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "none" }] } } } } as KubeObject;
    await m.applyAll([job], { fieldManager: "sigil-test" });
    const err: unknown = await m.wait([job], { timeoutMs: 1_000, intervalMs: 200 }).catch((e: unknown) => e);
    expect(isSigilError(err, "apply.timeout")).toBe(true);
    expect((err as Error).message).toContain(`Job/${ns.metadata?.name ?? ""}/never (the job has not completed)`);
  });
});
