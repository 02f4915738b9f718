// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * The protocol of a network access request.
 */
export type NetworkApprovalProtocol = "http" | "https" | "socks5Tcp" | "socks5Udp";
