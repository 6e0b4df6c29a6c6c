/** ESO's names (docs/formats.md#c1-externalsecret), shared by the core and the controller. */
export const ES_GROUP = "external-secrets.io";
export const ES_API_VERSION = "external-secrets.io/v1";
export const LABEL_MANAGED = "reconcile.external-secrets.io/managed";
export const LABEL_MANAGED_VALUE = "true";
export const LABEL_OWNER = "reconcile.external-secrets.io/created-by";
export const ANNOTATION_DATA_HASH = "reconcile.external-secrets.io/data-hash";
export const ANNOTATION_FORCE_SYNC = "force-sync";
/** The field manager ESO writes with: `externalsecrets.external-secrets.io/<es-name>`. */
export const fieldOwner = (esName: string): string => `externalsecrets.external-secrets.io/${esName}`;

export const REASON_SYNCED = "SecretSynced";
export const REASON_SYNCED_ERROR = "SecretSyncedError";
export const REASON_DELETED = "SecretDeleted";
export const REASON_MISSING = "SecretMissing";

export const MSG_SYNCED = "secret synced";
export const MSG_SYNCED_RETAIN = "secret retained due to DeletionPolicy=Retain";
export const MSG_DELETED = "secret deleted due to DeletionPolicy=Delete";
export const MSG_MISSING = "secret will not be created due to CreationPolicy=Merge";
export const MSG_ERR_GET_DATA = "could not get secret data from provider";
export const MSG_ERR_DELETE = "could not delete secret";
export const MSG_ERR_UPDATE = "could not update secret";
export const MSG_ERR_IMMUTABLE = "could not update secret, target is immutable";
export const MSG_ERR_OWNER = "failed to take ownership of target secret";
export const MSG_ERR_OWNED = "target is owned by another ExternalSecret";

/** Event reasons. */
export const EVENT_CREATED = "Created";
export const EVENT_UPDATED = "Updated";
export const EVENT_DELETED = "Deleted";
export const EVENT_UPDATE_FAILED = "UpdateFailed";
export const EVENT_MISSING_PROVIDER_SECRET = "MissingProviderSecret";

/** Store condition reasons. */
export const STORE_VALID = "Valid";
export const STORE_INVALID_PROVIDER = "InvalidProviderConfig";
export const STORE_INVALID_CONFIG = "InvalidStoreConfiguration";
export const STORE_VALIDATION_FAILED = "ValidationFailed";
