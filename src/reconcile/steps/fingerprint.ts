/**
 * Re-sync without diffs. A server-side diff (a GET and a dry-run apply per
 * object) is what makes a re-sync of 1,000 unchanged objects slow, so a
 * long-running reconciler can skip it for objects it knows are unchanged:
 *
 * - the desired set is the same as at the last apply: same scope (the
 *   caller's revision and spec generation) and the same prepared objects,
 *   compared by an HMAC of them under a key made at random per process (the
 *   objects hold decrypted Secret values; the digest stays in memory, is
 *   never logged, and cannot be checked against guesses without the key);
 * - and the live object is the very version that apply confirmed (created,
 *   configured, or found unchanged by its dry run), or a later one that
 *   differs from it only in what Sigil does not manage: a watch cache
 *   ({@link LiveVersions}) vouches for it. Any write by anyone since gives it
 *   a new resourceVersion; the watch cache tells a status update (a
 *   Deployment's, by its controller: same generation, labels and
 *   annotations) from a change of the desired state.
 *
 * Every other object (new in the set, edited or deleted live, not in the
 * watch cache yet, skipped by an annotation) is diffed as before. Nothing is
 * persisted: after a restart the first re-sync diffs everything.
 */
import { createHmac, randomBytes } from "node:crypto";
import type { ChangeSetEntry, KubeObject, ResourceManager } from "../../kube/index.js";
import { applyObjects } from "./apply.js";
import type { ApplyStepOptions } from "./apply.js";

/** What an object is, for a cache lookup (namespace undefined or "" for cluster-scoped objects). */
export interface LiveRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string | undefined;
  readonly name: string;
}

/** Where the version of a managed object is known without a request (a watch cache). */
export interface LiveVersions {
  /**
   * True when the live object is at `resourceVersion`, or at a later version that changed nothing Sigil manages (a
   * status update); false when the cache cannot vouch for it (not watched, not listed yet, gone, changed).
   */
  confirms(ref: LiveRef, resourceVersion: string): boolean;
  /** Start watching the kinds of `refs` (before they are written, so the writes and the status updates after them are seen). */
  watchKinds?(refs: readonly LiveRef[]): Promise<void>;
}

/** One reconcile's view of what the last apply confirmed (see the module comment). */
export interface ResyncCache {
  /** The objects known to be unchanged (as `unchanged` entries, no request made) and the rest, to diff and apply. */
  split(objects: readonly KubeObject[], defaultNamespace: string): Promise<{ readonly known: ChangeSetEntry[]; readonly rest: KubeObject[] }>;
  /** Remember the entries of an apply of the whole set that succeeded. */
  remember(entries: readonly ChangeSetEntry[]): void;
}

interface Applied {
  readonly digest: string;
  /** Confirmed entries (with a resourceVersion), by {@link refKey}. */
  readonly entries: Map<string, ChangeSetEntry>;
}

const refKey = (apiVersion: string, kind: string, namespace: string | undefined, name: string): string => JSON.stringify([apiVersion, kind, namespace ?? "", name]);

/** The entry confirmed for `o`: under its namespace, or (when it names none) the default namespace or none (cluster-scoped). */
function confirmedFor(o: KubeObject, entries: ReadonlyMap<string, ChangeSetEntry>, defaultNamespace: string): ChangeSetEntry | undefined {
  const [apiVersion, kind, name, ns] = [o.apiVersion ?? "", o.kind ?? "", o.metadata?.name ?? "", o.metadata?.namespace];
  if (ns !== undefined && ns !== "") return entries.get(refKey(apiVersion, kind, ns, name));
  return entries.get(refKey(apiVersion, kind, defaultNamespace, name)) ?? entries.get(refKey(apiVersion, kind, undefined, name));
}

/** What the last successful applies confirmed, per owner (a Sync), in memory. */
export class ResyncMemory {
  readonly #key = randomBytes(32);
  readonly #byOwner = new Map<string, Applied>();

  constructor(private readonly live: LiveVersions) {}

  /** The cache for one reconcile of `owner`; `scope` holds what must also be equal (revision, spec generation). */
  session(owner: string, scope: string): ResyncCache {
    let digest: string | undefined;
    return {
      split: async (objects, defaultNamespace) => {
        await this.live.watchKinds?.(objects.map((o) => ({ apiVersion: o.apiVersion ?? "", kind: o.kind ?? "", namespace: o.metadata?.namespace, name: o.metadata?.name ?? "" })));
        digest = this.#digest(scope, objects);
        return this.#split(this.#byOwner.get(owner), digest, objects, defaultNamespace);
      },
      remember: (entries) => {
        if (digest !== undefined) this.#byOwner.set(owner, { digest, entries: confirmed(entries) });
      },
    };
  }

  /**
   * Entries of `owner`'s last applied set that were applied again on their own since (a drift repair from that same
   * set): their new versions replace the remembered ones, so the next re-sync does not diff them again. Entries of
   * objects not in the remembered set are ignored.
   */
  confirm(owner: string, entries: readonly ChangeSetEntry[]): void {
    const applied = this.#byOwner.get(owner);
    if (applied === undefined) return;
    for (const [key, entry] of confirmed(entries)) if (applied.entries.has(key)) applied.entries.set(key, entry);
  }

  /** Drop what is known of `owner` (deleted, or its objects about to be pruned). */
  forget(owner: string): void {
    this.#byOwner.delete(owner);
  }

  #digest(scope: string, objects: readonly KubeObject[]): string {
    const mac = createHmac("sha256", this.#key).update(scope).update("\0");
    for (const o of objects) mac.update(JSON.stringify(o)).update("\0");
    return mac.digest("base64");
  }

  #split(applied: Applied | undefined, digest: string, objects: readonly KubeObject[], defaultNamespace: string): { known: ChangeSetEntry[]; rest: KubeObject[] } {
    if (applied?.digest !== digest) return { known: [], rest: [...objects] };
    const known: ChangeSetEntry[] = [];
    const rest: KubeObject[] = [];
    for (const o of objects) {
      const entry = confirmedFor(o, applied.entries, defaultNamespace);
      if (entry?.resourceVersion !== undefined && this.live.confirms(entry, entry.resourceVersion)) known.push(entry);
      else rest.push(o);
    }
    return { known, rest };
  }
}

/** Entries an apply confirmed: written or found unchanged, with the resourceVersion of that moment (no diff kept). */
function confirmed(entries: readonly ChangeSetEntry[]): Map<string, ChangeSetEntry> {
  const out = new Map<string, ChangeSetEntry>();
  for (const e of entries) {
    if (e.resourceVersion === undefined || !(e.action === "created" || e.action === "configured" || e.action === "unchanged")) continue;
    const kept: ChangeSetEntry = { subject: e.subject, apiVersion: e.apiVersion, kind: e.kind, namespace: e.namespace, name: e.name, action: "unchanged", resourceVersion: e.resourceVersion };
    out.set(refKey(e.apiVersion, e.kind, e.namespace, e.name), kept);
  }
  return out;
}

/**
 * Step 5 with a {@link ResyncCache}: objects known unchanged get no request; the rest are applied as {@link applyObjects} does (staged, diffed, written when drifted).
 * Without a cache, or in a dry run, every object is diffed.
 * @throws SigilError as {@link applyObjects}; nothing is remembered then.
 */
export async function applyChanged(objects: readonly KubeObject[], manager: ResourceManager, opts: ApplyStepOptions, cache: ResyncCache | undefined): Promise<ChangeSetEntry[]> {
  if (cache === undefined || opts.dryRun) return applyObjects(objects, manager, opts);
  const { known, rest } = await cache.split(objects, opts.defaultNamespace);
  const applied = rest.length === 0 ? [] : await applyObjects(rest, manager, opts);
  const entries = [...known, ...applied];
  cache.remember(entries);
  return entries;
}
