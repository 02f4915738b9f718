// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Result of `thread/backgroundTerminals/terminate`: whether the session was running (and now ended).
 */
export type ThreadBackgroundTerminalsTerminateResponse = { terminated: boolean, };
