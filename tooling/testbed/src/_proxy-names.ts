// The names the proxied registry and token server answer to (/etc/hosts lines the bed writes), in a
// leaf module: the certificates (_tls.ts) name them, the proxy (_proxy.ts) routes them.
export const PROXY_DOMAIN = 'wt-proxy.test'
export const PROXIED_REGISTRY_HOSTNAME = `registry.${PROXY_DOMAIN}`
export const PROXIED_TOKEN_HOSTNAME = `token.${PROXY_DOMAIN}`
