import type { OutputStream } from '../../output.ts'
import type { NotifyError } from '../errors.ts'

export interface Message {
  title?: string
  body: string
}

export interface Service {
  /** `slack`, `smtp`, ... */
  readonly kind: string
  /** Safe to print: scheme and non-secret host only. */
  readonly description: string
  send(message: Message): Promise<void>
}

export type FixedHostService = 'slack' | 'discord' | 'telegram' | 'pushover' | 'teams'

export interface ServiceContext {
  /** Info logger for logger:// when not writing to stdout. */
  logInfo: (message: string) => void
  stdout: OutputStream
  /** --notification-log-stdout */
  logStdout: boolean
  /** Tests only: base URL (http://127.0.0.1:PORT) replacing a vendor's fixed host. */
  endpoints?: Partial<Record<FixedHostService, string>>
}

/** One notification URL, parsed, as a service factory receives it. */
export interface ServiceUrl {
  /** The URL as written (URL lowercases hosts; some services keep tokens there). */
  raw: string
  url: URL
  /** `slack`, `generic+http`, ... (without the colon). */
  scheme: string
  /** An error naming the scheme and what is wrong with the URL. */
  bad(what: string): NotifyError
}

/** Builds a service from its URL; throws `bad(...)` when the URL lacks what the service needs. */
export type ServiceFactory = (target: ServiceUrl, ctx: ServiceContext) => Service
