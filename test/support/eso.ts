/**
 * Test support for the real External Secrets Operator (ESO v0.16.2) peer:
 *
 * - `esoCrdFiles()` / `ensureEsoCrds()`: ESO's own CRDs, read from the peer
 *   cache (copied there from the Go module cache at build time);
 * - `startEsoController()`: the real ESO controller against the test API
 *   server, with a kubeconfig (`KUBECONFIG`), metrics on 127.0.0.1, no
 *   webhook, no cert controller and no leader election; optionally limited
 *   to one namespace (`--namespace`) and a controller class.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { KubeClient } from "../../src/kube/index.js";
import { freePort } from "../env/proc.js";
import { esoCrdDir, isBuilt, peerDir } from "../env/tools.js";
import { adminClient, waitFor } from "./bitnami.js";
import { peerBin, peers } from "./peers.js";

const CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

/** A CRD object as parsed from YAML. */
export interface CrdObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [k: string]: unknown };
  spec: { group: string; names: { plural: string; kind: string }; [k: string]: unknown };
}

/**
 * The ESO binary: from the environment's state, or from the peer cache when
 * the running environment predates the ESO peer (it is built by `ensureAllPeers`).
 */
export function esoBin(): string {
  const fromState = peers().bin["external-secrets"];
  if (fromState !== undefined) return fromState;
  if (isBuilt("external-secrets")) return join(peerDir("external-secrets"), "bin", "external-secrets");
  return peerBin("external-secrets");
}

/** The YAML files of ESO's CRDs (all of `config/crds/bases`, generators included). */
export function esoCrdFiles(): string[] {
  return readdirSync(esoCrdDir()).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml").sort().map((f) => join(esoCrdDir(), f));
}

/** Parse the CRDs in a YAML file. */
export function readCrds(file: string): CrdObject[] {
  return parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS() as CrdObject).filter((d) => d.kind === "CustomResourceDefinition");
}

/**
 * Install `crds` and wait until each is established and served. Existing
 * ones are kept, or with `update` replaced by the given definition.
 */
export async function installCrds(crds: readonly CrdObject[], client: KubeClient = adminClient(), update = false): Promise<void> {
  for (const crd of crds) {
    const existing = await client.get<{ metadata?: { resourceVersion?: string } }>(`${CRD_PATH}/${crd.metadata.name}`);
    if (existing !== undefined) {
      if (update) await client.replace(`${CRD_PATH}/${crd.metadata.name}`, { ...crd, metadata: { ...crd.metadata, resourceVersion: existing.metadata?.resourceVersion } });
      continue;
    }
    await client.create(CRD_PATH, crd).catch((err: unknown) => {
      if ((err as { code?: string }).code !== "kube.conflict") throw err;
    });
  }
  for (const crd of crds) {
    await waitFor(`CRD ${crd.metadata.name} to be established`, async () => {
      const got = await client.get<{ status?: { conditions?: { type: string; status: string }[] } }>(`${CRD_PATH}/${crd.metadata.name}`);
      return got?.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") === true ? true : undefined;
    }, 30_000, 100);
  }
}

/** Install ESO's CRDs (all of them: the controller watches generators too) unless present. */
export async function ensureEsoCrds(client: KubeClient = adminClient()): Promise<void> {
  await installCrds(esoCrdFiles().flatMap(readCrds), client);
  await waitFor("externalsecrets to be served", () => client.list("/apis/external-secrets.io/v1/externalsecrets").then(() => true), 30_000, 200);
}

/** Options of {@link startEsoController}. */
export interface EsoControllerOptions {
  /** Watch only this namespace (`--namespace`); cluster-wide when unset. */
  readonly namespace?: string;
  /** `--controller-class` (default "default", which also takes stores without `spec.controller`). */
  readonly controllerClass?: string;
  readonly extraArgs?: readonly string[];
}

/** A running ESO controller. */
export interface RunningEsoController {
  readonly pid: number;
  /** `http://127.0.0.1:<port>` of its metrics endpoint. */
  readonly metricsUrl: string;
  /** Everything it printed so far. */
  logs(): string;
  stop(): Promise<void>;
}

/** The flags Sigil's tests run ESO with (exported for the benchmark). */
export function esoArgs(metricsPort: number, options: EsoControllerOptions): string[] {
  return [
    `--metrics-addr=127.0.0.1:${metricsPort}`,
    "--enable-leader-election=false",
    `--controller-class=${options.controllerClass ?? "default"}`,
    "--enable-push-secret-reconciler=false",
    "--enable-cluster-push-secret-reconciler=false",
    "--loglevel=info",
    ...(options.namespace === undefined ? [] : [`--namespace=${options.namespace}`]),
    ...(options.extraArgs ?? []),
  ];
}

/** Start the real ESO controller (its CRDs installed first) and wait until its metrics endpoint answers. */
export async function startEsoController(options: EsoControllerOptions = {}): Promise<RunningEsoController> {
  await ensureEsoCrds();
  const metrics = await freePort();
  const env = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", KUBECONFIG: peers().kube.kubeconfig, HOME: process.env["HOME"] ?? "/tmp" };
  const child = spawn(esoBin(), esoArgs(metrics, options), { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => { resolve(); }));
  const metricsUrl = `http://127.0.0.1:${metrics}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    await waitFor("the ESO controller to serve /metrics", async () => {
      if (child.exitCode !== null) throw new Error(`ESO exited with ${child.exitCode}: ${output.slice(-2000)}`);
      const res = await fetch(`${metricsUrl}/metrics`).catch(() => undefined);
      return res?.ok === true ? true : undefined;
    }, 90_000, 200);
  } catch (err) {
    await stop();
    throw err;
  }
  return { pid: child.pid ?? -1, metricsUrl, logs: () => output, stop };
}
