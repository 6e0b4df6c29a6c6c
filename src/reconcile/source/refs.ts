/** Reading `git ls-remote --symref` and choosing the commit a `ref` names. Pure. */
import semver from "semver";
import { SigilError } from "../../core/index.js";
import type { GitRef } from "../api/types.js";

export interface RemoteRefs {
  /** What `HEAD` points at (`refs/heads/main`), when the server says. */
  readonly head: string | undefined;
  /** Ref name → commit (tags peeled to the commit they point at). */
  readonly refs: ReadonlyMap<string, string>;
}

export interface ResolvedRef {
  /** The ref to fetch (`refs/heads/main`), or the commit itself. */
  readonly fetch: string;
  readonly commit: string;
  readonly revision: string;
}

const SHA = /^[0-9a-f]{40}$/;

/** Parse `git ls-remote --symref` output. */
export function parseLsRemote(text: string): RemoteRefs {
  let head: string | undefined;
  const refs = new Map<string, string>();
  for (const line of text.split("\n")) {
    const [left, name] = line.split("\t");
    if (left === undefined || name === undefined) continue;
    if (left.startsWith("ref: ") && name === "HEAD") head = left.slice(5);
    else if (SHA.test(left)) {
      if (name.endsWith("^{}")) refs.set(name.slice(0, -3), left);
      else if (!refs.has(name)) refs.set(name, left);
    }
  }
  return { head, refs };
}

function pick(refs: RemoteRefs, name: string, label: string, subject: string): ResolvedRef {
  const commit = refs.refs.get(name);
  if (commit === undefined) throw new SigilError("source.ref_not_found", `${label} was not found in the repository`, { subject });
  const short = name.replace(/^refs\/(heads|tags)\//, "");
  return { fetch: name, commit, revision: `${short}@sha1:${commit}` };
}

function highestTag(refs: RemoteRefs, range: string): string {
  if (semver.validRange(range) === null) throw new SigilError("source.invalid", `'${range}' is not a semver range`, { subject: "spec.ref.semver" });
  const tags = new Map<string, string>();
  for (const name of refs.refs.keys()) {
    if (!name.startsWith("refs/tags/")) continue;
    const version = semver.valid(name.slice(10));
    if (version !== null) tags.set(version, name);
  }
  const best = semver.maxSatisfying([...tags.keys()], range);
  const name = best === null ? undefined : tags.get(best);
  if (name === undefined) throw new SigilError("source.ref_not_found", `no tag matches the semver range '${range}'`, { subject: "spec.ref.semver" });
  return name;
}

/**
 * The commit `ref` names on the remote.
 * @throws SigilError `source.ref_not_found` when it does not exist; `source.invalid` for a bad commit or range.
 */
export function resolveRef(refs: RemoteRefs, ref: GitRef | undefined): ResolvedRef {
  if (ref?.commit !== undefined) {
    if (!SHA.test(ref.commit)) throw new SigilError("source.invalid", "a commit ref must be 40 hex digits", { subject: "spec.ref.commit" });
    return { fetch: ref.commit, commit: ref.commit, revision: `sha1:${ref.commit}` };
  }
  if (ref?.branch !== undefined) return pick(refs, `refs/heads/${ref.branch}`, `branch '${ref.branch}'`, "spec.ref.branch");
  if (ref?.tag !== undefined) return pick(refs, `refs/tags/${ref.tag}`, `tag '${ref.tag}'`, "spec.ref.tag");
  if (ref?.semver !== undefined) return pick(refs, highestTag(refs, ref.semver), `semver '${ref.semver}'`, "spec.ref.semver");
  if (refs.head === undefined) throw new SigilError("source.ref_not_found", "the repository has no default branch (HEAD)", { subject: "spec.ref" });
  return pick(refs, refs.head, "the default branch", "spec.ref");
}
