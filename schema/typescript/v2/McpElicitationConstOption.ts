// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * A choice: the value sent back (`const`) and what the user sees (`title`).
 */
export type McpElicitationConstOption = { const: string, title: string, };
