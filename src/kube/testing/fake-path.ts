/** Reading API paths back into (collection, namespace, name, subresource), for the fake client. */
import { SigilError } from "../../core/index.js";

/** Where a request goes. */
export interface ParsedPath {
  /** `group/version/plural` (`/v1/secrets` for core). */
  readonly collection: string;
  /** undefined: all namespaces, or a cluster-scoped resource. */
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
}

/**
 * Parse `/api/v1/namespaces/ns/secrets/name[/status]` and `/apis/g/v/...`.
 * @throws SigilError `kube.invalid` for anything else.
 */
export function parsePath(path: string): ParsedPath {
  const parts = path.split("?")[0]?.split("/").filter((p) => p !== "").map(decodeURIComponent) ?? [];
  let rest: string[];
  let gv: string;
  if (parts[0] === "api" && parts.length >= 3) {
    gv = `/${parts[1] ?? ""}`;
    rest = parts.slice(2);
  } else if (parts[0] === "apis" && parts.length >= 4) {
    gv = `${parts[1] ?? ""}/${parts[2] ?? ""}`;
    rest = parts.slice(3);
  } else throw new SigilError("kube.invalid", `the fake client does not know the path '${path}'`);
  if (rest[0] === "namespaces" && rest.length >= 3) {
    return { collection: `${gv}/${rest[2] ?? ""}`, namespace: rest[1], name: rest[3], subresource: rest[4] };
  }
  return { collection: `${gv}/${rest[0] ?? ""}`, namespace: undefined, name: rest[1], subresource: rest[2] };
}

/** The store key of an object. */
export function storeKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ""}/${name}`;
}
