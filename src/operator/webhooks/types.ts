/** The `Receiver` resource (gitops.sigil.dev/v1alpha1; docs/crds/receiver.md). */
import { createHash } from "node:crypto";
import type { ResourceType } from "../../kube/index.js";
import type { Condition } from "../../reconcile/index.js";

export const RECEIVERS: ResourceType = { group: "gitops.sigil.dev", version: "v1alpha1", plural: "receivers" };

/** The kinds of sender a Receiver verifies. */
export const RECEIVER_TYPES = ["github", "gitlab", "generic-hmac"] as const;
export type ReceiverType = (typeof RECEIVER_TYPES)[number];

/** Which GitSources a verified push triggers: one name, `*`, or a label match. */
export interface ReceiverResource {
  readonly kind?: "GitSource" | undefined;
  readonly name: string;
  readonly matchLabels?: Readonly<Record<string, string>> | undefined;
}

export interface ReceiverSpec {
  readonly type: ReceiverType;
  readonly secretRef: { readonly name: string };
  readonly resources: readonly ReceiverResource[];
  readonly events?: readonly string[] | undefined;
}

export interface ReceiverStatus {
  readonly webhookPath?: string | undefined;
  readonly observedGeneration?: number | undefined;
  readonly conditions?: readonly Condition[] | undefined;
}

export interface Receiver {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly generation?: number; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec: ReceiverSpec;
  readonly status?: ReceiverStatus | undefined;
}

/** The key of the Secret holding the token. */
export const TOKEN_KEY = "token";

/**
 * The receiver's URL path: `/hook/` + hex SHA-256 of token, name and
 * namespace (as Flux's notification-controller). Unguessable without the
 * token, and it changes when the token does.
 */
export function webhookPath(token: string, name: string, namespace: string): string {
  return `/hook/${createHash("sha256").update(token + name + namespace).digest("hex")}`;
}
