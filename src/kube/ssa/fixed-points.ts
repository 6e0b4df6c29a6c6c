/**
 * Objects known not to need a write: after a dry-run apply of a body found
 * the live object unchanged, applying that body to that resourceVersion is
 * a no-op. While the live object keeps that resourceVersion (nothing wrote
 * to it since) and the body is the same, the next diff needs only the GET,
 * not the dry-run PATCH. Memory only, bounded (oldest entries dropped).
 * What it cannot see: a change of the API server's own behaviour for an
 * unchanged object (a new mutating webhook, a CRD schema's new defaults);
 * such a change is applied at the object's next change or the process's
 * next start.
 */
import { createHash } from "node:crypto";
import type { KubeObject } from "../objects.js";

/** See the module comment. */
export class FixedPoints {
  readonly #byPath = new Map<string, { readonly rv: string; readonly hash: string }>();
  readonly #max: number;

  constructor(max = 50_000) {
    this.#max = max;
  }

  /** The fingerprint of a body applied with these options. */
  static hash(body: KubeObject, fieldManager: string, force: boolean): string {
    return createHash("sha256").update(`${fieldManager}\0${String(force)}\0${JSON.stringify(body)}`).digest("hex");
  }

  /** True when `hash` applied to the object at `path` at resourceVersion `rv` was found to change nothing. */
  has(path: string, rv: string | undefined, hash: string): boolean {
    const seen = this.#byPath.get(path);
    return rv !== undefined && seen !== undefined && seen.rv === rv && seen.hash === hash;
  }

  /** Record that `hash` applied at `rv` changes nothing. */
  add(path: string, rv: string | undefined, hash: string): void {
    if (rv === undefined) return;
    this.#byPath.delete(path);
    this.#byPath.set(path, { rv, hash });
    if (this.#byPath.size > this.#max) {
      const oldest = this.#byPath.keys().next();
      if (oldest.done !== true) this.#byPath.delete(oldest.value);
    }
  }

  /** Forget the object at `path` (written or deleted). */
  delete(path: string): void {
    this.#byPath.delete(path);
  }

  get size(): number {
    return this.#byPath.size;
  }
}
