/**
 * ESO's `applyTemplate` (engine v2): metadata, then the data map or the
 * template (`templateFrom`, then `data`, then template labels and annotations).
 */
import { parse as parseYaml } from "yaml";
import { SigilError, registerSecret } from "../core/index.js";
import type { ByteMap } from "./keys.js";
import { renderTemplate } from "./template/index.js";
import type { ExternalSecret, TemplateFromItem } from "./types.js";

/** The Secret being built: mutable maps. */
export interface DraftSecret {
  type: string | undefined;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  data: ByteMap;
}

/** Where `templateFrom` reads ConfigMaps and Secrets (the ExternalSecret's namespace). */
export interface TemplateSources {
  configMap(name: string): Promise<Record<string, string> | undefined>;
  secret(name: string): Promise<ByteMap | undefined>;
}

type Target = "Data" | "Labels" | "Annotations";

function put(draft: DraftSecret, target: Target, key: string, value: string): void {
  if (target === "Labels") draft.labels[key] = value;
  else if (target === "Annotations") draft.annotations[key] = value;
  else draft.data.set(key, new Uint8Array(Buffer.from(value, "utf8")));
}

function strData(data: ByteMap): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of data) out[k] = Buffer.from(v).toString("utf8");
  return out;
}

/** `Values` scope: each key's value is a template. */
function applyValues(tpl: Readonly<Record<string, string>>, data: Record<string, string>, target: Target, draft: DraftSecret): void {
  for (const [k, v] of Object.entries(tpl)) put(draft, target, k, renderTemplate(v, data, k));
}

/** `KeysAndValues` scope: the template renders YAML of string keys and values. */
function applyKeysAndValues(tpl: string, data: Record<string, string>, target: Target, draft: DraftSecret): void {
  const rendered = renderTemplate(tpl, data, "templateFrom");
  let parsed: unknown;
  try {
    parsed = parseYaml(rendered, { maxAliasCount: 0 }) as unknown;
  } catch {
    throw new SigilError("es.template_failed", "could not unmarshal template to 'map[string][]byte'", { subject: "templateFrom" });
  }
  if (parsed === null || parsed === undefined) return;
  if (typeof parsed !== "object" || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== "string")) {
    throw new SigilError("es.template_failed", "could not unmarshal template to 'map[string][]byte'", { subject: "templateFrom" });
  }
  for (const [k, v] of Object.entries(parsed as Record<string, string>)) put(draft, target, k, v);
}

async function applyTemplateFrom(item: TemplateFromItem, sources: TemplateSources, data: Record<string, string>, draft: DraftSecret): Promise<void> {
  const target = (item.target ?? "Data") as Target;
  if (item.configMap !== undefined) {
    const name = item.configMap.name ?? "";
    const cm = await sources.configMap(name);
    if (cm === undefined) throw new SigilError("es.template_failed", `error fetching templateFrom data: configmaps ${JSON.stringify(name)} not found`, { subject: name });
    for (const it of item.configMap.items ?? []) {
      const val = cm[it.key ?? ""];
      if (val === undefined) throw new SigilError("es.template_failed", `error fetching templateFrom data: error in configmap ${name}: missing key ${it.key ?? ""}`, { subject: name });
      if (it.templateAs === "KeysAndValues") applyKeysAndValues(val, data, target, draft);
      else applyValues({ [it.key ?? ""]: val }, data, target, draft);
    }
  }
  if (item.secret !== undefined) {
    const name = item.secret.name ?? "";
    const sec = await sources.secret(name);
    if (sec === undefined) throw new SigilError("es.template_failed", `error fetching templateFrom data: secrets ${JSON.stringify(name)} not found`, { subject: name });
    for (const it of item.secret.items ?? []) {
      const raw = sec.get(it.key ?? "");
      if (raw === undefined) throw new SigilError("es.template_failed", `error fetching templateFrom data: error in secret ${name}: missing key ${it.key ?? ""}`, { subject: name });
      const val = Buffer.from(raw).toString("utf8");
      registerSecret(val);
      if (it.templateAs === "KeysAndValues") applyKeysAndValues(val, data, target, draft);
      else applyValues({ [it.key ?? ""]: val }, data, target, draft);
    }
  }
  if (item.literal !== undefined) applyKeysAndValues(item.literal, data, target, draft);
}

/**
 * Fill `draft` from the provider data as ESO does (after its managed keys were removed).
 * @throws SigilError `es.template_failed` / `es.template_unsupported`.
 */
export async function applyTemplate(es: ExternalSecret, draft: DraftSecret, dataMap: ByteMap, sources: TemplateSources): Promise<void> {
  const target = es.spec?.target;
  const tpl = target?.template;
  if (tpl === undefined) {
    Object.assign(draft.labels, es.metadata?.labels ?? {});
    Object.assign(draft.annotations, es.metadata?.annotations ?? {});
  } else {
    Object.assign(draft.labels, tpl.metadata?.labels ?? {});
    Object.assign(draft.annotations, tpl.metadata?.annotations ?? {});
  }
  if ((target?.creationPolicy ?? "Owner") !== "Merge") draft.data = new Map();
  if (tpl === undefined) {
    for (const [k, v] of dataMap) draft.data.set(k, v);
    return;
  }
  if (tpl.type !== undefined && tpl.type !== "") draft.type = tpl.type;
  if (tpl.engineVersion !== undefined && tpl.engineVersion !== "v2") throw new SigilError("es.template_unsupported", `template engine ${tpl.engineVersion} is not supported`, { subject: "engineVersion" });
  const noTemplate = Object.keys(tpl.data ?? {}).length === 0 && (tpl.templateFrom ?? []).length === 0;
  if (tpl.mergePolicy === "Merge" || noTemplate) for (const [k, v] of dataMap) draft.data.set(k, v);
  const data = strData(dataMap);
  for (const item of tpl.templateFrom ?? []) await applyTemplateFrom(item, sources, data, draft);
  applyValues(tpl.data ?? {}, data, "Data", draft);
  applyValues(tpl.metadata?.labels ?? {}, data, "Labels", draft);
  applyValues(tpl.metadata?.annotations ?? {}, data, "Annotations", draft);
}
