import { afterEach, describe, expect, it } from "vitest";
import { Logger } from "../../../src/core/index.js";
import { SECRETS, resourcePath } from "../../../src/kube/index.js";
import type { SecretObject } from "../../../src/kube/index.js";
import { Manager } from "../../../src/kube/runtime/index.js";
import { FakeKubeClient } from "../../../src/kube/testing/index.js";
import { GREETINGS, GreetingsController } from "./greetings-example.js";

const until = async (check: () => Promise<boolean>): Promise<void> => {
  for (let i = 0; i < 300 && !(await check()); i++) await new Promise((r) => setImmediate(r));
  expect(await check()).toBe(true);
};

describe("the worked example of docs/runtime.md", () => {
  const managers: Manager[] = [];
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.stop();
  });

  it("produces the Secret, writes nothing when nothing changed, and repairs an edit", async () => {
    const client = new FakeKubeClient();
    await client.create(resourcePath(GREETINGS, { namespace: "ns" }), { apiVersion: "example.sigil.dev/v1", kind: "Greeting", metadata: { name: "hello" }, spec: { message: "hi" } });
    const manager = new Manager(client, { logger: new Logger({ sink: () => undefined }) }).add(new GreetingsController(client));
    managers.push(manager);
    await manager.start();
    await manager.idle();
    const path = resourcePath(SECRETS, { namespace: "ns", name: "hello" });
    const secret = await client.get<SecretObject>(path);
    expect(Buffer.from(secret?.data?.["message"] ?? "", "base64").toString()).toBe("hi");
    expect(secret?.metadata.ownerReferences?.[0]?.kind).toBe("Greeting");

    const writes = client.writes;
    const gets = client.requests.get;
    await client.patch(resourcePath(GREETINGS, { namespace: "ns", name: "hello" }), { spec: { note: "same message" } }, "merge");
    await until(() => Promise.resolve(client.requests.get > gets));
    await manager.idle();
    expect(client.writes - writes, "only the test's own patch: the reconcile with nothing to change wrote nothing").toBe(1);

    await client.replace(path, { ...secret, data: { message: Buffer.from("edited").toString("base64") } });
    await until(async () => Buffer.from((await client.get<SecretObject>(path))?.data?.["message"] ?? "", "base64").toString() === "hi");
  });
});
