import { describe, expect, it } from "vitest";
import {
  KubeApiError,
  apiError,
  applySkipReason,
  changedPaths,
  conflictDetails,
  deleteSkipReason,
  hasDrifted,
  objectDiff,
  readiness,
  scrubMessage,
  stages,
} from "../../../src/kube/index.js";
import type { KubeObject } from "../../../src/kube/index.js";

const CANARY = "c4n4ry-s3cr3t-v4lue";
const B64 = Buffer.from(CANARY).toString("base64");

function secret(data: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "n" }, data, ...extra } as KubeObject;
}

describe("drift detection (live object vs dry-run apply)", () => {
  it.each([
    { reason: "server bookkeeping alone is no drift", live: { metadata: { resourceVersion: "1", generation: 1, managedFields: [{ manager: "a" }], labels: { a: "1" } }, spec: { x: 1 }, status: { ok: true } }, dry: { metadata: { resourceVersion: "2", generation: 2, managedFields: [{ manager: "b" }], labels: { a: "1" } }, spec: { x: 1 }, status: { ok: false } }, drift: false },
    { reason: "key order is no drift", live: { spec: { a: 1, b: 2 } }, dry: { spec: { b: 2, a: 1 } }, drift: false },
    { reason: "a spec change is drift", live: { spec: { x: 1 } }, dry: { spec: { x: 2 } }, drift: true },
    { reason: "a label change is drift", live: { metadata: { labels: { a: "1" } } }, dry: { metadata: { labels: { a: "2" } } }, drift: true },
    { reason: "an annotation added is drift", live: { metadata: {} }, dry: { metadata: { annotations: { a: "1" } } }, drift: true },
    { reason: "an array element change is drift", live: { spec: { l: [1, 2] } }, dry: { spec: { l: [1, 3] } }, drift: true },
  ])("$reason", ({ live, dry, drift }) => {
    expect(hasDrifted(live as KubeObject, dry as KubeObject)).toBe(drift);
  });

  it("lists changed field paths without values", () => {
    expect(changedPaths({ spec: { a: 1, b: { c: "x" } } }, { spec: { a: 2, b: { c: "y" }, d: true } })).toEqual(["spec.a", "spec.b.c", "spec.d"]);
  });
});

describe("Secret diffs never carry values", () => {
  it("reports per-key added / removed / changed / unchanged, and other fields by path", () => {
    const live = secret({ same: B64, changed: B64, gone: B64 }, { type: "Opaque" });
    const desired = secret({ same: B64, changed: Buffer.from(`${CANARY}2`).toString("base64"), added: B64 }, { type: "kubernetes.io/tls" });
    const diff = objectDiff(live, desired);
    expect(diff.keys).toEqual([
      { key: "added", change: "added" },
      { key: "changed", change: "changed" },
      { key: "gone", change: "removed" },
      { key: "same", change: "unchanged" },
    ]);
    expect(diff.fields).toEqual(["type"]);
    const text = JSON.stringify(diff);
    for (const form of [CANARY, B64, Buffer.from(`${CANARY}2`).toString("base64")]) expect(text).not.toContain(form);
  });
});

describe("the API server's messages are scrubbed", () => {
  it("redacts values quoted after 'Invalid value:' and keeps the rest", () => {
    const msg = `Secret "s" is invalid: [data[k]: Invalid value: "${CANARY}": a valid config key must consist of alphanumeric characters, metadata.labels: Invalid value: "${B64}": must be no more than 63 characters]`;
    const out = scrubMessage(msg);
    expect(out).not.toContain(CANARY);
    expect(out).not.toContain(B64);
    expect(out).toContain("a valid config key must consist");
    expect(out).toContain("Invalid value: <redacted>");
  });

  it("redacts unquoted values up to the next separator, and caps the length", () => {
    expect(scrubMessage(`spec.replicas: Invalid value: ${CANARY}: must be greater than or equal to 0`)).toBe("spec.replicas: Invalid value: <redacted>: must be greater than or equal to 0");
    expect(scrubMessage("x".repeat(5000)).length).toBeLessThanOrEqual(1001);
  });

  it("never echoes a body that is not a Status", () => {
    const err = apiError(500, `<html>${CANARY}</html>`, "GET", "/api/v1/x");
    expect(err.message).not.toContain(CANARY);
    expect(err.code).toBe("kube.failed");
  });

  it.each([
    { status: 401, code: "kube.unauthorized" },
    { status: 403, code: "kube.forbidden" },
    { status: 404, code: "kube.not_found" },
    { status: 409, code: "kube.conflict" },
    { status: 410, code: "kube.expired" },
    { status: 422, code: "kube.invalid" },
  ])("maps http $status to $code", ({ status, code }) => {
    expect(apiError(status, JSON.stringify({ kind: "Status", message: "m" }), "GET", "/p").code).toBe(code);
  });

  it("maps an immutable-field 422 to kube.immutable", () => {
    const body = JSON.stringify({ kind: "Status", code: 422, message: `Job.batch "j" is invalid: spec.template: Invalid value: core.PodTemplateSpec{${CANARY}}: field is immutable` });
    const err = apiError(422, body, "PATCH", "/p");
    expect(err.code).toBe("kube.immutable");
    expect(err.message).not.toContain(CANARY);
  });
});

describe("apply conflicts name the other field manager", () => {
  it("reads managers and fields from the Status causes", () => {
    const body = JSON.stringify({
      kind: "Status",
      code: 409,
      reason: "Conflict",
      message: 'Apply failed with 2 conflicts: conflicts with "kubectl-edit" using v1: .data.a, .data.b',
      details: { causes: [{ reason: "FieldManagerConflict", message: 'conflict with "kubectl-edit" using v1', field: ".data.a" }, { reason: "FieldManagerConflict", message: 'conflict with "kubectl-edit" using v1', field: ".data.b" }] },
    });
    const err = apiError(409, body, "PATCH", "/p");
    expect(err).toBeInstanceOf(KubeApiError);
    expect(conflictDetails(err)).toEqual({ managers: ["kubectl-edit"], fields: [".data.a", ".data.b"] });
  });
});

describe("readiness", () => {
  it.each([
    { reason: "an established CRD", o: { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", status: { conditions: [{ type: "Established", status: "True" }] } }, state: "ready" },
    { reason: "a CRD not yet established", o: { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", status: { conditions: [] } }, state: "in_progress" },
    { reason: "a CRD whose names are not accepted", o: { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", status: { conditions: [{ type: "NamesAccepted", status: "False", reason: "ListKindConflict" }] } }, state: "failed" },
    { reason: "an active Namespace", o: { apiVersion: "v1", kind: "Namespace", status: { phase: "Active" } }, state: "ready" },
    { reason: "a terminating Namespace", o: { apiVersion: "v1", kind: "Namespace", status: { phase: "Terminating" } }, state: "in_progress" },
    { reason: "a rolled-out Deployment", o: { apiVersion: "apps/v1", kind: "Deployment", metadata: { generation: 2 }, spec: { replicas: 2 }, status: { observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2 } }, state: "ready" },
    { reason: "a Deployment whose generation is not observed", o: { apiVersion: "apps/v1", kind: "Deployment", metadata: { generation: 3 }, spec: { replicas: 2 }, status: { observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2 } }, state: "in_progress" },
    { reason: "a Deployment past its deadline", o: { apiVersion: "apps/v1", kind: "Deployment", metadata: { generation: 1 }, status: { observedGeneration: 1, conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }] } }, state: "failed" },
    { reason: "a StatefulSet mid-rollout", o: { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, readyReplicas: 1, updatedReplicas: 1, currentRevision: "a", updateRevision: "b" } }, state: "in_progress" },
    { reason: "a DaemonSet with every pod available", o: { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { generation: 1 }, status: { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 } }, state: "ready" },
    { reason: "a completed Job", o: { apiVersion: "batch/v1", kind: "Job", status: { conditions: [{ type: "Complete", status: "True" }] } }, state: "ready" },
    { reason: "a failed Job", o: { apiVersion: "batch/v1", kind: "Job", status: { conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded" }] } }, state: "failed" },
    { reason: "a custom resource with Ready=False", o: { apiVersion: "x.io/v1", kind: "Thing", status: { conditions: [{ type: "Ready", status: "False", reason: "Waiting" }] } }, state: "in_progress" },
    { reason: "a custom resource with Ready=True", o: { apiVersion: "x.io/v1", kind: "Thing", metadata: { generation: 1 }, status: { observedGeneration: 1, conditions: [{ type: "Ready", status: "True" }] } }, state: "ready" },
    { reason: "a ConfigMap (no status: ready once it exists)", o: { apiVersion: "v1", kind: "ConfigMap" }, state: "ready" },
  ])("$reason is $state", ({ o, state }) => {
    expect(readiness(o as KubeObject).state).toBe(state);
  });
});

describe("staged apply order", () => {
  it("puts CRDs and Namespaces first, cluster RBAC and classes second, the rest last, each in install order", () => {
    const o = (apiVersion: string, kind: string, name: string): KubeObject => ({ apiVersion, kind, metadata: { name } });
    const [first, second, rest] = stages([
      o("apps/v1", "Deployment", "d"),
      o("x.io/v1", "Thing", "t"),
      o("rbac.authorization.k8s.io/v1", "ClusterRole", "r"),
      o("apiextensions.k8s.io/v1", "CustomResourceDefinition", "things.x.io"),
      o("v1", "Secret", "s"),
      o("v1", "Namespace", "ns"),
      o("storage.k8s.io/v1", "StorageClass", "sc"),
      o("v1", "ServiceAccount", "sa"),
    ]);
    expect(first.map((x) => x.kind)).toEqual(["Namespace", "CustomResourceDefinition"]);
    expect(second.map((x) => x.kind)).toEqual(["StorageClass", "ClusterRole"]);
    expect(rest.map((x) => x.kind)).toEqual(["ServiceAccount", "Secret", "Deployment", "Thing"]);
  });
});

describe("Flux annotations", () => {
  const live: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } };
  it.each([
    { reason: "Ignore on the desired object", desired: { "kustomize.toolkit.fluxcd.io/ssa": "Ignore" }, liveAnn: {}, exists: true, skipped: true },
    { reason: "Ignore on the live object", desired: {}, liveAnn: { "kustomize.toolkit.fluxcd.io/ssa": "ignore" }, exists: true, skipped: true },
    { reason: "IfNotPresent when the object exists", desired: { "kustomize.toolkit.fluxcd.io/ssa": "IfNotPresent" }, liveAnn: {}, exists: true, skipped: true },
    { reason: "IfNotPresent when it does not exist", desired: { "kustomize.toolkit.fluxcd.io/ssa": "IfNotPresent" }, liveAnn: {}, exists: false, skipped: false },
    { reason: "Override (the default)", desired: { "kustomize.toolkit.fluxcd.io/ssa": "Override" }, liveAnn: {}, exists: true, skipped: false },
    { reason: "Sigil's gitops.sigil.dev/ssa: Ignore", desired: { "gitops.sigil.dev/ssa": "Ignore" }, liveAnn: {}, exists: true, skipped: true },
    { reason: "Sigil's gitops.sigil.dev/ssa: IfNotPresent when the object exists", desired: { "gitops.sigil.dev/ssa": "IfNotPresent" }, liveAnn: {}, exists: true, skipped: true },
  ])("$reason", ({ desired, liveAnn, exists, skipped }) => {
    const d: KubeObject = { ...live, metadata: { name: "c", annotations: desired } };
    const l: KubeObject | undefined = exists ? { ...live, metadata: { name: "c", annotations: liveAnn } } : undefined;
    expect(applySkipReason(d, l) !== undefined).toBe(skipped);
  });

  it.each([
    { reason: "Flux's prune: disabled on the live object", ann: { "kustomize.toolkit.fluxcd.io/prune": "disabled" }, skipped: true },
    { reason: "Sigil's gitops.sigil.dev/prune: disabled on the live object", ann: { "gitops.sigil.dev/prune": "disabled" }, skipped: true },
    { reason: "no annotation", ann: {}, skipped: false },
  ])("delete: $reason", ({ ann, skipped }) => {
    const l: KubeObject = { ...live, metadata: { name: "c", annotations: ann } };
    expect(deleteSkipReason({ ...live }, l) !== undefined).toBe(skipped);
  });
});
