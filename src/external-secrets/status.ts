/** ESO's refresh decision and status conditions for an ExternalSecret (docs/formats.md#c1-externalsecret). */
import { parseGoDuration } from "../core/index.js";
import { resourceVersionOf } from "./hash.js";
import type { Condition, ExternalSecret } from "./types.js";

/** The refresh interval in ms (`1h` when unset). */
export function refreshIntervalMs(es: ExternalSecret): number {
  return parseGoDuration(es.spec?.refreshInterval ?? "1h", "spec.refreshInterval");
}

/** ESO `shouldRefresh`: whether the provider must be read now. */
export function shouldRefresh(es: ExternalSecret, now: number): boolean {
  const synced = es.status?.syncedResourceVersion ?? "";
  const refreshed = es.status?.refreshTime ?? null;
  const never = synced === "" || refreshed === null || refreshed === "";
  switch (es.spec?.refreshPolicy) {
    case "CreatedOnce": return never;
    case "OnChange": return never || synced !== resourceVersionOf(es.metadata);
    default: {
      const interval = refreshIntervalMs(es);
      if (interval <= 0 && synced !== "") return false;
      if (synced !== resourceVersionOf(es.metadata)) return true;
      if (never) return true;
      const at = Date.parse(refreshed);
      if (at > now) return true;
      return at + interval < now;
    }
  }
}

/** When the next periodic refresh is due (ms from now), or undefined when none is (interval ≤ 0 or not Periodic). */
export function nextRefreshInMs(es: ExternalSecret, now: number): number | undefined {
  const policy = es.spec?.refreshPolicy ?? "Periodic";
  if (policy !== "Periodic") return undefined;
  const interval = refreshIntervalMs(es);
  if (interval <= 0) return undefined;
  const refreshed = es.status?.refreshTime;
  if (refreshed === undefined || refreshed === null || refreshed === "") return interval;
  const since = now - Date.parse(refreshed);
  return since < 0 ? 0 : Math.max(0, interval - since);
}

/** Set condition `type` (keeping lastTransitionTime when the status does not change), as ESO's SetExternalSecretCondition does. */
export function setCondition(conditions: readonly Condition[] | undefined, next: Omit<Condition, "lastTransitionTime">, now: string): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const prev = i === -1 ? undefined : list[i];
  const merged: Condition = { ...next, lastTransitionTime: prev !== undefined && prev.status === next.status ? (prev.lastTransitionTime ?? now) : now };
  if (i === -1) list.push(merged);
  else list[i] = merged;
  return list;
}
