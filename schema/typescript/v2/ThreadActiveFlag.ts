// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Why an active thread is waiting on the client.
 */
export type ThreadActiveFlag = "waitingOnApproval" | "waitingOnUserInput";
