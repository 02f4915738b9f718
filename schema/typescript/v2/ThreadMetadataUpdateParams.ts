// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ThreadMetadataGitInfoUpdateParams } from "./ThreadMetadataGitInfoUpdateParams";

/**
 * Params of `thread/metadata/update`.
 */
export type ThreadMetadataUpdateParams = { threadId: string, gitInfo: ThreadMetadataGitInfoUpdateParams | null, 
/**
 * Experimental. The project the thread belongs to; an empty string clears it.
 */
projectId?: string, 
/**
 * Experimental. The client's Daybreak choice for this thread.
 */
daybreakEnabled?: boolean, };
