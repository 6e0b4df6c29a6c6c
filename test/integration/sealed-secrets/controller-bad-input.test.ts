/**
 * Bad input to Sigil's controller, against the real API server: each case
 * gets a clear `Synced=False` condition and an Event, and no Secret is
 * created, changed or blanked. Plus the canary: a known plaintext and the
 * private key never appear in logs, Events, status or endpoint answers.
 */
import { randomBytes } from "node:crypto";
import { beforeAll, expect, it } from "vitest";
import type { SealedSecretsController } from "../../../src/operator/index.js";
import type { HttpKubeClient } from "../../../src/kube/index.js";
import type { SealedSecretObject, SecretObject } from "../../../src/decrypt/sealed-secrets/index.js";
import { eventsFor, paths, sealed, syncedCondition, testKeyPair, waitFor } from "../../support/bitnami.js";
import type { TestKeyPair } from "../../support/bitnami.js";
import { controllerHarness } from "../../support/controller.js";
import { describePeers } from "../../support/peers.js";

const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");

interface Ctx {
  readonly ns: string;
  readonly pair: TestKeyPair;
  readonly stranger: TestKeyPair;
}

interface BadCase {
  readonly reason: string;
  /** The object to apply. With `update`, it replaces the spec of a working SealedSecret of the same name. */
  readonly make: (c: Ctx) => SealedSecretObject;
  readonly update: boolean;
  /** Expected in the condition message (and the Event). */
  readonly message: RegExp;
  readonly event: "ErrUnsealFailed" | "ErrUpdateFailed";
}

function truncate(ss: SealedSecretObject, key: string): SealedSecretObject {
  const blob = Buffer.from(ss.spec.encryptedData[key] ?? "", "base64");
  ss.spec.encryptedData[key] = blob.subarray(0, 300).toString("base64");
  return ss;
}

const CASES: readonly BadCase[] = [
  {
    reason: "a SealedSecret renamed under the strict scope",
    make: (c) => {
      const ss = sealed(c.pair.publicKey, c.ns, "original", { k: "v" });
      ss.metadata.name = "renamed";
      return ss;
    },
    update: false,
    message: new RegExp(`encryptedData "k" was sealed for the strict scope of "[^"]+/original".*\\[sealed\\.scope_mismatch\\]`),
    event: "ErrUnsealFailed",
  },
  {
    reason: "a SealedSecret moved to another namespace under the strict scope",
    make: (c) => {
      const ss = sealed(c.pair.publicKey, "elsewhere", "moved", { k: "v" });
      ss.metadata.namespace = c.ns;
      return ss;
    },
    update: false,
    message: /was sealed for the strict scope of "elsewhere\/moved".*\[sealed\.scope_mismatch\]/,
    event: "ErrUnsealFailed",
  },
  {
    reason: "a SealedSecret moved across namespaces under the namespace-wide scope",
    make: (c) => {
      const ss = sealed(c.pair.publicKey, "elsewhere", "nsw", { k: "v" }, {}, { scope: "namespace-wide" });
      ss.metadata.namespace = c.ns;
      return ss;
    },
    update: false,
    message: /was sealed for the namespace-wide scope of namespace "elsewhere".*\[sealed\.scope_mismatch\]/,
    event: "ErrUnsealFailed",
  },
  {
    reason: "a truncated blob",
    make: (c) => truncate(sealed(c.pair.publicKey, c.ns, "app", { k: "v" }), "k"),
    update: true,
    message: /too short.*\[sealed\.invalid_blob\]/,
    event: "ErrUnsealFailed",
  },
  {
    reason: "data that is not base64",
    make: (c) => {
      const ss = sealed(c.pair.publicKey, c.ns, "app", { k: "v" });
      ss.spec.encryptedData["k"] = "this is not base64!";
      return ss;
    },
    update: true,
    message: /not valid padded base64.*\[sealed\.invalid_blob\]/,
    event: "ErrUnsealFailed",
  },
  {
    reason: "a ciphertext from a key the controller does not have",
    make: (c) => sealed(c.stranger.publicKey, c.ns, "app", { k: "v" }),
    update: true,
    message: /no key could decrypt encryptedData "k".*\[sealed\.no_key\]/,
    event: "ErrUnsealFailed",
  },
  {
    reason: "a template that fails to render",
    make: (c) => {
      const ss = sealed(c.pair.publicKey, c.ns, "app", { k: "v" });
      ss.spec.template = { ...ss.spec.template, data: { out: "{{ .k | nosuchfunction }}" } };
      return ss;
    },
    update: true,
    message: /unknown function is called.*\[sealed\.template_failed\]/,
    event: "ErrUnsealFailed",
  },
];

describePeers("Sealed Secrets controller (Sigil): bad input and secret hygiene", () => {
  const h = controllerHarness();
  let client: HttpKubeClient;
  let pair: TestKeyPair;
  let stranger: TestKeyPair;

  beforeAll(async () => {
    client = h.client;
    [pair, stranger] = await Promise.all([testKeyPair(), testKeyPair(2048, 1)]);
  });

  async function setup(listen = false): Promise<{ ns: string; controller: SealedSecretsController; logs: string[] }> {
    const ns = await h.namespace("ssbad", pair);
    const { controller, logs } = await h.start(ns, { listenAddr: listen ? "127.0.0.1:0" : undefined });
    return { ns, controller, logs };
  }

  it.each(CASES)("$reason gives Synced=False, an Event, and no Secret change", async (c) => {
    const { ns } = await setup();
    const bad = c.make({ ns, pair, stranger });
    const name = bad.metadata.name ?? "";
    let before: SecretObject | undefined;
    if (c.update) {
      await client.create(paths.sealedList(ns), sealed(pair.publicKey, ns, name, { k: "good-value" }));
      await syncedCondition(client, ns, name, "True");
      before = await client.get<SecretObject>(paths.secret(ns, name));
      const live = await client.get<SealedSecretObject>(paths.sealed(ns, name));
      if (live === undefined) throw new Error("the SealedSecret vanished");
      await client.replace(paths.sealed(ns, name), { ...live, spec: bad.spec });
    } else {
      await client.create(paths.sealedList(ns), bad);
    }
    const { condition } = await syncedCondition(client, ns, name, "False");
    expect(condition.message).toMatch(c.message);
    const events = await waitFor(`a ${c.event} event`, async () => {
      const list = await eventsFor(client, ns, name);
      return list.find((e) => e.reason === c.event);
    });
    expect(events.type).toBe("Warning");
    expect(events.message).toMatch(c.message);
    const after = await client.get<SecretObject>(paths.secret(ns, name));
    if (before === undefined) expect(after).toBeUndefined();
    else {
      expect(after?.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
      expect(after?.data).toEqual(before.data);
    }
  });

  it("keeps a known plaintext and the private key out of logs, Events, status and endpoint answers", async () => {
    const { ns, controller, logs } = await setup(true);
    const canary = `CANARY-${randomBytes(8).toString("hex")}`;
    const base = `http://127.0.0.1:${controller.address?.port ?? 0}`;
    const good = sealed(pair.publicKey, ns, "canary", { secret: canary });
    await client.create(paths.sealedList(ns), good);
    await syncedCondition(client, ns, "canary", "True");
    // Failures that handle the plaintext: a template error, a drift repair, an unmanaged Secret, the endpoints.
    const broken = sealed(pair.publicKey, ns, "canary-tpl", { secret: canary });
    broken.spec.template = { ...broken.spec.template, data: { a: "{{ .secret | b64dec }}", b: "{{ .secret | nosuch }}", c: "{{ .secret" } };
    await client.create(paths.sealedList(ns), broken);
    await syncedCondition(client, ns, "canary-tpl", "False");
    await client.create(paths.secrets(ns), { metadata: { name: "canary-taken" }, data: { other: b64(canary) } });
    await client.create(paths.sealedList(ns), sealed(pair.publicKey, ns, "canary-taken", { secret: canary }));
    await syncedCondition(client, ns, "canary-taken", "False");
    const live = await client.get<SecretObject>(paths.secret(ns, "canary"));
    if (live === undefined) throw new Error("no Secret");
    await client.replace(paths.secret(ns, "canary"), { ...live, data: { secret: b64("tampered") } });
    await waitFor("the repair", async () => ((await client.get<SecretObject>(paths.secret(ns, "canary")))?.data?.["secret"] === b64(canary) ? true : undefined));
    const answers: string[] = [];
    for (const body of [JSON.stringify(good), JSON.stringify(broken), "{not json", JSON.stringify(sealed(stranger.publicKey, ns, "x", { s: canary }))]) {
      for (const path of ["/v1/verify", "/v1/rotate"]) {
        const res = await fetch(`${base}${path}`, { method: "POST", body });
        answers.push(`${res.status} ${await res.text()}`);
        await new Promise((r) => setTimeout(r, 550));
      }
    }
    const events = (await client.list<unknown>(paths.events(ns))).items.map((e) => JSON.stringify(e));
    const statuses = (await client.list<SealedSecretObject>(paths.sealedList(ns))).items.map((s) => JSON.stringify(s.status));
    const secretPem = pair.privateKeyPem;
    const pemBody = secretPem.split("\n").filter((l) => l !== "" && !l.startsWith("-----"));
    const forbidden = [canary, b64(canary), Buffer.from(canary).toString("hex"), secretPem, b64(secretPem), ...pemBody.slice(1, -1)];
    const haystacks: Record<string, string> = { logs: logs.join("\n"), events: events.join("\n"), status: statuses.join("\n"), endpoints: answers.join("\n") };
    expect(logs.length).toBeGreaterThan(5);
    expect(events.length).toBeGreaterThanOrEqual(3);
    for (const [where, text] of Object.entries(haystacks)) {
      for (const needle of forbidden) expect(text.includes(needle), `${where} must not contain ${needle.slice(0, 12)}…`).toBe(false);
    }
    expect(answers.some((a) => a.startsWith("200 {"))).toBe(true);
  });
});
