// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * A client notification, `{"method", "params"?}`.
 */
export type ClientNotification = { "method": "initialized" };
