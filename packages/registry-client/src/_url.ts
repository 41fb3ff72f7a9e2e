/** Safe URL text for messages: no userinfo, no query (token requests carry account names). */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`
}
