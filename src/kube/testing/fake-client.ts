/**
 * An in-memory `KubeClient` for fast unit tests of controller logic:
 * objects with uids, resourceVersions and generations; create, replace
 * (with resourceVersion conflicts), merge patches (the `status`
 * subresource too), delete; lists with label selectors and pages; and
 * watches that replay from a resourceVersion, answer `410 Gone` for one
 * older than `compact()` left, send bookmarks, and can be cut. It counts
 * requests by verb, so a test can assert that nothing was written.
 *
 * What it does not do: garbage collection, admission, field selectors,
 * defaulting, strategic or JSON patches. Every path it serves has an
 * integration test against the real API server as well.
 */
import { randomUUID } from "node:crypto";
import { SigilError } from "../../core/index.js";
import type { KubeObject } from "../objects.js";
import type { KubeClient, ListPage, PatchType, Query, WatchEvent, WatchEventType } from "../types.js";
import { parsePath, storeKey } from "./fake-path.js";
import type { ParsedPath } from "./fake-path.js";
import { labelMatcher } from "./selector.js";

interface Logged {
  readonly rv: number;
  readonly type: WatchEventType;
  readonly collection: string;
  readonly object: KubeObject;
}

interface Watcher {
  readonly path: ParsedPath;
  readonly matches: (labels: Readonly<Record<string, string>> | undefined) => boolean;
  readonly onEvent: (event: WatchEvent<unknown>) => void;
  readonly end: (error?: SigilError) => void;
}

/** Requests the fake received, by verb. */
export type Verb = "get" | "list" | "create" | "replace" | "patch" | "delete" | "watch";

/** See the module comment. */
export class FakeKubeClient implements KubeClient {
  readonly #objects = new Map<string, Map<string, KubeObject>>();
  readonly #log: Logged[] = [];
  readonly #watchers = new Set<Watcher>();
  #rv = 1;
  #compacted = 0;
  /** Requests received, by verb. */
  readonly requests: Record<Verb, number> = { get: 0, list: 0, create: 0, replace: 0, patch: 0, delete: 0, watch: 0 };
  /** Errors to throw from the next calls of a verb (first in, first thrown). */
  readonly failures = new Map<Verb, SigilError[]>();

  /** Writes so far (create, replace, patch, delete). */
  get writes(): number {
    const r = this.requests;
    return r.create + r.replace + r.patch + r.delete;
  }

  /** Open watches. */
  get watchCount(): number {
    return this.#watchers.size;
  }

  /** Throw `error` from the next call of `verb`. */
  failNext(verb: Verb, error: SigilError): void {
    this.failures.set(verb, [...(this.failures.get(verb) ?? []), error]);
  }

  #enter(verb: Verb): void {
    this.requests[verb]++;
    const error = this.failures.get(verb)?.shift();
    if (error !== undefined) throw error;
  }

  #bucket(collection: string): Map<string, KubeObject> {
    let bucket = this.#objects.get(collection);
    if (bucket === undefined) {
      bucket = new Map();
      this.#objects.set(collection, bucket);
    }
    return bucket;
  }

  get<T>(path: string): Promise<T | undefined> {
    return attempt(() => {
      this.#enter("get");
      const p = parsePath(path);
      const found = this.#bucket(p.collection).get(storeKey(p.namespace, p.name ?? ""));
      return found === undefined ? undefined : (structuredClone(found) as T);
    });
  }

  list<T>(path: string, query: Query = {}): Promise<ListPage<T>> {
    return attempt(() => {
      this.#enter("list");
      const p = parsePath(path);
      const matches = labelMatcher(str(query["labelSelector"]));
      const all = [...this.#bucket(p.collection).values()].filter((o) => inNamespace(o, p.namespace) && matches(o.metadata?.labels));
      const start = Number(str(query["continue"]) ?? "0");
      const limit = typeof query["limit"] === "number" && query["limit"] > 0 ? query["limit"] : all.length;
      const items = all.slice(start, start + limit).map((o) => structuredClone(o) as T);
      const next = start + limit < all.length ? String(start + limit) : undefined;
      return { items, resourceVersion: String(this.#rv), continue: next };
    });
  }

  create<T>(path: string, body: unknown): Promise<T> {
    return attempt(() => {
      this.#enter("create");
      const p = parsePath(path);
      const object = structuredClone(body) as KubeObject;
      const meta = (object.metadata ??= {});
      if (meta.name === undefined && meta.generateName !== undefined) meta.name = `${meta.generateName}${randomUUID().slice(0, 5)}`;
      if (p.namespace !== undefined) meta.namespace = p.namespace;
      const key = storeKey(meta.namespace, meta.name ?? "");
      const bucket = this.#bucket(p.collection);
      if (bucket.has(key)) throw new SigilError("kube.conflict", `post failed: ${p.collection} "${meta.name ?? ""}" already exists`, { subject: path });
      Object.assign(meta, { uid: randomUUID(), generation: 1, creationTimestamp: new Date().toISOString() });
      return this.#store(p.collection, key, object, "ADDED") as T;
    });
  }

  replace<T>(path: string, body: unknown): Promise<T> {
    return attempt(() => {
      this.#enter("replace");
      const p = parsePath(path);
      const existing = this.#existing(p, path);
      const object = structuredClone(body) as KubeObject;
      const meta = (object.metadata ??= {});
      const sent = meta.resourceVersion;
      if (sent !== undefined && sent !== "" && sent !== existing.metadata?.resourceVersion) {
        throw new SigilError("kube.conflict", "put failed: the object has been modified; please apply your changes to the latest version and try again", { subject: path });
      }
      immutableCheck(existing, object, path);
      if (p.namespace !== undefined) meta.namespace = p.namespace;
      Object.assign(meta, { uid: existing.metadata?.uid, creationTimestamp: existing.metadata?.creationTimestamp, generation: nextGeneration(existing, object) });
      return this.#store(p.collection, storeKey(p.namespace, p.name ?? ""), object, "MODIFIED") as T;
    });
  }

  patch<T>(path: string, body: unknown, type: PatchType): Promise<T> {
    return attempt(() => {
      this.#enter("patch");
      if (type === "json") throw new SigilError("kube.invalid", "the fake client applies merge patches only", { subject: path });
      const p = parsePath(path);
      const existing = this.#existing(p, path);
      const patch = (p.subresource === "status" ? { status: (body as { status?: unknown }).status } : body) as Record<string, unknown>;
      const object = mergePatch(structuredClone(existing), patch) as KubeObject;
      immutableCheck(existing, object, path);
      (object.metadata ??= {}).generation = nextGeneration(existing, object);
      return this.#store(p.collection, storeKey(p.namespace, p.name ?? ""), object, "MODIFIED") as T;
    });
  }

  delete(path: string): Promise<boolean> {
    return attempt(() => {
      this.#enter("delete");
      const p = parsePath(path);
      const bucket = this.#bucket(p.collection);
      const key = storeKey(p.namespace, p.name ?? "");
      const existing = bucket.get(key);
      if (existing === undefined) return false;
      bucket.delete(key);
      const gone = structuredClone(existing);
      (gone.metadata ??= {}).resourceVersion = String(++this.#rv);
      this.#emit({ rv: this.#rv, type: "DELETED", collection: p.collection, object: gone });
      return true;
    });
  }

  watch<T>(path: string, query: Query, onEvent: (event: WatchEvent<T>) => void, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    try {
      this.#enter("watch");
    } catch (err) {
      return Promise.reject(asError(err));
    }
    const p = parsePath(path);
    const from = Number(str(query["resourceVersion"]) ?? "0");
    if (from > 0 && from < this.#compacted) return Promise.reject(new SigilError("kube.expired", `watch failed: too old resource version: ${from} (${this.#compacted})`, { subject: path }));
    return new Promise<void>((resolve, reject) => {
      const watcher: Watcher = {
        path: p,
        matches: labelMatcher(str(query["labelSelector"])),
        onEvent: onEvent as (event: WatchEvent<unknown>) => void,
        end: (error) => {
          this.#watchers.delete(watcher);
          signal.removeEventListener("abort", onAbort);
          if (error === undefined) resolve();
          else reject(error);
        },
      };
      const onAbort = (): void => {
        watcher.end();
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.#watchers.add(watcher);
      for (const logged of this.#log) if (logged.rv > from) this.#deliver(watcher, logged);
    });
  }

  /** Forget history up to now: a watch from an older resourceVersion gets `410 Gone`. Open watches are ended (as the server does). */
  compact(): void {
    this.#compacted = this.#rv;
    this.#log.splice(0);
    this.cutWatches(new SigilError("kube.expired", "watch failed: too old resource version"));
  }

  /** End every open watch: cleanly (the server's timeout) or with `error` (a broken connection, `kube.unreachable`). */
  cutWatches(error?: SigilError): void {
    for (const watcher of [...this.#watchers]) watcher.end(error);
  }

  /** Send a BOOKMARK with the current resourceVersion to every open watch. */
  bookmark(): void {
    for (const watcher of this.#watchers) watcher.onEvent({ type: "BOOKMARK", object: { metadata: { resourceVersion: String(this.#rv) } } });
  }

  #existing(p: ParsedPath, path: string): KubeObject {
    const found = this.#bucket(p.collection).get(storeKey(p.namespace, p.name ?? ""));
    if (found === undefined) throw new SigilError("kube.not_found", `${p.collection} "${p.name ?? ""}" not found`, { subject: path });
    return found;
  }

  #store(collection: string, key: string, object: KubeObject, type: WatchEventType): KubeObject {
    (object.metadata ??= {}).resourceVersion = String(++this.#rv);
    this.#bucket(collection).set(key, object);
    this.#emit({ rv: this.#rv, type, collection, object: structuredClone(object) });
    return structuredClone(object);
  }

  #emit(logged: Logged): void {
    this.#log.push(logged);
    for (const watcher of this.#watchers) this.#deliver(watcher, logged);
  }

  /** Delivered after the current call returns, as a real watch would. */
  #deliver(watcher: Watcher, logged: Logged): void {
    if (logged.collection !== watcher.path.collection || !inNamespace(logged.object, watcher.path.namespace) || !watcher.matches(logged.object.metadata?.labels)) return;
    setImmediate(() => {
      if (this.#watchers.has(watcher)) watcher.onEvent({ type: logged.type, object: structuredClone(logged.object) });
    });
  }
}

function attempt<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(asError(err));
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function inNamespace(object: KubeObject, namespace: string | undefined): boolean {
  return namespace === undefined || object.metadata?.namespace === namespace;
}

/** The generation goes up when anything but metadata and status changes. */
function nextGeneration(before: KubeObject, after: KubeObject): number {
  const body = (o: KubeObject): string => JSON.stringify({ ...o, metadata: undefined, status: undefined });
  const current = before.metadata?.generation ?? 1;
  return body(before) === body(after) ? current : current + 1;
}

function immutableCheck(before: KubeObject, after: KubeObject, path: string): void {
  const b = before as { immutable?: boolean; data?: unknown };
  const a = after as { data?: unknown };
  if (b.immutable === true && JSON.stringify(b.data ?? {}) !== JSON.stringify(a.data ?? {})) {
    throw new SigilError("kube.immutable", "put failed: field is immutable when `immutable` is set", { subject: path });
  }
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target !== null && typeof target === "object" && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) Reflect.deleteProperty(out, k);
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
