/**
 * Sigil's Sealed Secrets controller against the real API server (with
 * kube-controller-manager's garbage collector): unseal, status, Events,
 * the managed / patch / unmanaged rules, drift repair, and re-reconciling
 * without private-key work. Each test has its own namespace and its own
 * controller instance (watching only that namespace).
 */
import { beforeAll, expect, it } from "vitest";
import type { SealedSecretsController, SealedSecretsControllerOptions } from "../../../src/operator/index.js";
import type { HttpKubeClient } from "../../../src/kube/index.js";
import type { SealedSecretObject, SecretObject } from "../../../src/decrypt/sealed-secrets/index.js";
import { eventsFor, paths, sealed, syncedCondition, testKeyPair, waitFor } from "../../support/bitnami.js";
import type { TestKeyPair } from "../../support/bitnami.js";
import { controllerHarness } from "../../support/controller.js";
import { describePeers } from "../../support/peers.js";

const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");
const text = (s: string | undefined): string => Buffer.from(s ?? "", "base64").toString("utf8");

describePeers("Sealed Secrets controller (Sigil) against a real API server", () => {
  const h = controllerHarness();
  let client: HttpKubeClient;
  let pair: TestKeyPair;

  beforeAll(async () => {
    client = h.client;
    pair = await testKeyPair();
  });

  /** A namespace with the test key Secret, and a controller for it. */
  async function setup(options: Partial<SealedSecretsControllerOptions> = {}): Promise<{ ns: string; controller: SealedSecretsController; logs: string[] }> {
    const ns = await h.namespace("ssc", pair);
    const { controller, logs } = await h.start(ns, options);
    return { ns, controller, logs };
  }

  async function apply(ss: SealedSecretObject): Promise<SealedSecretObject> {
    return client.create<SealedSecretObject>(paths.sealedList(ss.metadata.namespace ?? ""), ss);
  }

  async function secret(ns: string, name: string): Promise<SecretObject | undefined> {
    return client.get<SecretObject>(paths.secret(ns, name));
  }

  it("unseals a SealedSecret into a Secret with the template's metadata and type, an owner reference, Synced=True and an Unsealed event", async () => {
    const { ns } = await setup();
    const ss = sealed(pair.publicKey, ns, "db", { password: "s3cret-1" }, { type: "kubernetes.io/basic-auth", metadata: { labels: { app: "db" }, annotations: { note: "x" } } });
    ss.spec.encryptedData["username"] = sealed(pair.publicKey, ns, "db", { username: "admin" }).spec.encryptedData["username"] ?? "";
    const created = await apply(ss);
    const out = await waitFor("the Secret", () => secret(ns, "db"));
    expect(text(out.data?.["password"])).toBe("s3cret-1");
    expect(text(out.data?.["username"])).toBe("admin");
    expect(out.type).toBe("kubernetes.io/basic-auth");
    expect(out.metadata.labels).toEqual({ app: "db" });
    expect(out.metadata.annotations?.["note"]).toBe("x");
    expect(out.metadata.ownerReferences).toEqual([{ apiVersion: "bitnami.com/v1alpha1", kind: "SealedSecret", name: "db", uid: created.metadata.uid, controller: true }]);
    const { ss: live, condition } = await syncedCondition(client, ns, "db", "True");
    expect(live.status?.observedGeneration).toBe(live.metadata.generation);
    expect(condition.message ?? "").toBe("");
    expect(condition.lastTransitionTime).toBeDefined();
    expect(condition.lastUpdateTime).toBeDefined();
    const events = await waitFor("an Unsealed event", async () => {
      const list = await eventsFor(client, ns, "db");
      return list.some((e) => e.reason === "Unsealed") ? list : undefined;
    });
    expect(events.find((e) => e.reason === "Unsealed")).toMatchObject({ type: "Normal", message: "SealedSecret unsealed successfully", involvedObject: { kind: "SealedSecret", uid: created.metadata.uid } });
  });

  it("renders template data from the decrypted values", async () => {
    const { ns } = await setup();
    const ss = sealed(pair.publicKey, ns, "cfg", { user: "app", pass: "pw-7" });
    ss.spec.template = { ...ss.spec.template, data: { "dsn": "postgres://{{ .user }}:{{ .pass }}@db/app", "upper": "{{ .user | upper }}" } };
    await apply(ss);
    const out = await waitFor("the Secret", () => secret(ns, "cfg"));
    expect(text(out.data?.["dsn"])).toBe("postgres://app:pw-7@db/app");
    expect(text(out.data?.["upper"])).toBe("APP");
    expect(text(out.data?.["pass"])).toBe("pw-7");
  });

  it("updates the Secret when the SealedSecret changes, advancing observedGeneration but not lastTransitionTime", async () => {
    const { ns } = await setup();
    await apply(sealed(pair.publicKey, ns, "app", { token: "one" }));
    const first = await syncedCondition(client, ns, "app", "True");
    await new Promise((r) => setTimeout(r, 1100));
    const next = first.ss;
    next.spec.encryptedData = sealed(pair.publicKey, ns, "app", { token: "two", extra: "x-extra" }).spec.encryptedData;
    await client.replace(paths.sealed(ns, "app"), next);
    const out = await waitFor("the updated Secret", async () => {
      const s = await secret(ns, "app");
      return text(s?.data?.["token"]) === "two" ? s : undefined;
    });
    expect(text(out.data?.["extra"])).toBe("x-extra");
    const second = await waitFor("the new generation observed", async () => {
      const c = await syncedCondition(client, ns, "app", "True");
      return c.ss.status?.observedGeneration === first.ss.metadata.generation ? undefined : c;
    });
    expect(second.ss.status?.observedGeneration).toBe(second.ss.metadata.generation);
    expect(second.condition.lastTransitionTime).toBe(first.condition.lastTransitionTime);
    expect(second.condition.lastUpdateTime).not.toBe(first.condition.lastUpdateTime);
  });

  it("leaves the owner reference off when the template says skip-set-owner-references, and still treats the Secret as its own later", async () => {
    const { ns, controller } = await setup();
    await apply(sealed(pair.publicKey, ns, "free", { k: "v-free" }, { metadata: { annotations: { "sealedsecrets.bitnami.com/skip-set-owner-references": "true" } } }));
    const out = await waitFor("the Secret", () => secret(ns, "free"));
    expect(out.metadata.ownerReferences).toBeUndefined();
    expect(text(out.data?.["k"])).toBe("v-free");
    await syncedCondition(client, ns, "free", "True");
    controller.resync();
    await controller.idle();
    await syncedCondition(client, ns, "free", "True");
  });

  it("takes over an existing Secret annotated managed: data, labels and owner are replaced", async () => {
    const { ns } = await setup();
    await client.create(paths.secrets(ns), { metadata: { name: "legacy", labels: { old: "1" }, annotations: { "sealedsecrets.bitnami.com/managed": "true" } }, data: { stale: b64("old-value"), k: b64("old") } });
    const created = await apply(sealed(pair.publicKey, ns, "legacy", { k: "new-managed" }, { metadata: { labels: { fresh: "1" } } }));
    const out = await waitFor("the taken-over Secret", async () => {
      const s = await secret(ns, "legacy");
      return text(s?.data?.["k"]) === "new-managed" ? s : undefined;
    });
    expect(Object.keys(out.data ?? {})).toEqual(["k"]);
    expect(out.metadata.labels).toEqual({ fresh: "1" });
    expect(out.metadata.ownerReferences?.[0]?.uid).toBe(created.metadata.uid);
    await syncedCondition(client, ns, "legacy", "True");
  });

  it("merges into an existing Secret annotated patch, keeping its other keys, labels and owner", async () => {
    const { ns } = await setup();
    await client.create(paths.secrets(ns), { metadata: { name: "shared", labels: { keep: "me" }, annotations: { "sealedsecrets.bitnami.com/patch": "true" } }, data: { mine: b64("untouched"), k: b64("old") } });
    await apply(sealed(pair.publicKey, ns, "shared", { k: "patched" }, { metadata: { labels: { added: "yes" } } }));
    const out = await waitFor("the patched Secret", async () => {
      const s = await secret(ns, "shared");
      return text(s?.data?.["k"]) === "patched" ? s : undefined;
    });
    expect(text(out.data?.["mine"])).toBe("untouched");
    expect(out.metadata.labels).toEqual({ keep: "me", added: "yes" });
    expect(out.metadata.ownerReferences).toBeUndefined();
  });

  it("refuses to overwrite a Secret it does not manage: Synced=False, ErrUpdateFailed, the Secret unchanged", async () => {
    const { ns } = await setup();
    const before = await client.create<SecretObject>(paths.secrets(ns), { metadata: { name: "theirs" }, data: { k: b64("theirs-value") } });
    await apply(sealed(pair.publicKey, ns, "theirs", { k: "ours" }));
    const { condition } = await syncedCondition(client, ns, "theirs", "False");
    expect(condition.message).toBe('failed update: Resource "theirs" already exists and is not managed by SealedSecret');
    const events = await waitFor("an ErrUpdateFailed event", async () => {
      const list = await eventsFor(client, ns, "theirs");
      return list.some((e) => e.reason === "ErrUpdateFailed") ? list : undefined;
    });
    expect(events.find((e) => e.reason === "ErrUpdateFailed")).toMatchObject({ type: "Warning", message: 'Resource "theirs" already exists and is not managed by SealedSecret' });
    const after = await secret(ns, "theirs");
    expect(after?.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(text(after?.data?.["k"])).toBe("theirs-value");
  });

  it("recreates a deleted Secret within a second", async () => {
    const { ns } = await setup();
    await apply(sealed(pair.publicKey, ns, "keep", { k: "kept-value" }));
    const original = await waitFor("the Secret", () => secret(ns, "keep"));
    const started = Date.now();
    await client.delete(paths.secret(ns, "keep"));
    const back = await waitFor("the Secret to come back", async () => {
      const s = await secret(ns, "keep");
      return s !== undefined && s.metadata.uid !== original.metadata.uid ? s : undefined;
    }, 5_000, 20);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(text(back.data?.["k"])).toBe("kept-value");
  });

  it("reverts an edited Secret (data, labels and owner) within a second, without any private-key operation", async () => {
    const { ns, controller } = await setup();
    await apply(sealed(pair.publicKey, ns, "edit", { k: "true-value" }, { metadata: { labels: { a: "1" } } }));
    const original = await waitFor("the Secret", () => secret(ns, "edit"));
    await controller.idle();
    const opsBefore = controller.privateKeyOperations;
    const cases: { reason: string; edit: (s: SecretObject) => void; ok: (s: SecretObject) => boolean }[] = [
      { reason: "a value changed", edit: (s) => (s.data = { ...s.data, k: b64("tampered") }), ok: (s) => text(s.data?.["k"]) === "true-value" },
      { reason: "a key added", edit: (s) => (s.data = { ...s.data, injected: b64("x") }), ok: (s) => s.data?.["injected"] === undefined },
      { reason: "a label changed", edit: (s) => (s.metadata.labels = { a: "2" }), ok: (s) => s.metadata.labels?.["a"] === "1" },
      { reason: "the owner removed", edit: (s) => delete s.metadata.ownerReferences, ok: (s) => s.metadata.ownerReferences?.length === 1 },
    ];
    for (const c of cases) {
      const current = await waitFor("the Secret", () => secret(ns, "edit"));
      c.edit(current);
      const started = Date.now();
      await client.replace(paths.secret(ns, "edit"), current);
      await waitFor(`the revert of ${c.reason}`, async () => {
        const s = await secret(ns, "edit");
        return s !== undefined && c.ok(s) ? s : undefined;
      }, 5_000, 20);
      expect(Date.now() - started, c.reason).toBeLessThan(1000);
    }
    expect(controller.privateKeyOperations).toBe(opsBefore);
    expect((await secret(ns, "edit"))?.metadata.uid).toBe(original.metadata.uid);
  });

  it("lets the garbage collector remove the Secret when the SealedSecret is deleted", async () => {
    const { ns } = await setup();
    await apply(sealed(pair.publicKey, ns, "gone", { k: "v-gone" }));
    await waitFor("the Secret", () => secret(ns, "gone"));
    await client.delete(paths.sealed(ns, "gone"));
    // kube-controller-manager's garbage collector starts watching a newly installed CRD's kind only at
    // its next discovery resync (every 30 s), so right after the CRD appears collection can take up to
    // ~60 s; in a full run this test can be the first to need it.
    await waitFor("the Secret to be collected", async () => ((await secret(ns, "gone")) === undefined ? true : undefined), 90_000, 200);
  });

  it("re-reconciles unchanged SealedSecrets after a resync and after a restart with zero private-key operations", async () => {
    const { ns, controller } = await setup();
    for (let i = 0; i < 5; i++) await apply(sealed(pair.publicKey, ns, `r${i}`, { k: `v-${i}` }));
    for (let i = 0; i < 5; i++) await syncedCondition(client, ns, `r${i}`, "True");
    await controller.idle();
    const ops = controller.privateKeyOperations;
    controller.resync();
    await controller.idle();
    expect(controller.privateKeyOperations).toBe(ops);
    await controller.stop();
    const { controller: restarted } = await h.start(ns);
    await restarted.idle();
    expect(restarted.size).toBe(5);
    expect(restarted.privateKeyOperations).toBe(0);
  });

  it("after a restart still notices a Secret edited while it was down", async () => {
    const { ns, controller } = await setup();
    await apply(sealed(pair.publicKey, ns, "offline", { k: "real" }));
    await syncedCondition(client, ns, "offline", "True");
    await controller.idle();
    await controller.stop();
    const s = await waitFor("the Secret", () => secret(ns, "offline"));
    s.data = { k: b64("edited-while-down") };
    await client.replace(paths.secret(ns, "offline"), s);
    const { controller: restarted } = await h.start(ns);
    await waitFor("the repair", async () => (text((await secret(ns, "offline"))?.data?.["k"]) === "real" ? true : undefined));
    expect(restarted.privateKeyOperations).toBe(1);
  });
});
