/**
 * The `receivers` controller's entry for `--controllers` (opt-in: it needs
 * the Receiver CRD): webhooks on `--webhook-addr` that make GitSources
 * fetch at once (docs/crds/receiver.md).
 */
import { RECEIVERS_CONTROLLER, ReceiverController } from "../../../operator/webhooks/index.js";
import type { ControllerEntry } from "./controllers.js";

export const receiversController: ControllerEntry = {
  name: RECEIVERS_CONTROLLER,
  summary: "webhook receivers (gitops.sigil.dev Receiver): GitHub, GitLab and generic HMAC pushes make GitSources fetch at once",
  byDefault: false,
  create: ({ flags, client, logger }) => new ReceiverController({ client, logger, addr: flags.webhookAddr }),
};
