// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * A kind of input a model accepts.
 */
export type InputModality = "text" | "image";
