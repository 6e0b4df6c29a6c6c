/**
 * A KubeClient with its reads answered differently and every other call
 * passed through unchanged: for a cache in front of the client (the
 * ExternalSecret controller's store cache) and for tests that delay a read.
 */
import type { KubeClient } from "./types.js";

/** `client` with `get` replaced by `get` (which may call `client.get`); list, writes and watches go to `client`. */
export function withGet(client: KubeClient, get: KubeClient["get"]): KubeClient {
  return {
    get,
    list: (path, query) => client.list(path, query),
    create: (path, body, query) => client.create(path, body, query),
    replace: (path, body, query) => client.replace(path, body, query),
    patch: (path, body, type, query) => client.patch(path, body, type, query),
    delete: (path, query) => client.delete(path, query),
    watch: (path, query, onEvent, signal) => client.watch(path, query, onEvent, signal),
  };
}
