/** Webhook receivers: the `Receiver` resource and the `receivers` controller (docs/crds/receiver.md). */
export { RECEIVERS_CONTROLLER, ReceiverController, defaultReceiverControllerOptions } from "./controller.js";
export type { ReceiverControllerOptions } from "./controller.js";
export { ReceiverCounters, createReceiverServer, defaultReceiverServerOptions } from "./server.js";
export type { ReceiverEntry, ReceiverServerOptions } from "./server.js";
export { checkHmac, eventAccepted, safeEqual, verifyRequest } from "./signature.js";
export type { Headers, RejectReason, Verification } from "./signature.js";
export { Trigger, defaultTriggerOptions } from "./trigger.js";
export type { TriggerOptions } from "./trigger.js";
export { RECEIVERS, RECEIVER_TYPES, TOKEN_KEY, webhookPath } from "./types.js";
export type { Receiver, ReceiverResource, ReceiverSpec, ReceiverStatus, ReceiverType } from "./types.js";
export { MAX_PAYLOAD_DEPTH, anyPushConcerns, parsePush, pushConcerns } from "./push.js";
export type { PushInfo } from "./push.js";
