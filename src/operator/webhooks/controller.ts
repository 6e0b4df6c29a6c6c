/**
 * The `receivers` controller: watches Receivers, reads each one's token
 * Secret, keeps the path → receiver table the HTTP server answers from,
 * writes `status.webhookPath` and `Ready`, and serves the webhooks on its
 * own listen address. Tokens live only in memory.
 *
 * A change of a token Secret (created, rotated, deleted) re-reconciles the
 * Receivers that name it at once: the controller watches Secrets through
 * the process's shared informer of all Secrets that the Sealed Secrets
 * controller already keeps (`SECRET_VIEW`: name, namespace and
 * resourceVersion only, no values), so in the full operator the watch
 * costs no second connection and no second cache. The token itself is read
 * with a GET when the Receiver is reconciled. (Re-reading the Secret only
 * when a signature fails would not do: a rotated token changes the
 * webhook path, so requests for the new path find nothing to re-read for,
 * and the old token would keep working until a TTL ran out.)
 */
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { registerSecret } from "../../core/index.js";
import type { Logger } from "../../core/index.js";
import { SECRETS, resourcePath, splitKey } from "../../kube/index.js";
import type { KubeClient, SecretObject } from "../../kube/index.js";
import { ReconcileLoop, closeServer, listen, secondary, systemClock } from "../../kube/runtime/index.js";
import type { Clock, Controller, ControllerContext, StopOptions, WorkResult } from "../../kube/runtime/index.js";
import { GITSOURCES, condition, patchStatus } from "../gitops/status.js";
import { SECRET_VIEW } from "../sealed-secrets/watch.js";
import { ReceiverCounters, createReceiverServer, defaultReceiverServerOptions } from "./server.js";
import type { ReceiverEntry } from "./server.js";
import { Trigger, defaultTriggerOptions } from "./trigger.js";
import { RECEIVERS, TOKEN_KEY, webhookPath } from "./types.js";
import type { Receiver } from "./types.js";

export const RECEIVERS_CONTROLLER = "receivers";

/** Options of {@link ReceiverController}. */
export interface ReceiverControllerOptions {
  readonly client: KubeClient;
  readonly logger: Logger;
  /** `host:port` of the webhook server. */
  readonly addr: string;
  readonly maxBodyBytes: number;
  readonly bodyTimeoutMs: number;
  readonly debounceMs: number;
  /** Re-read every Receiver (and its token) this often. */
  readonly resyncPeriodMs: number;
  readonly clock: Clock;
}

export function defaultReceiverControllerOptions(): Omit<ReceiverControllerOptions, "client" | "logger"> {
  return { addr: "127.0.0.1:9292", ...defaultReceiverServerOptions(), ...defaultTriggerOptions(), resyncPeriodMs: 60_000, clock: systemClock };
}

/** See the module comment. */
export class ReceiverController implements Controller {
  readonly name = RECEIVERS_CONTROLLER;
  readonly counters = new ReceiverCounters();
  readonly trigger: Trigger;
  readonly #opts: ReceiverControllerOptions;
  readonly #byPath = new Map<string, ReceiverEntry>();
  readonly #pathOf = new Map<string, string>();
  /** Receiver keys by the key (`namespace/name`) of the token Secret they name. */
  readonly #bySecret = new Map<string, Set<string>>();
  readonly #loop: ReconcileLoop<Receiver>;
  #server: http.Server | undefined;
  #address: AddressInfo | undefined;

  constructor(options: Pick<ReceiverControllerOptions, "client" | "logger"> & Partial<ReceiverControllerOptions>) {
    this.#opts = { ...defaultReceiverControllerOptions(), ...options };
    this.trigger = new Trigger({ client: this.#opts.client, clock: this.#opts.clock, logger: this.#opts.logger, debounceMs: this.#opts.debounceMs });
    this.#loop = new ReconcileLoop<Receiver>({
      name: RECEIVERS_CONTROLLER,
      primary: { resource: RECEIVERS, changed: (a, b) => a.metadata.generation !== b.metadata.generation },
      secondary: [secondary({ resource: SECRETS, transform: SECRET_VIEW, map: (key) => [...(this.#bySecret.get(key) ?? [])] })],
      reconcile: (key, r) => this.reconcile(key, r),
      resyncPeriodMs: this.#opts.resyncPeriodMs,
    });
  }

  /** The bound address of the webhook server (after start). */
  get address(): AddressInfo | undefined {
    return this.#address;
  }

  async start(ctx: ControllerContext): Promise<void> {
    await this.#loop.start(ctx);
    // The same informer as the gitsources controller's (same resource, no selector, no transform): one watch for both.
    this.trigger.useCache(ctx.informers.informer({ resource: GITSOURCES }));
    const o = this.#opts;
    this.#server = createReceiverServer({ logger: o.logger, lookup: (p) => this.#byPath.get(p), onPush: (e, push) => {
        this.trigger.fire(e.receiver, push);
      }, maxBodyBytes: o.maxBodyBytes, bodyTimeoutMs: o.bodyTimeoutMs }, this.counters);
    this.#address = await listen(this.#server, o.addr);
    o.logger.info("webhook receiver serving", { address: `${this.#address.address}:${String(this.#address.port)}` });
  }

  idle(): Promise<void> {
    return this.#loop.idle();
  }

  async stop(options: StopOptions): Promise<void> {
    if (this.#server !== undefined) await closeServer(this.#server);
    this.#server = undefined;
    await this.#loop.stop(options);
    await this.trigger.stop();
  }

  /** Remember which Secret the Receiver under `key` names (`undefined`: none, it was deleted). */
  #watchSecret(key: string, secretKey: string | undefined): void {
    for (const [sk, keys] of this.#bySecret) {
      if (sk !== secretKey && keys.delete(key) && keys.size === 0) this.#bySecret.delete(sk);
    }
    if (secretKey === undefined) return;
    const keys = this.#bySecret.get(secretKey) ?? new Set<string>();
    keys.add(key);
    this.#bySecret.set(secretKey, keys);
  }

  #drop(key: string): void {
    const old = this.#pathOf.get(key);
    if (old !== undefined) this.#byPath.delete(old);
    this.#pathOf.delete(key);
  }

  /** Bring the table and the status in line with the Receiver under `key`. */
  async reconcile(key: string, receiver: Receiver | undefined): Promise<WorkResult> {
    if (receiver === undefined) {
      this.#drop(key);
      this.#watchSecret(key, undefined);
      return {};
    }
    const { namespace, name } = splitKey(key);
    this.#watchSecret(key, `${namespace}/${receiver.spec.secretRef.name}`);
    const gen = receiver.metadata.generation;
    const prev = receiver.status?.conditions;
    const now = new Date(this.#opts.clock.now());
    const token = await this.#token(namespace, receiver.spec.secretRef.name);
    if (typeof token !== "string") {
      this.#drop(key);
      await patchStatus(this.#opts.client, RECEIVERS, namespace, name, { observedGeneration: gen, webhookPath: null, conditions: [condition(prev, "Ready", "False", token.reason, token.message, now, gen)] });
      return { requeueAfterMs: 10_000 };
    }
    const path = webhookPath(token, name, namespace);
    this.#drop(key);
    this.#byPath.set(path, { key, receiver, token });
    this.#pathOf.set(key, path);
    const ready = condition(prev, "Ready", "True", "Receiving", `receiving ${receiver.spec.type} webhooks`, now, gen);
    const same = receiver.status?.webhookPath === path && receiver.status.observedGeneration === gen && prev?.some((c) => c.type === "Ready" && c.status === "True") === true;
    if (!same) await patchStatus(this.#opts.client, RECEIVERS, namespace, name, { observedGeneration: gen, webhookPath: path, conditions: [ready] });
    return {};
  }

  async #token(namespace: string, secretName: string): Promise<string | { reason: string; message: string }> {
    const secret = await this.#opts.client.get<SecretObject>(resourcePath(SECRETS, { namespace, name: secretName }));
    if (secret === undefined) return { reason: "SecretNotFound", message: `the Secret '${secretName}' does not exist` };
    const raw = secret.data?.[TOKEN_KEY];
    const token = raw === undefined ? "" : Buffer.from(raw, "base64").toString("utf8");
    if (token === "") return { reason: "TokenMissing", message: `the Secret '${secretName}' has no key '${TOKEN_KEY}'` };
    registerSecret(token);
    return token;
  }
}
