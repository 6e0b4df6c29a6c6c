/** What every verb needs: the client and the REST mapper. */
import type { RestMapper } from "../discovery/index.js";
import type { KubeClient } from "../types.js";

/** The client and mapper the verbs share (one per process is enough). */
export interface SsaContext {
  readonly client: KubeClient;
  readonly mapper: RestMapper;
  /** Waits between polls (injected in tests). */
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
}
