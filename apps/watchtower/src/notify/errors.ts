import { WatchtowerError } from '../errors.ts'

/** A notification that could not be sent, or a notification URL that is wrong. */
export class NotifyError extends WatchtowerError {
  override name = 'NotifyError'
  readonly service: string
  constructor(service: string, message: string, options?: { cause?: unknown }) {
    super('WT_WATCHTOWER_NOTIFY', message, options)
    this.service = service
  }
}
