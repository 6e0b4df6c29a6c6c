/**
 * Status writes only when they change something: a re-sync that computes
 * the status already there makes no request. The status is compared with
 * the informer's copy and with what this process last wrote (the informer
 * may not have seen that write yet); either differing means a patch.
 */
import { resourcePath, splitKey } from "../../kube/index.js";
import type { KubeClient, ResourceType } from "../../kube/index.js";
import { statusChanged } from "./sync-status.js";

export class StatusWriter {
  /** Per object key: the status the API server returned for this process's last patch. */
  readonly #written = new Map<string, unknown>();

  constructor(
    private readonly client: KubeClient,
    private readonly type: ResourceType,
  ) {}

  /**
   * Merge-patch the status subresource of `key` with `next` unless that would change nothing. Returns true when it wrote.
   * @throws SigilError `kube.*`.
   */
  async patch(key: string, current: unknown, next: Record<string, unknown>): Promise<boolean> {
    const mine = this.#written.get(key);
    if (!statusChanged(current, next) && (mine === undefined || !statusChanged(mine, next))) return false;
    const { namespace, name } = splitKey(key);
    const updated = await this.client.patch<{ status?: unknown } | undefined>(resourcePath(this.type, { namespace, name, subresource: "status" }), { status: next }, "merge");
    this.#written.set(key, updated?.status ?? next);
    return true;
  }

  /** Forget `key` (deleted). */
  forget(key: string): void {
    this.#written.delete(key);
  }
}
