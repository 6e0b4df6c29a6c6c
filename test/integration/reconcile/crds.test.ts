/**
 * The GitSource and Sync CRDs (crds/gitops.sigil.dev_*.yaml) against the real
 * kube-apiserver: installed, valid objects accepted with their defaults,
 * invalid ones refused by the schema.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { kubectl } from "../../support/crds.js";
import { describePeers, uniqueName } from "../../support/peers.js";

const CRDS = ["gitops.sigil.dev_gitsources.yaml", "gitops.sigil.dev_syncs.yaml"].map((f) => fileURLToPath(new URL(`../../../crds/${f}`, import.meta.url)));


const SHA = "0123456789abcdef0123456789abcdef01234567";

const GITSOURCES: { reason: string; spec: Record<string, unknown>; ok: boolean }[] = [
  { reason: "an https URL with a branch", spec: { url: "https://git.example/a.git", ref: { branch: "main" } }, ok: true },
  { reason: "an ssh URL with a semver range", spec: { url: "ssh://git@host/a.git", ref: { semver: ">=1.0.0 <2.0.0" }, secretRef: { name: "s" } }, ok: true },
  { reason: "an scp-style URL with a commit", spec: { url: "git@github.com:org/repo.git", ref: { commit: SHA } }, ok: true },
  { reason: "a file URL, no ref", spec: { url: "file:///srv/git/a.git", ignore: "*.md\n" }, ok: true },
  { reason: "an http URL", spec: { url: "http://git.example/a.git" }, ok: false },
  { reason: "a missing URL", spec: { ref: { branch: "main" } }, ok: false },
  { reason: "two refs at once", spec: { url: "https://g/a.git", ref: { branch: "main", tag: "v1" } }, ok: false },
  { reason: "an empty ref", spec: { url: "https://g/a.git", ref: {} }, ok: false },
  { reason: "a short commit", spec: { url: "https://g/a.git", ref: { commit: "abc123" } }, ok: false },
  { reason: "an interval that is not a Go duration", spec: { url: "https://g/a.git", interval: "5 minutes" }, ok: false },
  { reason: "a secretRef without a name", spec: { url: "https://g/a.git", secretRef: {} }, ok: false },
];

const SYNCS: { reason: string; spec: Record<string, unknown>; ok: boolean }[] = [
  { reason: "a minimal Sync", spec: { sourceRef: { kind: "GitSource", name: "app" } }, ok: true },
  {
    reason: "every field",
    spec: {
      sourceRef: { kind: "GitSource", name: "app" }, path: "./overlays/prod", interval: "1h", retryInterval: "30s", timeout: "2m", suspend: false,
      prune: false, allowEmpty: true, selfHeal: false, targetNamespace: "x", force: true, wait: true,
      healthChecks: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "x" }],
      decryption: { provider: "sops", secretRef: { name: "keys" } }, sealedSecrets: "Inline",
    },
    ok: true,
  },
  { reason: "a missing sourceRef", spec: { path: "./" }, ok: false },
  { reason: "a sourceRef of another kind", spec: { sourceRef: { kind: "OCIRepository", name: "x" } }, ok: false },
  { reason: "an unknown sealedSecrets mode", spec: { sourceRef: { kind: "GitSource", name: "a" }, sealedSecrets: "Both" }, ok: false },
  { reason: "prune that is not a boolean", spec: { sourceRef: { kind: "GitSource", name: "a" }, prune: "yes" }, ok: false },
  { reason: "a health check without a name", spec: { sourceRef: { kind: "GitSource", name: "a" }, healthChecks: [{ kind: "Deployment" }] }, ok: false },
  { reason: "an unknown decryption provider", spec: { sourceRef: { kind: "GitSource", name: "a" }, decryption: { provider: "vault" } }, ok: false },
];

describePeers("the GitSource and Sync CRDs against the real API server", () => {
  const ns = uniqueName("gitopscrd");

  beforeAll(async () => {
    for (const crd of CRDS) {
      const r = await kubectl(["apply", "--server-side", "--force-conflicts", "--field-manager", "sigil-test", "-f", crd]);
      expect(r.stderr).toBe("");
    }
    const w = await kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd/gitsources.gitops.sigil.dev", "crd/syncs.gitops.sigil.dev"]);
    expect(w.code, w.stderr).toBe(0);
    expect((await kubectl(["create", "namespace", ns])).code).toBe(0);
  }, 90_000);

  afterAll(async () => {
    await kubectl(["delete", "namespace", ns, "--wait=false"]);
  });

  it.each(GITSOURCES)("GitSource: $reason (accepted: $ok)", async ({ spec, ok }) => {
    const name = uniqueName("gs");
    const r = await kubectl(["create", "-n", ns, "-f", "-"], JSON.stringify({ apiVersion: "gitops.sigil.dev/v1alpha1", kind: "GitSource", metadata: { name }, spec }));
    expect(r.code === 0, r.stderr).toBe(ok);
    if (!ok) expect(r.stderr).toMatch(/invalid|Invalid|Required|must/);
  });

  it.each(SYNCS)("Sync: $reason (accepted: $ok)", async ({ spec, ok }) => {
    const name = uniqueName("sync");
    const r = await kubectl(["create", "-n", ns, "-f", "-"], JSON.stringify({ apiVersion: "gitops.sigil.dev/v1alpha1", kind: "Sync", metadata: { name }, spec }));
    expect(r.code === 0, r.stderr).toBe(ok);
    if (!ok) expect(r.stderr).toMatch(/invalid|Invalid|Required|must|Unsupported/);
  });

  it("fills in the documented defaults", async () => {
    await kubectl(["create", "-n", ns, "-f", "-"], JSON.stringify({ apiVersion: "gitops.sigil.dev/v1alpha1", kind: "Sync", metadata: { name: "defaults" }, spec: { sourceRef: { kind: "GitSource", name: "a" } } }));
    await kubectl(["create", "-n", ns, "-f", "-"], JSON.stringify({ apiVersion: "gitops.sigil.dev/v1alpha1", kind: "GitSource", metadata: { name: "defaults" }, spec: { url: "https://g/a.git" } }));
    const sync = JSON.parse((await kubectl(["get", "-n", ns, "sync/defaults", "-o", "json"])).stdout) as { spec: Record<string, unknown> };
    expect(sync.spec).toMatchObject({ path: "./", interval: "10m", timeout: "5m", prune: true, selfHeal: true, allowEmpty: false, force: false, wait: false, suspend: false, sealedSecrets: "Controller" });
    const gs = JSON.parse((await kubectl(["get", "-n", ns, "gitsource/defaults", "-o", "json"])).stdout) as { spec: Record<string, unknown> };
    expect(gs.spec).toMatchObject({ interval: "1m", timeout: "60s", suspend: false });
  });

  it("keeps status out of spec writes (status subresource)", async () => {
    const name = uniqueName("st");
    const obj = { apiVersion: "gitops.sigil.dev/v1alpha1", kind: "Sync", metadata: { name }, spec: { sourceRef: { kind: "GitSource", name: "a" } }, status: { lastAppliedRevision: "main@sha1:x" } };
    expect((await kubectl(["create", "-n", ns, "-f", "-"], JSON.stringify(obj))).code).toBe(0);
    const got = JSON.parse((await kubectl(["get", "-n", ns, `sync/${name}`, "-o", "json"])).stdout) as { status?: { lastAppliedRevision?: string } };
    // (a Sync controller running in another test file may have written a status of its own meanwhile, never this field)
    expect(got.status?.lastAppliedRevision).toBeUndefined();
  });
});
