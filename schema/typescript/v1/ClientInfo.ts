// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Who is connecting; `name` becomes the originator in the user agent and must be a valid header value.
 */
export type ClientInfo = { name: string, title?: string | null, version: string, };
