/**
 * First sync and re-sync, side by side: `sigil sync --once` of the Git
 * repository into a fresh namespace, and the reference (git clone, `sops -d`
 * per encrypted file, `kubectl apply --server-side` of the result) into
 * another; then the same again over the unchanged revision. Requests are
 * counted in the API server's audit log.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeClient } from "../../src/kube/index.js";
import { peerBin, peers } from "../../test/support/peers.js";
import { BY_KUBECTL, BY_SIGIL, audited, counts, inScope, timed } from "./processes.js";
import type { RequestCounts, Timed } from "./processes.js";
import { ageKeyEnv } from "./repo.js";
import type { BenchRepo } from "./repo.js";

/** One side of one step. */
export interface Side {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly maxRssMb: number;
  readonly requests: RequestCounts;
  readonly summary?: string;
}

export interface SyncResults {
  readonly first: { readonly sigil: Side; readonly reference: Side };
  readonly resync: { readonly sigil: Side; readonly reference: Side };
  /** Objects found in each namespace afterwards, by resource. */
  readonly live: { readonly sigil: Record<string, number>; readonly reference: Record<string, number> };
}

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? tmpdir(), KUBECONFIG: peers().kube.kubeconfig, ...ageKeyEnv(), ...extra };
}

/** The reference as one shell script, so GNU time counts every child's CPU. */
function referenceScript(repo: BenchRepo, ns: string, work: string, clone: boolean): string {
  const q = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;
  const lines = ["set -eu", `cd ${q(work)}`];
  if (clone) {
    lines.push(`git clone -q --depth 1 ${q(repo.repo.fileUrl)} src`);
    // sops -d once per encrypted file, in place in the checkout.
    lines.push(`for f in ${repo.encrypted.map(q).join(" ")}; do ${q(peerBin("sops"))} -d "src/$f" > dec.yaml; mv dec.yaml "src/$f"; done`);
  }
  lines.push(`${q(peerBin("kubectl"))} apply --server-side --field-manager=kubectl-bench -n ${q(ns)} -f src/app -o name > applied.txt`);
  return lines.join("\n");
}

async function side(client: KubeClient, who: typeof BY_SIGIL, run: () => Timed, summary: (t: Timed) => string | undefined): Promise<Side> {
  const { value, events } = await audited(client, run);
  const s = summary(value);
  return { wallSeconds: value.wallSeconds, cpuSeconds: value.cpuSeconds, maxRssMb: value.maxRssMb, requests: counts(events, who), ...(s === undefined ? {} : { summary: s }) };
}

const RESOURCES = ["secrets", "configmaps", "services", "serviceaccounts"];

async function live(client: KubeClient, ns: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of RESOURCES) out[r] = (await client.list(`/api/v1/namespaces/${ns}/${r}`)).items.length;
  out["deployments"] = (await client.list(`/apis/apps/v1/namespaces/${ns}/deployments`)).items.length;
  return out;
}

/** Run both sides, first sync then re-sync. `cli` is the compiled Sigil CLI entry. */
export async function measureSyncs(client: KubeClient, repo: BenchRepo, cli: string, nsSigil: string, nsRef: string, log: (m: string) => void): Promise<SyncResults> {
  const work = mkdtempSync(join(tmpdir(), "sigil-bench-ref-"));
  const kubeconfig = peers().kube.kubeconfig;
  const sigilArgs = [cli, "sync", "--once", "--source", repo.repo.fileUrl, "--ref", "main", "--path", "app", "-n", nsSigil, "--kubeconfig", kubeconfig];
  const lastLine = (t: Timed): string | undefined => t.stdout.trim().split("\n").pop();
  const sigil = (e: Parameters<typeof BY_SIGIL>[0]): boolean => BY_SIGIL(e) && inScope(nsSigil)(e);
  const kubectl = (e: Parameters<typeof BY_KUBECTL>[0]): boolean => BY_KUBECTL(e) && inScope(nsRef)(e);
  try {
    log("first sync: reference (git clone, sops -d per file, kubectl apply --server-side)");
    const refFirst = await side(client, kubectl, () => timed("bash", ["-c", referenceScript(repo, nsRef, work, true)], env({})), () => undefined);
    log(JSON.stringify(refFirst));
    log("first sync: sigil sync --once");
    const sigilFirst = await side(client, sigil, () => timed(process.execPath, sigilArgs, env({})), lastLine);
    log(JSON.stringify(sigilFirst));
    if (sigilFirst.requests.requests === 0) throw new Error("no request of sigil in the audit log: has its user agent changed? (BY_SIGIL in processes.ts)");
    log("re-sync of the unchanged revision: kubectl apply --server-side of the same files");
    const refAgain = await side(client, kubectl, () => timed("bash", ["-c", referenceScript(repo, nsRef, work, false)], env({})), () => undefined);
    log(JSON.stringify(refAgain));
    log("re-sync of the unchanged revision: sigil sync --once");
    const sigilAgain = await side(client, sigil, () => timed(process.execPath, sigilArgs, env({})), lastLine);
    log(JSON.stringify(sigilAgain));
    return {
      first: { sigil: sigilFirst, reference: refFirst },
      resync: { sigil: sigilAgain, reference: refAgain },
      live: { sigil: await live(client, nsSigil), reference: await live(client, nsRef) },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
