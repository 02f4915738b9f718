// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { RequestId } from "../RequestId";

/**
 * `serverRequest/resolved`: a pending server->client request became moot.
 */
export type ServerRequestResolvedNotification = { threadId: string, requestId: RequestId, };
