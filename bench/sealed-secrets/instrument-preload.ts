/**
 * Preloaded (`node --import`) into the bundled controller process, so that
 * the counting wrappers are on `node:crypto` before the bundle reads its
 * functions (the bundle takes each built-in's functions once, when its
 * chunk is evaluated).
 */
import { countPrivateKeyOperations } from "./instrument.js";

countPrivateKeyOperations();
