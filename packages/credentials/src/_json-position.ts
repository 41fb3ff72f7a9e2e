/**
 * Find where and why JSON text is invalid, without quoting the text (V8's own SyntaxError
 * message quotes it, and config.json holds secrets). Only called after JSON.parse failed.
 */
export function describeJsonError(text: string): {
  position: number
  line: number
  column: number
  reason: string
} {
  const failure = _scan(text)
  const before = text.slice(0, failure.position)
  const lines = before.split('\n')
  return {
    position: failure.position,
    line: lines.length,
    column: (lines.at(-1)?.length ?? 0) + 1,
    reason: failure.reason,
  }
}

// --- internal ---

class Fail {
  constructor(
    readonly position: number,
    readonly reason: string,
  ) {}
}

function _scan(text: string): Fail {
  let i = 0
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const fail = (reason: string): never => {
    throw new Fail(i, i >= text.length ? 'unexpected end of file' : reason)
  }
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length
    else fail('unexpected character')
  }
  const string = () => {
    i++ // opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i)
      if (c === 0x22) {
        i++
        return
      }
      if (c < 0x20) fail('control character inside a string')
      if (c === 0x5c) {
        i++
        const e = text[i]
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('bad \\u escape in a string')
          i += 5
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i++
        else fail('bad escape in a string')
      } else i++
    }
    fail('unterminated string')
  }
  const number = () => {
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i))
    if (!m) fail('bad number')
    i += m![0].length
  }
  // Iterative (an explicit stack of open containers): a file nested a million levels deep is
  // described like any other, without "Maximum call stack size exceeded".
  const stack: ('{' | '[')[] = []
  /** Reads one scalar, or opens a container (pushed on the stack); true when a value is complete. */
  const begin = (): boolean => {
    ws()
    const c = text[i]
    if (c === '{' || c === '[') {
      i++
      ws()
      if (text[i] === (c === '{' ? '}' : ']')) {
        i++
        return true
      }
      stack.push(c)
      if (c === '{') key()
      return false
    }
    if (c === '"') string()
    else if (c === 't') literal('true')
    else if (c === 'f') literal('false')
    else if (c === 'n') literal('null')
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number()
    else fail('unexpected character')
    return true
  }
  const key = () => {
    ws()
    if (text[i] !== '"') fail('expected a double-quoted property name')
    string()
    ws()
    if (text[i] !== ':') fail('expected ":" after a property name')
    i++
  }
  const value = (): void => {
    let complete = begin()
    for (;;) {
      if (!complete) {
        complete = begin()
        continue
      }
      const open = stack.at(-1)
      if (open === undefined) return
      ws()
      if (text[i] === ',') {
        i++
        if (open === '{') key()
        complete = false
        continue
      }
      if (text[i] === (open === '{' ? '}' : ']')) {
        i++
        stack.pop()
        continue
      }
      fail(
        open === '{'
          ? 'expected "," or "}" after a property value'
          : 'expected "," or "]" after an array element',
      )
    }
  }
  try {
    value()
    ws()
    if (i < text.length) fail('unexpected text after the JSON value')
  } catch (error) {
    if (error instanceof Fail) return error
    throw error
  }
  return new Fail(0, 'invalid JSON')
}
