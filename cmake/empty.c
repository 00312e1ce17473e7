/* Keeps the owndns_server library non-empty while server/ has no sources yet. */
typedef int owndns_server_placeholder;
