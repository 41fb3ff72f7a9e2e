/**
 * Reads what the dynamic loader needs from an ELF file without running it (so an arm64 node can be
 * examined on an amd64 machine): the program interpreter (`PT_INTERP`) and the `DT_NEEDED` names.
 * 64-bit little-endian ELF only (x86_64 and aarch64).
 */
import { open } from 'node:fs/promises'
import { ImageError } from './errors.ts'

export interface ElfDynamicInfo {
  /** `e_machine`: 62 = x86_64, 183 = aarch64. */
  machine: number
  /** Absolute path of the loader, e.g. `/lib64/ld-linux-x86-64.so.2`; undefined for a shared library. */
  interpreter: string | undefined
  /** Libraries it links, in order (`libc.so.6`, ...). */
  needed: string[]
}

export const ELF_MACHINE = { amd64: 62, arm64: 183 } as const

const PT_LOAD = 1
const PT_DYNAMIC = 2
const PT_INTERP = 3
const DT_NULL = 0n
const DT_NEEDED = 1n
const DT_STRTAB = 5n

export async function readElfDynamic(file: string): Promise<ElfDynamicInfo> {
  const fh = await open(file, 'r').catch((cause: unknown) => {
    throw new ImageError('WT_IMAGE_ELF', `cannot open ${file}`, { cause })
  })
  try {
    const read = async (offset: number, length: number): Promise<Buffer> => {
      const buf = Buffer.alloc(length)
      const { bytesRead } = await fh.read(buf, 0, length, offset)
      if (bytesRead !== length) throw new ImageError('WT_IMAGE_ELF', `${file} is truncated (at ${offset})`)
      return buf
    }
    const head = await read(0, 64)
    if (head.readUInt32BE(0) !== 0x7f454c46)
      throw new ImageError('WT_IMAGE_ELF', `${file} is not an ELF file`)
    if (head[4] !== 2 || head[5] !== 1) {
      throw new ImageError('WT_IMAGE_ELF', `${file} is not a 64-bit little-endian ELF file`)
    }
    const machine = head.readUInt16LE(18)
    const phoff = Number(head.readBigUInt64LE(32))
    const phentsize = head.readUInt16LE(54)
    const phnum = head.readUInt16LE(56)
    const phdrs = await read(phoff, phentsize * phnum)
    const loads: { vaddr: number; offset: number; filesz: number }[] = []
    let interpreter: string | undefined
    let dynamic: { offset: number; size: number } | undefined
    for (let i = 0; i < phnum; i++) {
      const p = i * phentsize
      const type = phdrs.readUInt32LE(p)
      const offset = Number(phdrs.readBigUInt64LE(p + 8))
      const vaddr = Number(phdrs.readBigUInt64LE(p + 16))
      const filesz = Number(phdrs.readBigUInt64LE(p + 32))
      if (type === PT_LOAD) loads.push({ vaddr, offset, filesz })
      else if (type === PT_INTERP)
        interpreter = (await read(offset, filesz)).toString('latin1').replace(/\0.*$/s, '')
      else if (type === PT_DYNAMIC) dynamic = { offset, size: filesz }
    }
    if (!dynamic) return { machine, interpreter, needed: [] }
    const dyn = await read(dynamic.offset, dynamic.size)
    const neededOffsets: bigint[] = []
    let strtab: bigint | undefined
    for (let p = 0; p + 16 <= dyn.length; p += 16) {
      const tag = dyn.readBigInt64LE(p)
      const val = dyn.readBigUInt64LE(p + 8)
      if (tag === DT_NULL) break
      if (tag === DT_NEEDED) neededOffsets.push(val)
      else if (tag === DT_STRTAB) strtab = val
    }
    if (strtab === undefined)
      throw new ImageError('WT_IMAGE_ELF', `${file} has a dynamic section without DT_STRTAB`)
    const vaddr = Number(strtab)
    const seg = loads.find((l) => vaddr >= l.vaddr && vaddr < l.vaddr + l.filesz)
    if (!seg) throw new ImageError('WT_IMAGE_ELF', `${file}: DT_STRTAB ${vaddr} is in no PT_LOAD segment`)
    const strOffset = vaddr - seg.vaddr + seg.offset
    const needed: string[] = []
    for (const rel of neededOffsets) {
      // a name ends at its NUL; the string table may end less than 256 bytes further on
      const chunk = Buffer.alloc(256)
      const { bytesRead } = await fh.read(chunk, 0, 256, strOffset + Number(rel))
      const end = chunk.subarray(0, bytesRead).indexOf(0)
      if (end < 0) throw new ImageError('WT_IMAGE_ELF', `${file}: a DT_NEEDED name is not terminated`)
      needed.push(chunk.toString('latin1', 0, end))
    }
    return { machine, interpreter, needed }
  } finally {
    await fh.close()
  }
}
