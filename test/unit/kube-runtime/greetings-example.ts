/** The worked example of docs/runtime.md, compiled and tested (keep the two in step). */
import { SigilError } from "../../../src/core/index.js";
import { SECRETS, objectKey, resourcePath, splitKey } from "../../../src/kube/index.js";
import type { KubeClient, ObjectMeta, ResourceType, SecretObject } from "../../../src/kube/index.js";
import { ReconcileLoop, SECRET_METADATA, secondary, stripBookkeeping } from "../../../src/kube/runtime/index.js";
import type { Controller, ControllerContext, EventRecorder, StopOptions, WorkResult } from "../../../src/kube/runtime/index.js";
import { controllerReference, mergeSecret, writeMode, writeSecret } from "../../../src/kube/secrets/index.js";
import type { ProducerPolicy } from "../../../src/kube/secrets/index.js";

export const GREETINGS: ResourceType = { group: "example.sigil.dev", version: "v1", plural: "greetings" };
const MARK = "greetings.sigil.dev/produced";

export interface Greeting { apiVersion: string; kind: string; metadata: ObjectMeta; spec?: { message?: string } }

export class GreetingsController implements Controller {
  readonly name = "greetings";
  readonly #client: KubeClient;
  readonly #loop: ReconcileLoop<Greeting>;
  #events: EventRecorder | undefined;

  constructor(client: KubeClient) {
    this.#client = client;
    this.#loop = new ReconcileLoop<Greeting>({
      name: this.name,
      // 1. The kind we reconcile; status-only updates do not queue it.
      primary: {
        resource: GREETINGS,
        transform: stripBookkeeping<Greeting>(),
        changed: (a, b) => a.metadata.generation !== b.metadata.generation,
      },
      // 2. Produced Secrets: a change to one queues its Greeting (same namespace/name).
      secondary: [
        secondary<SecretObject>({
          resource: SECRETS,
          transform: SECRET_METADATA, // shared with every other controller watching Secrets
          map: (key, secret) => (secret.metadata.annotations?.[MARK] === undefined ? [] : [key]),
        }),
      ],
      reconcile: (key, greeting) => this.#reconcile(key, greeting),
      queue: { concurrency: 4, maxRetries: 10 },
      resyncPeriodMs: 10 * 60_000,
    });
  }

  // Register watches only: the manager starts the informers after every controller's start().
  async start(ctx: ControllerContext): Promise<void> {
    this.#events = ctx.events("sigil-greetings");
    await this.#loop.start(ctx);
  }

  idle(): Promise<void> {
    return this.#loop.idle();
  }

  stop(options: StopOptions): Promise<void> {
    return this.#loop.stop(options);
  }

  async #reconcile(key: string, greeting: Greeting | undefined): Promise<WorkResult> {
    if (greeting === undefined) return {}; // deleted: the garbage collector removes the Secret (owner reference)
    const { namespace, name } = splitKey(key);
    const existing = await this.#client.get<SecretObject>(resourcePath(SECRETS, { namespace, name }));
    const policy: ProducerPolicy = {
      ownerUid: greeting.metadata.uid,
      producedAnnotation: MARK,
      refuse: (s) => new SigilError("apply.conflict", "a Secret of that name exists and is not ours", { subject: `Secret/${objectKey(s.metadata)}` }),
    };
    const desired: SecretObject = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, namespace, annotations: { [MARK]: "true" }, ownerReferences: [controllerReference(greeting)] },
      data: { message: Buffer.from(greeting.spec?.message ?? "").toString("base64") },
    };
    const mode = writeMode(existing, policy); // throws policy.refuse(...) for someone else's Secret
    const result = await writeSecret(this.#client, existing, mergeSecret(existing, desired, mode, policy));
    if (result !== "unchanged") await this.#events?.record(greeting, "Normal", "Written", `Secret ${result}`);
    return {};
  }
}
