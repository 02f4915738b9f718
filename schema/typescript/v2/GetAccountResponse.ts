// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { Account } from "./Account";

/**
 * Result of `account/read`.
 */
export type GetAccountResponse = { account: Account | null, requiresOpenaiAuth: boolean, };
