import { describe, expect, it } from "vitest";
import { DEFAULT_CONTROLLERS, selectControllers } from "../../../src/cli/commands/operator/controllers.js";

describe("the GitOps controllers in --controllers", () => {
  it("are opt-in: the default runs sealedsecrets, externalsecrets and clusterexternalsecrets only, and gitsources,syncs can be selected", () => {
    expect(DEFAULT_CONTROLLERS).toBe("sealedsecrets,externalsecrets,clusterexternalsecrets");
    expect(selectControllers("gitsources,syncs").map((c) => c.name)).toEqual(["gitsources", "syncs"]);
  });
});
