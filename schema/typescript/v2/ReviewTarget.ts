// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * What to review.
 */
export type ReviewTarget = { "type": "uncommittedChanges" } | { "type": "baseBranch", branch: string, } | { "type": "commit", sha: string, 
/**
 * A label for the commit (its subject, say).
 */
title: string | null, } | { "type": "custom", instructions: string, };
