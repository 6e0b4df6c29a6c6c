/**
 * Recording core/v1 Events the way client-go's recorder does: one Event per
 * (object, reason, message), named `<object>.<hex nanoseconds>`, and a repeat
 * within the aggregation window bumps `count` and `lastTimestamp` instead of
 * creating a new Event. Messages pass through the redactor and are capped,
 * so a registered secret can never reach an Event. One recorder per
 * component (`source.component`, e.g. `sigil-sealed-secrets`).
 */
import { LruMap, describeError, redact } from "../../core/index.js";
import type { Logger } from "../../core/index.js";
import { EVENTS, resourcePath } from "../paths.js";
import type { KubeClient } from "../types.js";
import { systemClock } from "./clock.js";
import type { Clock } from "./clock.js";

/** The object an Event is about. */
export interface EventSubject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name?: string | undefined; readonly namespace?: string | undefined; readonly uid?: string | undefined; readonly resourceVersion?: string | undefined };
}

export type EventType = "Normal" | "Warning";

/** Options of {@link EventRecorder}. */
export interface EventRecorderOptions {
  /** `source.component` / `reportingComponent` (set by the constructor's `component`). */
  readonly component: string;
  /** `reportingInstance` (for example the host name). */
  readonly instance: string;
  readonly clock: Clock;
  readonly logger: Logger | undefined;
  /** A repeat within this window updates the earlier Event. */
  readonly aggregateWindowMs: number;
  /** Remembered Events (oldest forgotten first). */
  readonly maxRemembered: number;
  /** Longest message kept (the API server limits Event messages). */
  readonly maxMessageLength: number;
}

export function defaultEventRecorderOptions(): EventRecorderOptions {
  return {
    component: "sigil",
    instance: "sigil",
    clock: systemClock,
    logger: undefined,
    aggregateWindowMs: 10 * 60_000,
    maxRemembered: 4096,
    maxMessageLength: 1024,
  };
}

interface Seen {
  readonly name: string;
  readonly namespace: string;
  count: number;
  at: number;
}

/** See the module comment. */
export class EventRecorder {
  readonly #client: KubeClient;
  readonly #opts: EventRecorderOptions;
  readonly #seen: LruMap<string, Seen>;
  #sequence = 0n;

  /** A recorder for `component`; `options.component`, if given, is ignored. */
  constructor(client: KubeClient, component: string, options: Partial<EventRecorderOptions> = {}) {
    this.#client = client;
    this.#opts = { ...defaultEventRecorderOptions(), ...options, component };
    this.#seen = new LruMap(this.#opts.maxRemembered);
  }

  /** The component Events are recorded for. */
  get component(): string {
    return this.#opts.component;
  }

  /** Record an Event. Never throws: a failure to record is logged. */
  async record(subject: EventSubject, type: EventType, reason: string, message: string): Promise<void> {
    const text = redact(message).slice(0, this.#opts.maxMessageLength);
    const namespace = subject.metadata.namespace ?? "default";
    const key = `${subject.metadata.uid ?? ""}|${namespace}/${subject.metadata.name ?? ""}|${type}|${reason}|${text}`;
    try {
      const now = new Date(this.#opts.clock.now());
      const seen = this.#seen.peek(key);
      if (seen !== undefined && now.getTime() - seen.at < this.#opts.aggregateWindowMs && (await this.#bump(seen, now))) return;
      const name = await this.#create(subject, namespace, type, reason, text, now);
      this.#remember(key, { name, namespace, count: 1, at: now.getTime() });
    } catch (err) {
      this.#opts.logger?.warn("could not record an event", { reason, object: `${namespace}/${subject.metadata.name ?? ""}`, error: describeError(err) });
    }
  }

  async #bump(seen: Seen, now: Date): Promise<boolean> {
    const path = resourcePath(EVENTS, { namespace: seen.namespace, name: seen.name });
    const count = seen.count + 1;
    try {
      await this.#client.patch(path, { count, lastTimestamp: stamp(now) }, "merge");
    } catch {
      return false;
    }
    seen.count = count;
    seen.at = now.getTime();
    return true;
  }

  async #create(subject: EventSubject, namespace: string, type: EventType, reason: string, message: string, now: Date): Promise<string> {
    const name = `${subject.metadata.name ?? "object"}.${(BigInt(now.getTime()) * 1_000_000n + this.#sequence++).toString(16)}`;
    const body = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: subject.apiVersion,
        kind: subject.kind,
        name: subject.metadata.name,
        namespace: subject.metadata.namespace,
        uid: subject.metadata.uid,
        resourceVersion: subject.metadata.resourceVersion,
      },
      type,
      reason,
      message,
      count: 1,
      firstTimestamp: stamp(now),
      lastTimestamp: stamp(now),
      source: { component: this.#opts.component },
      reportingComponent: this.#opts.component,
      reportingInstance: this.#opts.instance,
    };
    await this.#client.create(resourcePath(EVENTS, { namespace }), body);
    return name;
  }

  #remember(key: string, seen: Seen): void {
    this.#seen.set(key, seen);
  }

}

function stamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
