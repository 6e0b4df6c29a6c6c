/**
 * deploy/: `kustomize build deploy` (the real kustomize) gives valid
 * objects, accepted by the real API server in a server-side dry run; the
 * Deployment runs `sigil operator` hardened (non-root, read-only root
 * filesystem, no capabilities, seccomp RuntimeDefault) with the memory flag,
 * probes on the port `--health-addr` names, and the Service reaches the port
 * `--webhook-addr` names; every CRD in crds/ is in the build.
 */
import { readdirSync } from "node:fs";
import { expect, it } from "vitest";
import { kubectl } from "../../support/crds.js";
import { adminClient, createNamespace, deleteNamespace } from "../../support/bitnami.js";
import { describePeers, uniqueName } from "../../support/peers.js";
import { buildDeploy, CRDS_DIR, find } from "./support.js";

interface Container {
  args: string[];
  env: { name: string; value?: string }[];
  ports: { name: string; containerPort: number }[];
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext: Record<string, unknown>;
}
interface PodSpec { serviceAccountName: string; securityContext: Record<string, unknown>; containers: Container[] }

const portOf = (args: readonly string[], flag: string): number => Number(args.find((a) => a.startsWith(`${flag}=`))?.split(":").at(-1));

describePeers("deploy/ (kustomize base)", () => {
  it("is accepted by the API server in a server-side dry run, every object of it", async () => {
    // A dry run persists nothing, so the namespaced objects go to a namespace of the test's (sigil-system may not exist).
    const ns = uniqueName("deploy-dry");
    const client = adminClient();
    await createNamespace(ns, client);
    try {
      const objects = buildDeploy().map((o) => (o.metadata?.namespace === "sigil-system" ? { ...o, metadata: { ...o.metadata, namespace: ns } } : o));
      const res = await kubectl(["apply", "--server-side", "--dry-run=server", "--force-conflicts", "--field-manager=sigil-deploy-test", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
      expect(res.stderr).toBe("");
      expect(res.code).toBe(0);
      const lines = res.stdout.trim().split("\n");
      expect(lines).toHaveLength(objects.length);
      for (const line of lines) expect(line).toMatch(/(serverside-applied|created|configured|unchanged) \(server dry run\)$/);
    } finally {
      await deleteNamespace(ns, client);
      client.close();
    }
  });

  it("includes every CRD of crds/", () => {
    const objects = buildDeploy();
    const crds = objects.filter((o) => o.kind === "CustomResourceDefinition").map((o) => o.metadata?.name ?? "");
    const files = readdirSync(CRDS_DIR).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml");
    expect(crds).toHaveLength(files.length);
    for (const f of files) {
      const [group = "", plural = ""] = f.replace(/\.yaml$/, "").split("_");
      expect(crds).toContain(`${plural}.${group}`);
    }
  });

  it("runs sigil operator non-root on a read-only root filesystem, capabilities dropped, seccomp RuntimeDefault, with probes and the webhook Service on the ports its flags name", () => {
    const objects = buildDeploy();
    const deployment = find(objects, "Deployment", "sigil-operator") as { spec?: { template: { spec: PodSpec } } };
    const pod = deployment.spec?.template.spec;
    const c = pod?.containers[0];
    expect(pod?.serviceAccountName).toBe("sigil-operator");
    expect(pod?.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(c?.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ["ALL"] } });
    expect(c?.args[0]).toBe("operator");
    expect(c?.env).toContainEqual({ name: "NODE_OPTIONS", value: "--max-semi-space-size=2" });
    expect(c?.env).toContainEqual({ name: "MALLOC_ARENA_MAX", value: "2" });
    expect(c?.resources.requests?.["memory"]).toBeDefined();
    expect(c?.resources.limits?.["memory"]).toBeDefined();
    const args = c?.args ?? [];
    const health = c?.ports.find((p) => p.name === c.livenessProbe.httpGet.port);
    expect(health?.containerPort).toBe(portOf(args, "--health-addr"));
    expect([c?.livenessProbe.httpGet.path, c?.readinessProbe.httpGet.path]).toEqual(["/healthz", "/readyz"]);
    expect(c?.readinessProbe.httpGet.port).toBe(c?.livenessProbe.httpGet.port);
    const controllers = args.find((a) => a.startsWith("--controllers="))?.split("=")[1]?.split(",");
    expect(controllers).toEqual(expect.arrayContaining(["sealedsecrets", "externalsecrets", "gitsources", "syncs", "receivers"]));
    const svc = find(objects, "Service", "sigil-webhook-receiver") as { spec?: { ports: { targetPort: string }[] } };
    const webhook = c?.ports.find((p) => p.name === svc.spec?.ports[0]?.targetPort);
    expect(webhook?.containerPort).toBe(portOf(args, "--webhook-addr"));
    expect(objects.filter((o) => o.metadata?.namespace !== undefined).every((o) => o.metadata?.namespace === "sigil-system")).toBe(true);
  });
});
