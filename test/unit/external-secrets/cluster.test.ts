/**
 * The pure part of the ClusterExternalSecret reconciler; the whole of it runs
 * against the real ESO controller in test/integration/external-secrets/cluster-differential.test.ts.
 */
import { describe, expect, it } from "vitest";
import { formatGoDuration } from "../../../src/core/index.js";
import { cesStatus, cesTargetName, cesTargets, desiredExternalSecret, isOwnedByCes } from "../../../src/external-secrets/index.js";
import type { ClusterExternalSecret, ExternalSecret } from "../../../src/external-secrets/index.js";
import { cesRefreshMs, sameExternalSecret } from "../../../src/operator/external-secrets/index.js";

const ces = (spec: NonNullable<ClusterExternalSecret["spec"]>, status?: ClusterExternalSecret["status"]): ClusterExternalSecret => ({ apiVersion: "external-secrets.io/v1", kind: "ClusterExternalSecret", metadata: { name: "db", uid: "u1" }, spec, ...(status === undefined ? {} : { status }) });

describe("ClusterExternalSecret targets", () => {
  it.each([
    { reason: "a name in namespaces", spec: { namespaces: ["a"] }, ns: { name: "a", labels: {} }, want: true },
    { reason: "a matchLabels selector", spec: { namespaceSelectors: [{ matchLabels: { team: "x" } }] }, ns: { name: "b", labels: { team: "x" } }, want: true },
    { reason: "the deprecated single selector with an expression", spec: { namespaceSelector: { matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] } }, ns: { name: "c", labels: { env: "dev" } }, want: true },
    { reason: "the metadata.name label even when the cache lacks it", spec: { namespaceSelectors: [{ matchLabels: { "kubernetes.io/metadata.name": "d" } }] }, ns: { name: "d", labels: {} }, want: true },
    { reason: "no selector and no names selects nothing", spec: {}, ns: { name: "e", labels: {} }, want: false },
    { reason: "an empty selector selects every namespace", spec: { namespaceSelectors: [{}] }, ns: { name: "f", labels: {} }, want: true },
    { reason: "an unknown operator matches nothing", spec: { namespaceSelectors: [{ matchExpressions: [{ key: "a", operator: "Near" }] }] }, ns: { name: "g", labels: { a: "1" } }, want: false },
  ])("$reason", ({ spec, ns, want }) => {
    expect(cesTargets(ces(spec), ns)).toBe(want);
  });

  it("names the ExternalSecrets after externalSecretName, else itself", () => {
    expect(cesTargetName(ces({ externalSecretName: "x" }))).toBe("x");
    expect(cesTargetName(ces({ externalSecretName: "" }))).toBe("db");
  });
});

describe("the ExternalSecret ESO's mutate function writes", () => {
  it("replaces labels, annotations and spec, upserts its owner reference, keeps other owners, and spells refreshInterval as Go does", () => {
    const c = ces({ externalSecretMetadata: { labels: { a: "b" } }, externalSecretSpec: { refreshInterval: "1h", secretStoreRef: { name: "v" } } });
    const existing: ExternalSecret = { metadata: { name: "db", namespace: "n", resourceVersion: "7", labels: { old: "x" }, annotations: { keep: "no" }, ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "o", uid: "u0" }, { apiVersion: "external-secrets.io/v1", kind: "ClusterExternalSecret", name: "db", uid: "old", controller: true }] } };
    const next = desiredExternalSecret(c, "n", "db", existing);
    expect(next.metadata).toEqual({
      name: "db", namespace: "n", resourceVersion: "7", labels: { a: "b" },
      ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "o", uid: "u0" }, { apiVersion: "external-secrets.io/v1", kind: "ClusterExternalSecret", name: "db", uid: "u1", controller: true, blockOwnerDeletion: true }],
    });
    expect(next.spec).toEqual({ refreshInterval: "1h0m0s", secretStoreRef: { name: "v" } });
    expect(isOwnedByCes(next, "db")).toBe(true);
    expect(isOwnedByCes(next, "other")).toBe(false);
    expect(sameExternalSecret(next, desiredExternalSecret(c, "n", "db", next))).toBe(true);
    expect(sameExternalSecret(existing, next)).toBe(false);
  });

  it("formats durations as Go's Duration.String", () => {
    expect([0, 500, 1500, 60_000, 300_000, 3_600_000, 5_400_000, 90_500, -2000].map(formatGoDuration)).toEqual(["0s", "500ms", "1.5s", "1m0s", "5m0s", "1h0m0s", "1h30m0s", "1m30.5s", "-2s"]);
  });
});

describe("ClusterExternalSecret status", () => {
  it("writes ESO's Ready condition, sorted failures and namespaces, and keeps other conditions", () => {
    const prev = ces({}, { conditions: [{ type: "Other", status: "True" }, { type: "Ready", status: "True" }] });
    expect(cesStatus(prev, "db", ["b", "a"], new Map([["z", "r1"], ["c", "r2"]]))).toEqual({
      externalSecretName: "db",
      conditions: [{ type: "Other", status: "True" }, { type: "Ready", status: "False", message: "one or more namespaces failed" }],
      failedNamespaces: [{ namespace: "c", reason: "r2" }, { namespace: "z", reason: "r1" }],
      provisionedNamespaces: ["a", "b"],
    });
    expect(cesStatus(prev, "db", [], new Map())).toEqual({ externalSecretName: "db", conditions: [{ type: "Other", status: "True" }, { type: "Ready", status: "True" }] });
  });

  it("refreshes after refreshTime, else an hour", () => {
    expect(cesRefreshMs(ces({ refreshTime: "2s" }))).toBe(2000);
    expect(cesRefreshMs(ces({}))).toBe(3_600_000);
    expect(cesRefreshMs(ces({ refreshTime: "soon" }))).toBe(3_600_000);
  });
});
