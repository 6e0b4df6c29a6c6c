/**
 * A targeted RSS run of `sigil operator` (the bundle) over N SealedSecrets,
 * without the rest of the benchmark. Needs the test environment.
 *
 *   npx tsx bench/sealed-secrets/rss.ts                         # a new namespace of 5,000 (kept: its name is printed), first sync
 *   npx tsx bench/sealed-secrets/rss.ts --namespace NS --fresh  # first sync again: produced Secrets deleted, statuses cleared
 *   npx tsx bench/sealed-secrets/rss.ts --namespace NS          # a restart over reconciled objects
 *   options: --count N (default 5000), --settings deployed|defaults, --runtime bundle|tsx,
 *            --env NAME=VALUE (repeatable: set or override a variable, e.g. NODE_OPTIONS, MALLOC_ARENA_MAX),
 *            --delete (remove the namespace at the end)
 *
 * Prints one JSON line per phase (see operator-process.ts), then the peak.
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { HttpKubeClient } from "../../src/kube/index.js";
import { ensureSealedSecretCrd, kubeConnection } from "../../test/support/bitnami.js";
import { peers, uniqueName } from "../../test/support/peers.js";
import { createSealedSecrets, measureRss, prepareNamespace } from "./reconcile.js";
import type { Runtime, Settings } from "./reconcile.js";

const { values } = parseArgs({
  options: {
    namespace: { type: "string" },
    count: { type: "string", default: "5000" },
    fresh: { type: "boolean", default: false },
    settings: { type: "string", default: "deployed" },
    runtime: { type: "string", default: "bundle" },
    delete: { type: "boolean", default: false },
    env: { type: "string", multiple: true, default: [] },
  },
});
const count = Number(values.count);
const log = (msg: string): void => {
  process.stderr.write(`[rss] ${msg}\n`);
};
const env = peers();
const client = new HttpKubeClient(kubeConnection(env.kube.kubeconfig));
await ensureSealedSecretCrd(client);
let ns = values.namespace;
if (ns === undefined) {
  ns = uniqueName("bench-rss");
  log(`creating ${count} SealedSecrets in ${ns}`);
  const pair = await prepareNamespace(client, ns);
  await createSealedSecrets(client, ns, pair, 0, count);
} else if (values.fresh) {
  log(`${ns}: deleting the produced Secrets and clearing the statuses (a first sync again)`);
  await client.delete(`/api/v1/namespaces/${ns}/secrets`, { labelSelector: "!sealedsecrets.bitnami.com/sealed-secrets-key" });
  const names = (await client.list<{ metadata: { name: string } }>(`/apis/bitnami.com/v1alpha1/namespaces/${ns}/sealedsecrets`)).items.map((i) => i.metadata.name);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      const name = names[next++];
      await client.patch(`/apis/bitnami.com/v1alpha1/namespaces/${ns}/sealedsecrets/${name}/status`, { status: null }, "merge");
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}
log(`namespace ${ns}; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
try {
  const overrides = Object.fromEntries(values.env.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
  const result = await measureRss(env.kube.kubeconfig, ns, count, values.runtime as Runtime, values.settings as Settings, overrides);
  for (const phase of result.phases) process.stdout.write(`${JSON.stringify(phase)}\n`);
  process.stdout.write(`${JSON.stringify({ peakRssMb: result.peakRssMb, steadyRssMb: result.steadyRssMb, env: result.env, atPeak: result.atPeak, load: loadavg() })}\n`);
} finally {
  if (values.delete) await client.delete(`/api/v1/namespaces/${ns}`).catch(() => undefined);
  client.close();
}
