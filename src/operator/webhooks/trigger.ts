/**
 * What a verified push does: annotate the Receiver's GitSources with
 * `gitops.sigil.dev/requestedAt` (a merge patch), which the `gitsources`
 * controller answers with a fetch, and the `syncs` controller with a
 * reconcile. Pushes to the same Receiver within the debounce window
 * coalesce into one list of its GitSources and one annotation of each.
 */
import { describeError } from "../../core/index.js";
import type { Logger } from "../../core/index.js";
import { resourcePath, splitKey } from "../../kube/index.js";
import type { KubeClient } from "../../kube/index.js";
import type { Clock } from "../../kube/runtime/index.js";
import { REQUESTED_AT_ANNOTATION } from "../../reconcile/index.js";
import { GITSOURCES } from "../gitops/status.js";
import type { Receiver, ReceiverResource } from "./types.js";

/** Options of {@link Trigger}. */
export interface TriggerOptions {
  readonly client: KubeClient;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Pushes for one GitSource within this window make one annotation. */
  readonly debounceMs: number;
}

export function defaultTriggerOptions(): Pick<TriggerOptions, "debounceMs"> {
  return { debounceMs: 250 };
}

interface Named {
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>> };
}

function selects(r: ReceiverResource, gs: Named): boolean {
  if (r.name !== "*" && r.name !== gs.metadata.name) return false;
  return Object.entries(r.matchLabels ?? {}).every(([k, v]) => gs.metadata.labels?.[k] === v);
}

/** See the module comment. */
export class Trigger {
  readonly #opts: TriggerOptions;
  readonly #pending = new Map<string, { cancel(): void }>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #latest = new Map<string, Receiver>();
  /** Annotations written, per GitSource key (tests and metrics). */
  readonly annotated = new Map<string, number>();

  constructor(options: TriggerOptions) {
    this.#opts = options;
  }

  /** The keys (`namespace/name`) of the GitSources `receiver` triggers. */
  async targets(receiver: Receiver): Promise<string[]> {
    const namespace = receiver.metadata.namespace ?? "default";
    const { items } = await this.#opts.client.list<Named>(resourcePath(GITSOURCES, { namespace }));
    return items.filter((gs) => receiver.spec.resources.some((r) => selects(r, gs))).map((gs) => `${namespace}/${gs.metadata.name}`);
  }

  /**
   * Request a fetch of each GitSource of `receiver`. Pushes to one Receiver
   * within the debounce window coalesce: one list of its GitSources and one
   * annotation of each, when the window closes.
   */
  fire(receiver: Receiver): void {
    const key = `${receiver.metadata.namespace ?? "default"}/${receiver.metadata.name}`;
    this.#latest.set(key, receiver);
    if (this.#pending.has(key)) return;
    const timer = this.#opts.clock.setTimer(() => {
      this.#pending.delete(key);
      const latest = this.#latest.get(key) ?? receiver;
      this.#latest.delete(key);
      const p = this.#annotateAll(latest).finally(() => this.#inFlight.delete(p));
      this.#inFlight.add(p);
    }, this.#opts.debounceMs);
    this.#pending.set(key, timer);
  }

  async #annotateAll(receiver: Receiver): Promise<void> {
    try {
      const keys = await this.targets(receiver);
      await Promise.all(keys.map((k) => this.#annotate(k)));
    } catch (err) {
      this.#opts.logger.warn("could not list the Receiver's GitSources", { receiver: receiver.metadata.name, error: describeError(err) });
    }
  }

  async #annotate(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const at = new Date(this.#opts.clock.now()).toISOString();
    try {
      await this.#opts.client.patch(resourcePath(GITSOURCES, { namespace, name }), { metadata: { annotations: { [REQUESTED_AT_ANNOTATION]: at } } }, "merge");
      this.annotated.set(key, (this.annotated.get(key) ?? 0) + 1);
      this.#opts.logger.info("fetch requested", { gitsource: key, requestedAt: at });
    } catch (err) {
      this.#opts.logger.warn("could not request a fetch", { gitsource: key, error: describeError(err) });
    }
  }

  /** Resolves when nothing is pending or being written. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0 || this.#inFlight.size > 0) {
      await Promise.all([...this.#inFlight]);
      if (this.#pending.size > 0) await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Cancel pending annotations and wait for those being written. */
  async stop(): Promise<void> {
    for (const timer of this.#pending.values()) timer.cancel();
    this.#pending.clear();
    await Promise.all([...this.#inFlight]);
  }
}
