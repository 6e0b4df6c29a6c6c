/**
 * The rollout controller's pure parts and its no-write paths against the
 * in-memory client; the write path (server-side apply, a new ReplicaSet)
 * runs against the real API server in test/integration/rollout.
 */
import { describe, expect, it } from "vitest";
import { FakeKubeClient } from "../../../src/kube/testing/index.js";
import { WORKLOAD, WORKLOAD_KINDS, followedSecrets, isDnsSubdomain, reconcileWorkload, secretsHash } from "../../../src/operator/rollout/index.js";
import type { RolloutDeps, Workload } from "../../../src/operator/rollout/index.js";
import { canary, leakForms } from "../../support/canary.js";

const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");
const workload = (annotations: Record<string, string>, hash?: string): Workload =>
  WORKLOAD.apply({ metadata: { name: "web", namespace: "ns", uid: "u", annotations: { ...annotations, other: "x" } }, spec: { template: { metadata: { annotations: hash === undefined ? {} : { "sigil.dev/secret-hash": hash } } } } });

describe("secretsHash", () => {
  const s = { name: "db", uid: "uid-1", data: { a: b64("1"), b: b64("2") } };

  it("depends on the data, not on key or Secret order", () => {
    const other = { name: "api", uid: "uid-2", data: { t: b64("t") } };
    expect(secretsHash([s, other])).toBe(secretsHash([other, { ...s, data: { b: b64("2"), a: b64("1") } }]));
    expect(secretsHash([s])).not.toBe(secretsHash([{ ...s, data: { a: b64("1"), b: b64("3") } }]));
    expect(secretsHash([s])).not.toBe(secretsHash([{ ...s, data: { a: b64("1") } }]));
  });

  it("is keyed by the Secret's uid, and holds no form of a value", () => {
    const c = canary("hash");
    const h = secretsHash([{ name: "db", uid: "uid-1", data: { password: b64(c.value) } }]);
    expect(h).toMatch(/^v1:[0-9a-f]{64}$/);
    expect(h).not.toBe(secretsHash([{ name: "db", uid: "uid-2", data: { password: b64(c.value) } }]));
    for (const form of leakForms(c)) expect(h.includes(form)).toBe(false);
  });
});

describe("followed Secrets", () => {
  it.each([
    { reason: "a list with spaces and repeats", annotations: { "sigil.dev/rollout-on-secret-change": " db-creds, api-token ,db-creds,," }, reloader: false, want: { names: ["db-creds", "api-token"] } },
    { reason: "Reloader's annotation only when asked", annotations: { "secret.reloader.stakater.com/reload": "a" }, reloader: false, want: { names: [] } },
    { reason: "Reloader's annotation merged in", annotations: { "secret.reloader.stakater.com/reload": "a", "sigil.dev/rollout-on-secret-change": "b" }, reloader: true, want: { names: ["b", "a"] } },
    { reason: "a name that is not a Secret name", annotations: { "sigil.dev/rollout-on-secret-change": "ok,Bad_Name" }, reloader: false, want: { invalid: '"Bad_Name" is not a valid secret name' } },
    { reason: "too many names", annotations: { "sigil.dev/rollout-on-secret-change": Array.from({ length: 40 }, (_, i) => `s${i}`).join(",") }, reloader: false, want: { invalid: "names 40 secrets (at most 32)" } },
  ])("$reason", ({ annotations, reloader, want }) => {
    expect(followedSecrets(workload(annotations), reloader)).toEqual(want);
  });

  it("checks RFC 1123 subdomains in linear time", () => {
    expect(["a", "a-b.c", "0x", "a".repeat(63)].every(isDnsSubdomain)).toBe(true);
    expect(["", "-a", "a-", "A", "a..b", "a".repeat(64), "a/b", "a".repeat(254)].some(isDnsSubdomain)).toBe(false);
  });

  it("keeps only its own annotations and the template hash in the cache", () => {
    const w = workload({ "sigil.dev/rollout-on-secret-change": "db" }, "v1:x");
    expect(w.metadata.annotations).toEqual({ "sigil.dev/rollout-on-secret-change": "db" });
    expect(w.hash).toBe("v1:x");
  });
});

describe("reconcileWorkload without a write", () => {
  const kind = WORKLOAD_KINDS[0] ?? (() => { throw new Error("no kinds"); })();
  const setup = async (): Promise<{ client: FakeKubeClient; deps: RolloutDeps; events: string[] }> => {
    const client = new FakeKubeClient();
    await client.create("/api/v1/namespaces/ns/secrets", { apiVersion: "v1", kind: "Secret", metadata: { name: "db" }, data: { p: b64("x") } });
    const events: string[] = [];
    return { client, events, deps: { client, reloaderAnnotation: false, event: (_k, _w, type, reason, message) => { events.push(`${type} ${reason} ${message}`); } } };
  };

  it("leaves the template alone and records an Event when a named Secret is missing", async () => {
    const { client, deps, events } = await setup();
    const before = client.writes;
    expect(await reconcileWorkload(deps, kind, workload({ "sigil.dev/rollout-on-secret-change": "db,nope" }))).toBe("missing");
    expect(client.writes).toBe(before);
    expect(events).toEqual(['Warning SecretNotFound secret "nope" named in sigil.dev/rollout-on-secret-change not found in namespace "ns"; the pod template is left as it is']);
  });

  it("does not write when the template already has the hash", async () => {
    const { client, deps, events } = await setup();
    const secret = await client.get<{ metadata: { uid: string }; data: Record<string, string> }>("/api/v1/namespaces/ns/secrets/db");
    const hash = secretsHash([{ name: "db", uid: secret?.metadata.uid ?? "", data: secret?.data ?? {} }]);
    const before = client.writes;
    expect(await reconcileWorkload(deps, kind, workload({ "sigil.dev/rollout-on-secret-change": "db" }, hash))).toBe("unchanged");
    expect(client.writes).toBe(before);
    expect(events).toEqual([]);
  });
});
