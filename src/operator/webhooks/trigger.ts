/**
 * What a verified push does: annotate the Receiver's GitSources that the
 * push concerns (`push.ts`: the ref they track) with
 * `gitops.sigil.dev/requestedAt` (a merge patch), which the `gitsources`
 * controller answers with a fetch, and the `syncs` controller with a
 * reconcile. The first push to a Receiver is acted on at once (leading
 * edge); pushes that arrive in the following debounce window are gathered
 * and acted on once when it closes (trailing edge), so a flood makes at
 * most one annotation of each GitSource per window, and a lone push waits
 * for nothing.
 */
import { describeError } from "../../core/index.js";
import type { Logger } from "../../core/index.js";
import { resourcePath, splitKey } from "../../kube/index.js";
import type { KubeClient } from "../../kube/index.js";
import type { Clock, SharedInformer } from "../../kube/runtime/index.js";
import { REQUESTED_AT_ANNOTATION } from "../../reconcile/index.js";
import type { GitRef } from "../../reconcile/index.js";
import { GITSOURCES } from "../gitops/status.js";
import { anyPushConcerns } from "./push.js";
import type { PushInfo } from "./push.js";
import type { Receiver, ReceiverResource } from "./types.js";

/** Options of {@link Trigger}. */
export interface TriggerOptions {
  readonly client: KubeClient;
  readonly clock: Clock;
  readonly logger: Logger;
  /** After a push is acted on, further pushes to the same Receiver within this window are gathered into one. */
  readonly debounceMs: number;
}

export function defaultTriggerOptions(): Pick<TriggerOptions, "debounceMs"> {
  return { debounceMs: 250 };
}

/** What the trigger reads of a GitSource. */
export interface Named {
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec?: { readonly ref?: GitRef | undefined } | undefined;
}

/** Distinct pushes kept per window; past this the window triggers every selected GitSource. */
const MAX_GATHERED = 64;

interface Window {
  readonly timer: { cancel(): void };
  /** The newest Receiver seen and the pushes gathered since the window opened (none: nothing to do when it closes). */
  receiver: Receiver | undefined;
  pushes: PushInfo[];
}

function selects(r: ReceiverResource, gs: Named): boolean {
  if (r.name !== "*" && r.name !== gs.metadata.name) return false;
  return Object.entries(r.matchLabels ?? {}).every(([k, v]) => gs.metadata.labels?.[k] === v);
}

/** See the module comment. */
export class Trigger {
  readonly #opts: TriggerOptions;
  readonly #windows = new Map<string, Window>();
  readonly #inFlight = new Set<Promise<void>>();
  /** Annotations written, per GitSource key (tests and metrics). */
  readonly annotated = new Map<string, number>();
  #cache: SharedInformer<Named> | undefined;

  constructor(options: TriggerOptions) {
    this.#opts = options;
  }

  /** Read GitSources from this informer once it has synced (the `gitsources` controller's own, shared), instead of a list per push. */
  useCache(informer: SharedInformer<Named>): void {
    this.#cache = informer;
  }

  async #gitSources(namespace: string): Promise<Named[]> {
    const cache = this.#cache;
    if (cache?.hasSynced !== true) return (await this.#opts.client.list<Named>(resourcePath(GITSOURCES, { namespace }))).items;
    const prefix = `${namespace}/`;
    return [...cache.keys()].filter((k) => k.startsWith(prefix)).flatMap((k) => cache.get(k) ?? []);
  }

  /** The keys (`namespace/name`) of the GitSources `receiver` selects that any of `pushes` concerns. */
  async targets(receiver: Receiver, pushes: readonly PushInfo[] = [{}]): Promise<string[]> {
    const namespace = receiver.metadata.namespace ?? "default";
    const items = await this.#gitSources(namespace);
    return items.filter((gs) => receiver.spec.resources.some((r) => selects(r, gs)) && anyPushConcerns(pushes, gs.spec?.ref)).map((gs) => `${namespace}/${gs.metadata.name}`);
  }

  /**
   * Request a fetch of each GitSource of `receiver` that `push` concerns
   * (`{}`: every one). Acted on at once unless a window is open for this
   * Receiver; then gathered, and acted on when the window closes.
   */
  fire(receiver: Receiver, push: PushInfo = {}): void {
    const key = `${receiver.metadata.namespace ?? "default"}/${receiver.metadata.name}`;
    const open = this.#windows.get(key);
    if (open === undefined) {
      this.#act(key, receiver, [push]);
      return;
    }
    open.receiver = receiver;
    if (open.pushes.length >= MAX_GATHERED) open.pushes = [{}];
    else if (!open.pushes.some((p) => p.ref === push.ref && p.after === push.after && p.defaultBranch === push.defaultBranch)) open.pushes.push(push);
  }

  /** Annotate now and open a window; when it closes, act on what it gathered (opening the next one). */
  #act(key: string, receiver: Receiver, pushes: readonly PushInfo[]): void {
    const p = this.#annotateAll(receiver, pushes).finally(() => this.#inFlight.delete(p));
    this.#inFlight.add(p);
    const timer = this.#opts.clock.setTimer(() => {
      const w = this.#windows.get(key);
      this.#windows.delete(key);
      if (w?.receiver !== undefined && w.pushes.length > 0) this.#act(key, w.receiver, w.pushes);
    }, this.#opts.debounceMs);
    this.#windows.set(key, { timer, receiver: undefined, pushes: [] });
  }

  async #annotateAll(receiver: Receiver, pushes: readonly PushInfo[]): Promise<void> {
    try {
      const keys = await this.targets(receiver, pushes);
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

  /** Resolves when no window is open and nothing is being written. */
  async idle(): Promise<void> {
    while (this.#windows.size > 0 || this.#inFlight.size > 0) {
      await Promise.all([...this.#inFlight]);
      if (this.#windows.size > 0) await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Close the windows (dropping what they gathered) and wait for the annotations being written. */
  async stop(): Promise<void> {
    for (const w of this.#windows.values()) w.timer.cancel();
    this.#windows.clear();
    await Promise.all([...this.#inFlight]);
  }
}
