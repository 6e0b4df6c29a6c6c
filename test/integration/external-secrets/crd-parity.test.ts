/**
 * Sigil's external-secrets.io CRDs against ESO v0.16.2's own, side by side on
 * the real API server. Both sets are installed under private test groups (so
 * they coexist with each other and with whatever the cluster serves for
 * external-secrets.io), and each manifest is created (dry run) in both:
 * it must be accepted by both or rejected by both, and when accepted, the
 * object the API server would store (after pruning and defaults) must be the same.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { HttpKubeClient } from "../../../src/kube/index.js";
import { REPO_ROOT } from "../../env/state.js";
import { adminClient, createNamespace } from "../../support/bitnami.js";
import { esoCrdDir } from "../../env/tools.js";
import { installCrds, readCrds } from "../../support/eso.js";
import type { CrdObject } from "../../support/eso.js";
import { describePeers, uniqueName } from "../../support/peers.js";
import { PARITY_CASES } from "./crd-parity-cases.js";

const KINDS = ["externalsecrets", "secretstores", "clustersecretstores", "clusterexternalsecrets"] as const;
const ESO_GROUP = "eso-ref.parity.sigil.test";
const SIGIL_GROUP = "sigil.parity.sigil.test";

function regroup(crd: CrdObject, group: string): CrdObject {
  return { ...crd, metadata: { name: `${crd.spec.names.plural}.${group}` }, spec: { ...crd.spec, group } };
}

function crdsFrom(dir: string, group: string): CrdObject[] {
  return KINDS.flatMap((k) => readCrds(join(dir, `external-secrets.io_${k}.yaml`))).map((c) => regroup(c, group));
}

interface Outcome {
  readonly accepted: boolean;
  readonly stored?: unknown;
  readonly error?: string;
}

async function tryCreate(client: HttpKubeClient, group: string, ns: string, manifest: Record<string, unknown>): Promise<Outcome> {
  const kind = String(manifest["kind"]);
  const plural = `${kind.toLowerCase()}s`;
  const scoped = kind !== "ClusterSecretStore" && kind !== "ClusterExternalSecret";
  const path = `/apis/${group}/v1${scoped ? `/namespaces/${ns}` : ""}/${plural}?dryRun=All`;
  const metadata = { ...(manifest["metadata"] as Record<string, unknown>), ...(scoped ? { namespace: ns } : {}) };
  try {
    const stored = await client.create<{ spec?: unknown }>(path, { ...manifest, apiVersion: `${group}/v1`, metadata });
    return { accepted: true, stored: stored.spec };
  } catch (err) {
    return { accepted: false, error: err instanceof Error ? err.message : String(err) };
  }
}

describePeers("external-secrets.io CRDs: Sigil's schemas accept and reject what ESO's do", () => {
  let client: HttpKubeClient;
  let ns: string;

  beforeAll(async () => {
    client = adminClient();
    await installCrds([...crdsFrom(esoCrdDir(), ESO_GROUP), ...crdsFrom(join(REPO_ROOT, "crds"), SIGIL_GROUP)], client, true);
    for (const group of [ESO_GROUP, SIGIL_GROUP]) {
      for (const k of KINDS) await client.list(`/apis/${group}/v1/${k}`).catch(async () => { await new Promise((r) => setTimeout(r, 1000)); });
    }
    ns = uniqueName("es-crd");
    await createNamespace(ns, client);
  });

  it("has at least 20 cases, valid and invalid", () => {
    expect(PARITY_CASES.length).toBeGreaterThanOrEqual(20);
    expect(PARITY_CASES.filter((c) => c.valid).length).toBeGreaterThanOrEqual(8);
    expect(PARITY_CASES.filter((c) => !c.valid).length).toBeGreaterThanOrEqual(8);
  });

  it.each(PARITY_CASES)("$reason", async (c) => {
    const eso = await tryCreate(client, ESO_GROUP, ns, c.manifest);
    const sigil = await tryCreate(client, SIGIL_GROUP, ns, c.manifest);
    expect({ accepted: eso.accepted, why: eso.error }).toMatchObject({ accepted: c.valid });
    expect({ accepted: sigil.accepted, why: sigil.error }).toMatchObject({ accepted: c.valid });
    if (c.valid) expect(sigil.stored).toEqual(eso.stored);
  });

  it("serves status as a subresource and ESO's printer columns", () => {
    const ours = KINDS.flatMap((k) => readCrds(join(REPO_ROOT, "crds", `external-secrets.io_${k}.yaml`)));
    const theirs = KINDS.flatMap((k) => readCrds(join(esoCrdDir(), `external-secrets.io_${k}.yaml`)));
    const view = (crds: CrdObject[]): unknown => crds.map((c) => {
      const v = (c.spec["versions"] as { name: string; subresources?: unknown; additionalPrinterColumns?: { name: string; jsonPath: string }[] }[]).find((x) => x.name === "v1");
      return { name: c.metadata.name, scope: c.spec["scope"], names: c.spec.names, status: v?.subresources, columns: v?.additionalPrinterColumns?.map((p) => [p.name, p.jsonPath]) };
    });
    expect(view(ours)).toEqual(view(theirs));
  });

  it("reads the committed CRDs the generator prints", async () => {
    const { externalSecretsCrdFiles } = await import("../../../scripts/crds/external-secrets.js");
    for (const [name, text] of Object.entries(externalSecretsCrdFiles())) {
      expect(readFileSync(join(REPO_ROOT, "crds", name), "utf8"), name).toBe(text);
      expect(parse(text)).toBeTruthy();
    }
  });
});

describe("crd parity cases", () => {
  it("name every case uniquely", () => {
    expect(new Set(PARITY_CASES.map((c) => c.reason)).size).toBe(PARITY_CASES.length);
  });
});
