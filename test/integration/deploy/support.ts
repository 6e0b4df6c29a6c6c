/** `kustomize build deploy` with the environment's real kustomize binary, parsed. */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../../src/kube/index.js";
import { peerBin } from "../../support/peers.js";

export const DEPLOY_DIR = fileURLToPath(new URL("../../../deploy", import.meta.url));
export const CRDS_DIR = fileURLToPath(new URL("../../../crds", import.meta.url));

/** A built object with the fields the tests read. */
export type Built = KubeObject & Record<string, unknown>;

/** The YAML `kustomize build deploy` prints. */
export function buildDeployYaml(dir = DEPLOY_DIR): string {
  return execFileSync(peerBin("kustomize"), ["build", dir], { encoding: "utf8", maxBuffer: 32 << 20 });
}

/** The objects of `kustomize build deploy`. */
export function buildDeploy(dir = DEPLOY_DIR): Built[] {
  return parseAllDocuments(buildDeployYaml(dir)).map((d) => d.toJS() as Built).filter((o) => typeof o.kind === "string");
}

/** The one object of `kind` named `name`. */
export function find(objects: readonly Built[], kind: string, name: string): Built {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (found === undefined) throw new Error(`no ${kind}/${name} in the build`);
  return found;
}
