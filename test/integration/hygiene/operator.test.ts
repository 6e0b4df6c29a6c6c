/**
 * Secrets hygiene of Sigil's Sealed Secrets controller against the real API
 * server, for failures that handle the plaintext: templates that fail to
 * render, and a rendered Secret the API server itself rejects. The canary
 * carries a quote, a newline and a decomposed accent, so it would survive
 * into JSON-escaped or renormalised text; it must appear in no form in the
 * Events and the status condition (read back from the API server), or in a
 * log line at debug level.
 */
import { beforeAll, expect, it } from "vitest";
import type { HttpKubeClient } from "../../../src/kube/index.js";
import type { SealedSecretObject } from "../../../src/decrypt/sealed-secrets/index.js";
import { eventsFor, paths, sealed, syncedCondition, testKeyPair, waitFor } from "../../support/bitnami.js";
import type { TestKeyPair } from "../../support/bitnami.js";
import { controllerHarness } from "../../support/controller.js";
import { describePeers } from "../../support/peers.js";
import { canary, expectNoLeak } from "../../unit/hygiene/support.js";
import type { Canary } from "../../unit/hygiene/support.js";

interface FailureCase {
  readonly reason: string;
  readonly name: string;
  /** Template data and type for the SealedSecret sealed with `{ secret: canary }`. */
  readonly template: { readonly data: Record<string, string>; readonly type?: string };
  readonly event: "ErrUnsealFailed" | "ErrUpdateFailed";
  readonly message: RegExp;
}

const CASES: readonly FailureCase[] = [
  { reason: "an unknown template function applied to the value", name: "tpl-func", template: { data: { out: "{{ .secret | nosuch }}" } }, event: "ErrUnsealFailed", message: /template_failed/ },
  { reason: "b64dec of a value that is not base64", name: "tpl-b64", template: { data: { out: "{{ .secret | b64dec }}" } }, event: "ErrUnsealFailed", message: /b64dec/ },
  { reason: "printing the whole data map", name: "tpl-dot", template: { data: { out: "{{ . }}" } }, event: "ErrUnsealFailed", message: /template_failed/ },
  { reason: "a printf format taken from the value", name: "tpl-printf", template: { data: { out: '{{ printf .secret "x" }}' } }, event: "ErrUnsealFailed", message: /template_failed/ },
  {
    reason: "a rendered .dockerconfigjson the API server rejects as invalid JSON",
    name: "api-reject",
    template: { type: "kubernetes.io/dockerconfigjson", data: { ".dockerconfigjson": '{"auths": {{ .secret }}}' } },
    event: "ErrUpdateFailed",
    message: /dockerconfigjson/,
  },
];

describePeers("Sealed Secrets controller (Sigil): plaintext stays out of Events, status and logs", () => {
  const h = controllerHarness();
  let client: HttpKubeClient;
  let pair: TestKeyPair;
  let ns: string;
  let logs: string[];
  let secret: Canary;

  beforeAll(async () => {
    client = h.client;
    pair = await testKeyPair(2048, 7);
    ns = await h.namespace("sshyg", pair);
    ({ logs } = await h.start(ns));
    secret = canary("canary", '"quoted"\nnext-line-cafe\u0301');
  });

  it.each(CASES)("$reason", async (c) => {
    const ss: SealedSecretObject = sealed(pair.publicKey, ns, c.name, { secret: secret.value }, c.template.type === undefined ? {} : { type: c.template.type });
    ss.spec.template = { ...ss.spec.template, data: c.template.data };
    await client.create(paths.sealedList(ns), ss);
    const { condition } = await syncedCondition(client, ns, c.name, "False");
    expect(condition.message).toMatch(c.message);
    const event = await waitFor(`a ${c.event} event`, async () => (await eventsFor(client, ns, c.name)).find((e) => e.reason === c.event));
    expect(event.message).toMatch(c.message);
    expect(await client.get(paths.secret(ns, c.name))).toBeUndefined();
    const events = (await client.list<unknown>(paths.events(ns))).items.map((e) => JSON.stringify(e)).join("\n");
    const status = JSON.stringify((await client.get<SealedSecretObject>(paths.sealed(ns, c.name)))?.status);
    const decodedMessages = [condition.message ?? "", ...(await eventsFor(client, ns, c.name)).map((e) => e.message)].join("\n");
    expectNoLeak({ events, status, messages: decodedMessages, normalised: decodedMessages.normalize("NFC"), logs: logs.join("\n") }, secret);
  });
});
