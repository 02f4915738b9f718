// GENERATED CODE! DO NOT MODIFY BY HAND!

export type { JsonValue } from "./JsonValue";
