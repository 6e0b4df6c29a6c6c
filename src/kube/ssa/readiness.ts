/**
 * Is an object ready? The rules `wait` applies, per kind, in the spirit of
 * kstatus: CRDs are `Established`, Namespaces `Active`, Deployments,
 * StatefulSets and DaemonSets have observed their generation and have every
 * replica updated and available, Jobs are `Complete` (a `Failed` Job is a
 * failure), and anything with a `Ready` condition has it `True`. Objects
 * with none of these are ready once they exist.
 */
import type { Condition, KubeObject } from "../objects.js";

/** The readiness of one object. */
export interface Readiness {
  readonly state: "ready" | "in_progress" | "failed";
  /** Why it is not ready (no values, only counts and condition reasons). */
  readonly message: string;
}

interface Status {
  readonly observedGeneration?: number;
  readonly conditions?: readonly Condition[];
  readonly phase?: string;
  readonly [field: string]: unknown;
}

type Workload = KubeObject & { readonly spec?: { readonly replicas?: number }; readonly status?: Status };

const READY: Readiness = { state: "ready", message: "ready" };

function condition(object: Workload, type: string): Condition | undefined {
  return object.status?.conditions?.find((c) => c.type === type);
}

function num(status: Status | undefined, field: string): number {
  const value = status?.[field];
  return typeof value === "number" ? value : 0;
}

function progress(message: string): Readiness {
  return { state: "in_progress", message };
}

/** The generation is not yet observed by the controller. */
function stale(object: Workload): boolean {
  const generation = object.metadata?.generation;
  const observed = object.status?.observedGeneration;
  return generation !== undefined && (observed === undefined || observed < generation);
}

function deployment(o: Workload): Readiness {
  if (stale(o)) return progress("the new generation is not observed yet");
  const progressing = condition(o, "Progressing");
  if (progressing?.status === "False" && progressing.reason === "ProgressDeadlineExceeded") return { state: "failed", message: "progress deadline exceeded" };
  const want = o.spec?.replicas ?? 1;
  const updated = num(o.status, "updatedReplicas");
  const available = num(o.status, "availableReplicas");
  if (updated < want || available < want) return progress(`${updated} updated and ${available} available of ${want} replicas`);
  return READY;
}

function statefulSet(o: Workload): Readiness {
  if (stale(o)) return progress("the new generation is not observed yet");
  const want = o.spec?.replicas ?? 1;
  const ready = num(o.status, "readyReplicas");
  const updated = num(o.status, "updatedReplicas");
  if (ready < want || updated < want) return progress(`${updated} updated and ${ready} ready of ${want} replicas`);
  if (o.status?.["currentRevision"] !== o.status?.["updateRevision"]) return progress("the rollout to the update revision is not finished");
  return READY;
}

function daemonSet(o: Workload): Readiness {
  if (stale(o)) return progress("the new generation is not observed yet");
  const want = num(o.status, "desiredNumberScheduled");
  const updated = num(o.status, "updatedNumberScheduled");
  const available = num(o.status, "numberAvailable");
  if (updated < want || available < want) return progress(`${updated} updated and ${available} available of ${want} scheduled pods`);
  return READY;
}

function job(o: Workload): Readiness {
  if (condition(o, "Failed")?.status === "True") return { state: "failed", message: `the job failed (${condition(o, "Failed")?.reason ?? "no reason"})` };
  if (condition(o, "Complete")?.status === "True") return READY;
  return progress("the job has not completed");
}

function crd(o: Workload): Readiness {
  const names = condition(o, "NamesAccepted");
  if (names?.status === "False") return { state: "failed", message: `names not accepted (${names.reason ?? "no reason"})` };
  return condition(o, "Established")?.status === "True" ? READY : progress("not established yet");
}

function generic(o: Workload): Readiness {
  const ready = condition(o, "Ready");
  if (ready === undefined) return READY;
  if (ready.observedGeneration !== undefined && o.metadata?.generation !== undefined && ready.observedGeneration < o.metadata.generation) return progress("the Ready condition is for an older generation");
  if (stale(o)) return progress("the new generation is not observed yet");
  return ready.status === "True" ? READY : progress(`Ready is ${ready.status} (${ready.reason ?? "no reason"})`);
}

/** The readiness of a live object (see the module comment). */
export function readiness(object: KubeObject): Readiness {
  const o = object as Workload;
  const group = (object.apiVersion ?? "").split("/")[0];
  switch (object.kind) {
    case "CustomResourceDefinition":
      return group === "apiextensions.k8s.io" ? crd(o) : generic(o);
    case "Namespace":
      return object.apiVersion === "v1" ? (o.status?.phase === "Active" ? READY : progress(`phase ${o.status?.phase ?? "unknown"}`)) : generic(o);
    case "Deployment":
      return group === "apps" ? deployment(o) : generic(o);
    case "StatefulSet":
      return group === "apps" ? statefulSet(o) : generic(o);
    case "DaemonSet":
      return group === "apps" ? daemonSet(o) : generic(o);
    case "Job":
      return group === "batch" ? job(o) : generic(o);
    default:
      return generic(o);
  }
}
