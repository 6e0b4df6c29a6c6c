/**
 * What a verified push says about the repository, and which GitSources it
 * concerns. GitHub's `push` and GitLab's `Push Hook` / `Tag Push Hook`
 * payloads name the ref that moved (`refs/heads/<branch>` or
 * `refs/tags/<tag>`), the new commit (`after`) and the repository's default
 * branch; a generic receiver's body may carry `ref` and `after` the same
 * way. A GitSource is triggered only when its `spec.ref` tracks that ref:
 * a branch push for the branch (or, with no ref, the default branch), a tag
 * push for that tag or for any `semver` range, a pinned `commit` only when
 * the push brings that commit. A push whose ref is unknown (another event,
 * a body that is not a push payload) triggers every selected GitSource, as
 * before. The body is parsed only after its signature was verified, and
 * bounded: its size by the server's limit, its nesting here.
 */
import { jsonNestsDeeper } from "../../core/index.js";
import type { GitRef } from "../../reconcile/index.js";
import type { ReceiverType } from "./types.js";

/** What is known of one push: nothing (`{}`) when the payload says nothing usable. */
export interface PushInfo {
  /** The full ref that moved: `refs/heads/main`, `refs/tags/v1.2.0`. */
  readonly ref?: string | undefined;
  /** The commit the ref points to after the push. */
  readonly after?: string | undefined;
  /** The repository's default branch (for GitSources that name no ref). */
  readonly defaultBranch?: string | undefined;
}

/** Payloads nested deeper than this are not read (the push still triggers, as one whose ref is unknown). */
export const MAX_PAYLOAD_DEPTH = 32;

const PUSH_EVENTS: Readonly<Record<ReceiverType, readonly string[] | undefined>> = {
  github: ["push"],
  gitlab: ["push hook", "tag push hook"],
  "generic-hmac": undefined,
};

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" && v.length <= 1024 ? v : undefined);
const obj = (v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/**
 * Read a verified push payload (see the module comment). Never throws: a
 * body that is not JSON, too deep, or not a push gives `{}`.
 */
export function parsePush(type: ReceiverType, event: string | undefined, body: Buffer): PushInfo {
  const events = PUSH_EVENTS[type];
  if (events !== undefined && !events.includes((event ?? "").toLowerCase())) return {};
  const text = body.toString("utf8");
  if (jsonNestsDeeper(text, MAX_PAYLOAD_DEPTH)) return {};
  let payload: Record<string, unknown>;
  try {
    payload = obj(JSON.parse(text));
  } catch {
    return {};
  }
  const ref = str(payload["ref"]);
  if (ref === undefined || !(ref.startsWith("refs/heads/") || ref.startsWith("refs/tags/"))) return {};
  const repo = type === "gitlab" ? obj(payload["project"]) : obj(payload["repository"]);
  return { ref, after: str(payload["after"]), defaultBranch: str(repo["default_branch"]) };
}

/** Whether a push concerns a GitSource whose `spec.ref` is `ref` (see the module comment). */
export function pushConcerns(push: PushInfo, ref: GitRef | undefined): boolean {
  if (push.ref === undefined) return true;
  if (ref?.commit !== undefined) return push.after !== undefined && push.after === ref.commit;
  if (push.ref.startsWith("refs/tags/")) {
    const tag = push.ref.slice("refs/tags/".length);
    return ref?.semver !== undefined || (ref?.tag !== undefined && ref.tag === tag);
  }
  const branch = push.ref.slice("refs/heads/".length);
  if (ref?.branch !== undefined) return ref.branch === branch;
  if (ref?.tag !== undefined || ref?.semver !== undefined) return false;
  return push.defaultBranch === undefined || push.defaultBranch === branch;
}

/** Whether any of `pushes` concerns the GitSource (`[]` concerns none). */
export function anyPushConcerns(pushes: readonly PushInfo[], ref: GitRef | undefined): boolean {
  return pushes.some((p) => pushConcerns(p, ref));
}
