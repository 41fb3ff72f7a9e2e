// The data of Go's text/template exec_test.go (tVal and friends) translated to JS values,
// and the test-only functions of its testExecute FuncMap. The translation rules are the
// engine's value model (README, "Notification templates"):
//   Go struct value or pointer      -> goStruct({...fields, ...methods}, "Go type name")
//   pointer to a scalar or slice    -> its target (23, "a string", [21, 22, 23]); nil pointer -> null
//   typed nil pointer with methods  -> an object holding just those methods (V2, W2, NonEmptyInterfaceTypedNil)
//   nil interface                   -> undefined (no value)
//   map                             -> Map (keys keep their kind: MII has number keys)
//   slice / array                   -> Array; a value of a named slice type with methods keeps them as properties
//   float64                         -> GoFloat (so 0.0 stays a float); complex128 zero -> 0 (complex values do not exist in JS)
//   func field                      -> JS function (functions with a `...rest` parameter are marked variadic)
//   channel (count)                 -> an Array of what it would deliver, nil channel -> null

import { sprintf } from '../../../src/template/_format.ts'
import { typeName } from '../../../src/template/_value.ts'
import type { FuncDef } from '../../../src/template/index.ts'
import { GoFloat, goStruct } from '../../../src/template/index.ts'

const variadic = <F extends (...a: never[]) => unknown>(f: F): F => Object.assign(f, { variadic: true })
const T = '*template.T'

const methodsOf = (t: Record<string, unknown>) => ({
  Method0: () => 'M0',
  Method1: (a: unknown) => a,
  Method2: (a: unknown, b: unknown) => sprintf('Method2: %d %s', [a, b]),
  Method3: (v: unknown) => sprintf('Method3: %v', [v]),
  Copy: () => makeT({ ...t }),
  MAdd: (a: number, b: number[]) => b.map((x) => x + a),
  MyError: (error: unknown) => {
    if (error) throw new Error('my error')
    return false
  },
  GetU: () => t.U,
})

function makeT(fields: Record<string, unknown>): Record<string, unknown> {
  const t: Record<string, unknown> = goStruct({ ...fields }, T)
  const own = Object.fromEntries(Object.entries(fields).filter(([, v]) => typeof v !== 'function'))
  return Object.assign(
    t,
    methodsOf(own),
    Object.fromEntries(Object.entries(fields).filter(([, v]) => typeof v === 'function')),
  )
}

const U = (v: string) => goStruct({ V: v, TrueFalse: (b: unknown) => (b ? 'true' : '') }, '*template.U')
const V = (j: number) => goStruct({ j, String: () => `<${j}>` }, 'template.V')
const W = (k: number) => goStruct({ k, Error: () => `[${k}]` }, 'template.W')
const nilT = () => goStruct({ Method0: () => 'M0', Method1: (a: unknown) => a }, T)

const tFields = {
  True: true,
  I: 17,
  U16: 16,
  X: 'x',
  S: 'xyz',
  FloatZero: new GoFloat(0),
  ComplexZero: 0,
  U: U('v'),
  V0: V(6666),
  V1: V(7777),
  V2: goStruct({ String: () => 'nilV' }, '*template.V'),
  W0: W(888),
  W1: W(999),
  W2: goStruct({ Error: () => 'nilW' }, '*template.W'),
  SI: [3, 4, 5],
  SICap: [0, 0, 0, 0, 0],
  SIEmpty: [],
  SB: [true, false],
  AI: [3, 4, 5],
  MSI: new Map([
    ['one', 1],
    ['two', 2],
    ['three', 3],
  ]),
  MSIone: new Map([['one', 1]]),
  MSIEmpty: new Map(),
  MXI: new Map([['one', 1]]),
  MII: new Map([[1, 1]]),
  MI32S: new Map([
    [1, 'one'],
    [2, 'two'],
  ]),
  MI64S: new Map([
    [2, 'i642'],
    [3, 'i643'],
  ]),
  MUI32S: new Map([
    [2, 'u322'],
    [3, 'u323'],
  ]),
  MUI64S: new Map([
    [2, 'ui642'],
    [3, 'ui643'],
  ]),
  MI8S: new Map([
    [2, 'i82'],
    [3, 'i83'],
  ]),
  MUI8S: new Map([
    [2, 'u82'],
    [3, 'u83'],
  ]),
  SMSI: [
    new Map([
      ['one', 1],
      ['two', 2],
    ]),
    new Map([
      ['eleven', 11],
      ['twelve', 12],
    ]),
  ],
  Empty0: undefined,
  Empty1: 3,
  Empty2: 'empty2',
  Empty3: [7, 8],
  Empty4: U('UinEmpty'),
  NonEmptyInterface: makeT({ X: 'x' }),
  NonEmptyInterfacePtS: Object.assign(['a', 'b'], { Method0: () => 'M0' }),
  NonEmptyInterfaceNil: undefined,
  NonEmptyInterfaceTypedNil: nilT(),
  Str: goStruct({ String: () => 'foozle' }, '*bytes.Buffer'),
  Err: goStruct({ Error: () => 'erroozle' }, '*errors.errorString'),
  PI: 23,
  PS: 'a string',
  PSI: [21, 22, 23],
  NIL: null,
  UPI: 23,
  EmptyUPI: null,
  BinaryFunc: (a: unknown, b: unknown) => `[${a}=${b}]`,
  VariadicFunc: variadic((...s: unknown[]) => `<${s.join('+')}>`),
  VariadicFuncInt: variadic((a: unknown, ...s: unknown[]) => `${a}=<${s.join('+')}>`),
  NilOKFunc: (s: unknown) => s === null,
  ErrFunc: () => 'bla',
  PanicFunc: () => {
    throw new Error('test panic')
  },
  TooFewReturnCountFunc: () => undefined,
  unexported: 0,
}

export const FIXTURES: Record<string, unknown> = {
  tVal: makeT(tFields),
  iValPtr: makeT(tFields),
  tEmpty: makeT({}),
  tZero: makeT({ PS: null }),
  tSliceOfNil: [nilT()],
  mapSStringer: new Map([['S', goStruct({ String: () => 'foozle' }, '*bytes.Buffer')]]),
  mapCause: new Map([['cause', 'neglect']]),
  struct7seven: goStruct({ a: 7, b: 'seven' }, 'struct { a int; b string }'),
  int8_5: 5,
  complex: 0,
  // iter.Seq / iter.Seq2 functions: JS functions in data are methods, never ranged over
  fVal1_2: () => undefined,
  fVal2_2: () => undefined,
  fVal1_0: () => undefined,
  fVal2_0: () => undefined,
  null: null,
  resultFunc: () => 'result',
  cmpStruct: goStruct(
    {
      Uthree: 3,
      Ufour: 4,
      NegOne: -1,
      Three: 3,
      Ptr: 0,
      NilPtr: null,
      NonNilMap: new Map(),
      Map: null,
      V1: goStruct({ j: 0 }, 'template.V'),
      V2: goStruct({ j: 0 }, 'template.V'),
      Iface1: goStruct({}, '*strings.Builder'),
      NilIface: undefined,
    },
    '*struct',
  ),
  interfaceValues: new Map<string, unknown>([
    ['PlusOne', (n: number) => n + 1],
    ['Slice', [0, 1, 2, 3]],
    ['One', 1],
    ['Two', 2],
    ['Nil', null],
    ['Zero', 0],
  ]),
}

const f = (params: FuncDef['params'], fn: (...a: never[]) => unknown, v?: FuncDef['variadic']): FuncDef => ({
  params,
  fn: fn as FuncDef['fn'],
  ...(v ? { variadic: v } : {}),
})

/** exec_test.go's testExecute FuncMap (and TestExecutePanicDuringCall's doPanic). */
export const TEST_FUNCS: Record<string, FuncDef> = {
  add: f([], (...a: number[]) => a.reduce((s, x) => s + x, 0), 'int'),
  count: f(['int'], (n: number) => (n === 0 ? null : [...'abcdefghijklmnop'.slice(0, n)])),
  dddArg: f(['int'], (a: number, ...b: string[]) => `${a} [${b.join(' ')}]\n`, 'string'),
  die: f([], () => {
    throw new Error('die')
  }),
  echo: f(['any'], (a: unknown) => a),
  makemap: f(
    [],
    (...a: string[]) => new Map(Array.from({ length: a.length / 2 }, (_, i) => [a[2 * i]!, a[2 * i + 1]!])),
    'string',
  ),
  mapOfThree: f([], () => new Map([['three', 3]])),
  oneArg: f(['string'], (a: string) => `oneArg=${a}`),
  returnInt: f([], () => 7),
  stringer: f(['value'], (s: { String: () => string }) => s.String()),
  twoArgs: f(['string', 'string'], (a: string, b: string) => `twoArgs=${a}${b}`),
  typeOf: f(['any'], (a: unknown) => typeName(a)),
  valueString: f(['string'], () => 'value is ignored'),
  vfunc: f(['any', 'any'], () => 'vfunc'),
  zeroArgs: f([], () => 'zeroArgs'),
  doPanic: f([], () => {
    throw new Error('custom panic string')
  }),
}
