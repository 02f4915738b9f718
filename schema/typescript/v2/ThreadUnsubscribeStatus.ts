// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * What `thread/unsubscribe` found.
 */
export type ThreadUnsubscribeStatus = "notLoaded" | "notSubscribed" | "unsubscribed";
