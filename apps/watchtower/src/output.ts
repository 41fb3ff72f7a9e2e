/** Where the CLI writes; `process.stdout` fits. */
export interface OutputStream {
  write(chunk: string): unknown
  isTTY?: boolean
}
