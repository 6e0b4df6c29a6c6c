/** The fetched revisions of GitSources, shared in-process by the GitSource and Sync controllers. */
import type { Artifact } from "../../reconcile/index.js";

export class ArtifactStore {
  readonly #byKey = new Map<string, Artifact>();
  /** Called with the GitSource key after its artifact changed. */
  onChange: ((key: string) => void) | undefined;

  get(key: string): Artifact | undefined {
    return this.#byKey.get(key);
  }

  set(key: string, artifact: Artifact): void {
    const old = this.#byKey.get(key);
    this.#byKey.set(key, artifact);
    if (old?.revision !== artifact.revision || old.dir !== artifact.dir) this.onChange?.(key);
  }

  delete(key: string): void {
    this.#byKey.delete(key);
  }
}
