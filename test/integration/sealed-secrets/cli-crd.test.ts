/**
 * The SealedSecret CRD (crds/bitnami.com_sealedsecrets.yaml) against the
 * real kube-apiserver, side by side with bitnami's own CRD as the environment
 * keeps it (copied from the module the sealed-secrets peer is built from;
 * missing is a failure): both are installed under throw-away groups, and every
 * manifest below must be accepted (and stored) or rejected by both alike.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { bitnamiCrdPath } from "../../env/tools.js";
import { kubectl } from "../../support/crds.js";
import type { KubectlResult } from "../../support/crds.js";
import { describePeers, uniqueName } from "../../support/peers.js";

const OURS = fileURLToPath(new URL("../../../crds/bitnami.com_sealedsecrets.yaml", import.meta.url));


/**
 * Bitnami's CRD, as the environment keeps it: the sealed-secrets peer build copies it from the
 * module it builds (test/env/recipes/build.sh). Missing means a broken peer cache: a failure, not a
 * reason to compare less.
 */
function bitnamiCrd(): string {
  const path = bitnamiCrdPath();
  if (!existsSync(path)) {
    throw new Error(`bitnami's CRD is missing from the sealed-secrets peer at ${path}: rebuild that peer (remove its directory, then npm run env -- build)`);
  }
  return readFileSync(path, "utf8");
}

type Crd = { metadata: { name: string }; spec: { group: string } };

function regroup(text: string, group: string): string {
  const crd = parse(text) as Crd;
  crd.spec.group = group;
  crd.metadata.name = `sealedsecrets.${group}`;
  return stringify(crd);
}

const BLOB = Buffer.alloc(600, 7).toString("base64");

const CASES: { reason: string; object: Record<string, unknown> }[] = [
  { reason: "a kubeseal-shaped SealedSecret", object: { spec: { encryptedData: { a: BLOB }, template: { metadata: { name: "x", namespace: "ns", labels: { l: "v" }, annotations: { k: "v" } }, type: "Opaque" } } } },
  { reason: "template data, type and immutable", object: { spec: { encryptedData: { a: BLOB }, template: { type: "kubernetes.io/tls", immutable: true, data: { "c.json": '{"a": {{ toJson .a }}}' } } } } },
  { reason: "null template metadata and data", object: { spec: { encryptedData: {}, template: { metadata: null, data: null } } } },
  { reason: "unknown fields inside template metadata are kept", object: { spec: { encryptedData: {}, template: { metadata: { ownerReferences: [{ x: 1 }], finalizers: ["f"] } } } } },
  { reason: "unknown fields elsewhere are pruned, not refused", object: { spec: { encryptedData: {}, extra: 1, template: { extra: true } }, extra: "x" } },
  { reason: "deprecated v1 data", object: { spec: { encryptedData: {}, data: BLOB } } },
  { reason: "a non-string encryptedData value", object: { spec: { encryptedData: { a: 5 } } } },
  { reason: "missing encryptedData", object: { spec: { template: {} } } },
  { reason: "missing spec", object: {} },
  { reason: "v1 data that is not base64", object: { spec: { encryptedData: {}, data: "not base64!" } } },
  { reason: "immutable that is not a boolean", object: { spec: { encryptedData: {}, template: { immutable: "yes" } } } },
  { reason: "a label that is not a string", object: { spec: { encryptedData: {}, template: { metadata: { labels: { a: 1 } } } } } },
  { reason: "template data that is not a map of strings", object: { spec: { encryptedData: {}, template: { data: { a: { b: "c" } } } } } },
  { reason: "a status on create (ignored through the status subresource)", object: { spec: { encryptedData: {} }, status: { observedGeneration: 1, conditions: [{ type: "Synced", status: "True" }] } } },
];

describePeers("the SealedSecret CRD against the real API server", () => {
  const id = uniqueName("crd").replace(/-/g, "");
  const oursGroup = `${id}.sigil.test`;
  const theirsGroup = `${id}.bitnami.test`;
  const ns = uniqueName("sealedcrd");
  beforeAll(async () => {
    const crds = [regroup(readFileSync(OURS, "utf8"), oursGroup), regroup(bitnamiCrd(), theirsGroup)];
    for (const crd of crds) {
      const r = await kubectl(["apply", "-f", "-"], crd);
      expect(r.code, r.stderr).toBe(0);
    }
    const names = [oursGroup, theirsGroup].map((g) => `crd/sealedsecrets.${g}`);
    const waited = await kubectl(["wait", "--for=condition=Established", "--timeout=60s", ...names]);
    expect(waited.code, waited.stderr).toBe(0);
    expect((await kubectl(["create", "namespace", ns])).code).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await kubectl(["delete", "namespace", ns, "--wait=false"]);
    await kubectl(["delete", "crd", `sealedsecrets.${oursGroup}`, `sealedsecrets.${theirsGroup}`, "--ignore-not-found", "--wait=false"]);
  });

  async function create(group: string, name: string, object: Record<string, unknown>): Promise<KubectlResult> {
    const manifest = { ...object, apiVersion: `${group}/v1alpha1`, kind: "SealedSecret", metadata: { name, namespace: ns } };
    // --validate=false: unknown fields are pruned by the schema instead of refused by kubectl's strict field validation
    return kubectl(["create", "--validate=false", "-o", "json", "-f", "-"], JSON.stringify(manifest));
  }

  function stored(p: KubectlResult): unknown {
    if (p.code !== 0) return "rejected";
    const obj = JSON.parse(p.stdout) as { spec?: unknown; status?: unknown };
    return { spec: obj.spec, status: obj.status };
  }

  CASES.forEach((c, i) => {
    it(`treats ${c.reason} exactly as bitnami's CRD does`, async () => {
      const ours = await create(oursGroup, `case-${i}`, c.object);
      expect(ours.code === 0, ours.stderr).toBe(!/missing|not base64|not a boolean|not a string|not a map|non-string/.test(c.reason));
      const bitnami = await create(theirsGroup, `case-${i}`, c.object);
      expect(stored(ours)).toEqual(stored(bitnami));
    });
  });

  it("has the status subresource and the Status/Synced/Age printer columns", async () => {
    const created = await create(oursGroup, "columns", { spec: { encryptedData: {} } });
    expect(created.code, created.stderr).toBe(0);
    const status = { status: { observedGeneration: 1, conditions: [{ type: "Synced", status: "False", message: "no key could decrypt secret" }] } };
    const patched = await kubectl(["patch", `sealedsecrets.${oursGroup}`, "columns", "-n", ns, "--subresource=status", "--type=merge", "-p", JSON.stringify(status)]);
    expect(patched.code, patched.stderr).toBe(0);
    const table = await kubectl(["get", `sealedsecrets.${oursGroup}`, "columns", "-n", ns]);
    expect(table.stdout).toMatch(/^NAME\s+STATUS\s+SYNCED\s+AGE\n/);
    expect(table.stdout).toMatch(/columns\s+no key could decrypt secret\s+False\s+\d+s/);
  });
});
