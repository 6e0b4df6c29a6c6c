/**
 * Installing Sigil's own CRD files in tests and benchmarks, and running the
 * environment's kubectl: one copy instead of one per test file.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parse } from "yaml";
import { ResourceManager } from "../../src/kube/index.js";
import type { KubeClient, KubeObject } from "../../src/kube/index.js";
import { peerBin, peers } from "./peers.js";

const run = promisify(execFile);

/** Absolute path of a file in the repository's `crds/` folder. */
export function crdFile(name: string): string {
  return fileURLToPath(new URL(`../../crds/${name}`, import.meta.url));
}

/**
 * Apply CRD files with the project's own server-side apply: staged, so it
 * returns once every CRD it wrote is Established.
 */
export async function applyCrdFiles(client: KubeClient, files: readonly string[], fieldManager = "sigil-test"): Promise<void> {
  const objects = files.map((f) => parse(readFileSync(f, "utf8")) as KubeObject);
  await new ResourceManager({ client }).apply(objects, { fieldManager, force: true });
}

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the environment's kubectl as its admin, with `stdin`; a non-zero exit is a result, not a throw. */
export async function kubectl(args: readonly string[], stdin = ""): Promise<KubectlResult> {
  const child = run(peerBin("kubectl"), ["--kubeconfig", peers().kube.kubeconfig, ...args], { maxBuffer: 16 << 20 });
  child.child.stdin?.end(stdin);
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}
