import { WatchtowerError } from '../errors.ts'

/** A template that does not parse or fails while running. */
export class TemplateError extends WatchtowerError {
  override name = 'TemplateError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('WT_WATCHTOWER_TEMPLATE', `template: ${message}`, options)
  }
}
