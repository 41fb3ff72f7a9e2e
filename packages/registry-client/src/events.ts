import type { Challenge } from './challenge.ts'
import type { Platform } from './platform.ts'

/**
 * Every step the client takes, for credcheck and logs. Never holds a secret: no token, password,
 * identity token or Authorization header (usernames and credential sources are not secret).
 */
export type RegistryEvent =
  | {
      type: 'ping'
      registry: string
      url: string
      status: number
      /** The challenges the registry sent (empty for an open registry). */
      challenges: Challenge[]
    }
  | { type: 'scheme-fallback'; registry: string; from: 'https'; to: 'http'; reason: string }
  | {
      type: 'credentials'
      registry: string
      kind: 'basic' | 'identity-token' | 'anonymous'
      username?: string
      source: string
    }
  | {
      type: 'token-request'
      registry: string
      realm: string
      service?: string
      scopes: string[]
      method: 'GET' | 'POST'
      grant: 'basic' | 'refresh_token' | 'anonymous'
      status: number
      expiresIn?: number
    }
  | { type: 'token'; registry: string; realm: string; scopes: string[]; cached: boolean; expiresAt: number }
  | {
      type: 'auth-retry'
      registry: string
      repository: string
      reason: 'shared-token-refused' | 'insufficient-scope' | 'token-refused' | 'challenge-on-resource'
      status: number
      scopes: string[]
    }
  | {
      type: 'manifest'
      registry: string
      repository: string
      reference: string
      method: 'HEAD' | 'GET'
      status: number
      digest?: string
      mediaType?: string
    }
  | { type: 'tags'; registry: string; repository: string; page: number; status: number }
  | {
      type: 'image-config'
      registry: string
      repository: string
      reference: string
      digest: string
      created?: string
    }
  | { type: 'rate-limit'; host: string; limit?: number; remaining?: number; windowSeconds?: number }
  | { type: 'retry'; host: string; url: string; attempt: number; delayMs: number; reason: string }
  | {
      type: 'platform'
      registry: string
      repository: string
      indexDigest: string
      platform: Platform
      platformDigest?: string
    }
