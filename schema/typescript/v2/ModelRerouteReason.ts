// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Why a model was rerouted.
 */
export type ModelRerouteReason = "highRiskCyberActivity";
