import { readFileSync } from 'node:fs'
import { Agent, request } from 'undici'
import type { Testbed } from './types.ts'

/** GET with undici trusting the bed's CA (and a client cert when asked). */
export async function get(
  bed: Testbed,
  url: string,
  options: {
    ca?: boolean
    clientCert?: boolean
    verify?: boolean
    headers?: Record<string, string>
    method?: 'GET' | 'HEAD'
  } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const agent = new Agent({
    connect: {
      ca: options.ca === false ? undefined : readFileSync(bed.tls.caCert),
      cert: options.clientCert ? readFileSync(bed.tls.clientCert) : undefined,
      key: options.clientCert ? readFileSync(bed.tls.clientKey) : undefined,
      rejectUnauthorized: options.verify ?? true,
    },
  })
  try {
    const res = await request(url, {
      dispatcher: agent,
      headers: options.headers,
      method: options.method ?? 'GET',
    })
    return { status: res.statusCode, headers: res.headers, body: await res.body.text() }
  } finally {
    await agent.close()
  }
}

export const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

export function tokenUrl(bed: Testbed, ...scopes: string[]): string {
  const u = new URL(bed.tokenServer.realm)
  u.searchParams.set('service', bed.tokenServer.service)
  for (const s of scopes) u.searchParams.append('scope', s)
  return u.toString()
}

/** The JWT's claims (no verification: the registry does that). */
export function claims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>
}
