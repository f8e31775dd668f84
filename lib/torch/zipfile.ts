/**
 * The ZIP container of PyTorch checkpoints (torch >= 1.6): a reader that accepts what PyTorch,
 * Python's zipfile and other tools write (stored or deflated entries, data descriptors, ZIP64),
 * and a streaming writer that writes what PyTorch writes (stored entries whose data starts on a
 * 64-byte boundary, ZIP64 where sizes or offsets need it). Internal to sigprop/torch.
 *
 * Errors in the data are thrown as {@link FormatError}; serialization.ts adds the file path.
 */
import * as fs from 'fs';
import * as zlib from 'zlib';

/** Something is wrong with the bytes of a file (the caller turns it into a CheckpointError). */
export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormatError';
  }
}

// ---- CRC-32 (ZIP's, the same as zlib's) -----------------------------------------------------------
let CRC_TABLE: Uint32Array | undefined;
function crcTable(): Uint32Array {
  if (!CRC_TABLE) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  return CRC_TABLE;
}
const nativeCrc = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC-32 of `data`, continuing from `crc` (0 to start). */
export function crc32(data: Uint8Array, crc = 0): number {
  if (nativeCrc) return nativeCrc(data, crc) >>> 0;
  const table = crcTable();
  let c = (crc ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ---- reading ---------------------------------------------------------------------------------------------
const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const U32_MAX = 0xffffffff;
const U16_MAX = 0xffff;

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

function u64(b: Buffer, off: number, what: string): number {
  const v = b.readBigUInt64LE(off);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError(`${what} ${v} is out of range (corrupt ZIP)`);
  return Number(v);
}

/** Random access to the entries of a ZIP file through a file descriptor (nothing is read eagerly but the directory). */
export class ZipReader {
  readonly entries: ZipEntry[] = [];
  private readonly byName = new Map<string, ZipEntry>();

  constructor(private readonly fd: number, readonly fileSize: number) {
    this.readDirectory();
  }

  /** Reads `length` bytes at `position`; a short read means the file is truncated. */
  read(position: number, length: number, what: string): Buffer {
    if (position < 0 || length < 0 || position + length > this.fileSize) {
      throw new FormatError(`${what} at offset ${position} (${length} bytes) lies beyond the end of the file (${this.fileSize} bytes): the file is truncated or corrupt`);
    }
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.fd, buf, done, length - done, position + done);
      if (n <= 0) throw new FormatError(`unexpected end of file reading ${what} at offset ${position + done}`);
      done += n;
    }
    return buf;
  }

  private readDirectory(): void {
    const size = this.fileSize;
    if (size < 22) throw new FormatError(`the file is too short to be a ZIP archive (${size} bytes): truncated or not a checkpoint`);
    // The end-of-central-directory record is within the last 22 + 65535 bytes (its comment is at most 65535 bytes).
    const tailLen = Math.min(size, 22 + 65535);
    const tailStart = size - tailLen;
    const tail = this.read(tailStart, tailLen, 'the end of the archive');
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === SIG_EOCD) {
        const commentLen = tail.readUInt16LE(i + 20);
        if (i + 22 + commentLen <= tailLen) {
          eocd = i;
          break;
        }
      }
    }
    if (eocd < 0) throw new FormatError('no ZIP end-of-central-directory record: the file is truncated or not a ZIP archive');
    let count = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    const eocdAbs = tailStart + eocd;
    // ZIP64: a locator right before the EOCD points at the ZIP64 end-of-central-directory record.
    if (eocdAbs >= 20) {
      const loc = this.read(eocdAbs - 20, 20, 'the ZIP64 locator');
      if (loc.readUInt32LE(0) === SIG_ZIP64_LOCATOR) {
        const z64Off = u64(loc, 8, 'ZIP64 end-of-central-directory offset');
        const z = this.read(z64Off, 56, 'the ZIP64 end-of-central-directory record');
        if (z.readUInt32LE(0) !== SIG_ZIP64_EOCD) throw new FormatError(`bad ZIP64 end-of-central-directory signature at offset ${z64Off} (corrupt ZIP)`);
        count = u64(z, 32, 'ZIP64 entry count');
        cdSize = u64(z, 40, 'ZIP64 central directory size');
        cdOffset = u64(z, 48, 'ZIP64 central directory offset');
      }
    }
    if (count === U16_MAX || cdSize === U32_MAX || cdOffset === U32_MAX) {
      throw new FormatError('the ZIP directory needs ZIP64 fields but has no ZIP64 record (corrupt ZIP)');
    }
    if (cdOffset + cdSize > eocdAbs) throw new FormatError(`the ZIP central directory (offset ${cdOffset}, ${cdSize} bytes) overlaps its end record at ${eocdAbs} (corrupt or truncated ZIP)`);
    const cd = this.read(cdOffset, cdSize, 'the ZIP central directory');
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL) throw new FormatError(`bad ZIP central directory entry ${i} (corrupt ZIP)`);
      const flags = cd.readUInt16LE(p + 8);
      const method = cd.readUInt16LE(p + 10);
      const crc = cd.readUInt32LE(p + 16);
      let compressedSize = cd.readUInt32LE(p + 20);
      let usize = cd.readUInt32LE(p + 24);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      let localHeaderOffset = cd.readUInt32LE(p + 42);
      const end = p + 46 + nameLen + extraLen + commentLen;
      if (end > cd.length) throw new FormatError(`ZIP central directory entry ${i} runs past the directory (corrupt ZIP)`);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
      // ZIP64 extended information: the fields whose 32-bit value is 0xFFFFFFFF, in this order.
      let e = p + 46 + nameLen;
      const eEnd = e + extraLen;
      while (e + 4 <= eEnd) {
        const id = cd.readUInt16LE(e);
        const len = cd.readUInt16LE(e + 2);
        if (e + 4 + len > eEnd) break;
        if (id === 0x0001) {
          let q = e + 4;
          const take = (what: string): number => {
            if (q + 8 > e + 4 + len) throw new FormatError(`ZIP64 extra field of '${name}' is too short for its ${what} (corrupt ZIP)`);
            const v = u64(cd, q, `ZIP64 ${what} of '${name}'`);
            q += 8;
            return v;
          };
          if (usize === U32_MAX) usize = take('size');
          if (compressedSize === U32_MAX) compressedSize = take('compressed size');
          if (localHeaderOffset === U32_MAX) localHeaderOffset = take('header offset');
        }
        e += 4 + len;
      }
      const entry: ZipEntry = { name, method, flags, crc, compressedSize, size: usize, localHeaderOffset };
      this.entries.push(entry);
      if (!this.byName.has(name)) this.byName.set(name, entry);
      p = end;
    }
  }

  get(name: string): ZipEntry | undefined {
    return this.byName.get(name);
  }

  /** The uncompressed bytes of an entry, with its CRC-32 checked. */
  /** The file descriptor entries are read from (for readers that read a record themselves: dataStart). */
  get descriptor(): number {
    return this.fd;
  }

  /** Where a record's data starts in the file, after its local header (checked against the directory). */
  dataStart(entry: ZipEntry): number {
    const h = this.read(entry.localHeaderOffset, 30, `the local header of '${entry.name}'`);
    if (h.readUInt32LE(0) !== SIG_LOCAL) throw new FormatError(`bad local header signature for '${entry.name}' at offset ${entry.localHeaderOffset} (corrupt ZIP)`);
    const nameLen = h.readUInt16LE(26);
    const extraLen = h.readUInt16LE(28);
    const localName = this.read(entry.localHeaderOffset + 30, nameLen, `the local name of '${entry.name}'`).toString('utf8');
    if (localName !== entry.name) throw new FormatError(`the local header of '${entry.name}' names '${localName}' (corrupt ZIP)`);
    if (entry.flags & 1) throw new FormatError(`'${entry.name}' is encrypted`);
    const start = entry.localHeaderOffset + 30 + nameLen + extraLen;
    if (start + entry.compressedSize > this.fileSize) {
      throw new FormatError(`the data of '${entry.name}' at offset ${start} (${entry.compressedSize} bytes) lies beyond the end of the file (${this.fileSize} bytes): the file is truncated or corrupt`);
    }
    return start;
  }

  readEntry(entry: ZipEntry): Buffer {
    const start = this.dataStart(entry);
    const raw = this.read(start, entry.compressedSize, `the data of '${entry.name}'`);
    let data: Buffer;
    if (entry.method === 0) {
      if (entry.compressedSize !== entry.size) throw new FormatError(`stored entry '${entry.name}' has compressed size ${entry.compressedSize} != size ${entry.size} (corrupt ZIP)`);
      data = raw;
    } else if (entry.method === 8) {
      try {
        data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
      } catch (err) {
        throw new FormatError(`cannot inflate '${entry.name}': ${(err as Error).message} (corrupt ZIP)`);
      }
      if (data.length !== entry.size) throw new FormatError(`'${entry.name}' inflates to ${data.length} bytes, the directory says ${entry.size} (corrupt ZIP)`);
    } else {
      throw new FormatError(`'${entry.name}' uses ZIP compression method ${entry.method}; only stored (0) and deflate (8) are supported`);
    }
    const c = crc32(data);
    if (c !== entry.crc) throw new FormatError(`CRC-32 mismatch in '${entry.name}' (stored ${hex8(entry.crc)}, computed ${hex8(c)}): the data is corrupt`);
    return data;
  }
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

// ---- writing ------------------------------------------------------------------------------------------------
/** Where the bytes go: a sink that must write all of `data` (or throw). */
export type Sink = (data: Uint8Array) => void;

interface Written {
  name: Buffer;
  crc: number;
  size: number;
  offset: number;
  zip64: boolean;
}

const ALIGN = 64;

/**
 * Writes a ZIP the way PyTorch's PyTorchStreamWriter does: stored entries, each entry's data
 * starting on a 64-byte boundary (padding in an extra field 'FB'), a ZIP64 end record. Entries
 * whose size or offset does not fit 32 bits get ZIP64 extra fields.
 */
export class ZipWriter {
  private offset = 0;
  private readonly written: Written[] = [];

  /** forceZip64: write ZIP64 extra fields for every entry (for tests of the ZIP64 path). */
  constructor(private readonly sink: Sink, private readonly forceZip64 = false) {}

  private out(b: Uint8Array): void {
    if (b.length === 0) return;
    this.sink(b);
    this.offset += b.length;
  }

  /** Adds a stored entry (its data is written right away; only its directory entry is kept). */
  add(name: string, data: Uint8Array): void {
    const nameBuf = Buffer.from(name, 'utf8');
    const size = data.length;
    const crc = crc32(data);
    const offset = this.offset;
    const zip64 = this.forceZip64 || size >= U32_MAX || offset >= U32_MAX;
    const z64Len = zip64 ? 20 : 0; // id, len, size, compressed size
    const base = offset + 30 + nameBuf.length + z64Len + 4;
    const pad = (ALIGN - (base % ALIGN)) % ALIGN;
    const extraLen = z64Len + 4 + pad;
    const h = Buffer.alloc(30 + nameBuf.length + extraLen);
    h.writeUInt32LE(SIG_LOCAL, 0);
    h.writeUInt16LE(zip64 ? 45 : 20, 4); // version needed
    h.writeUInt16LE(nameBuf.some((c) => c >= 0x80) ? 0x0800 : 0, 6); // flags: UTF-8 names
    h.writeUInt16LE(0, 8); // stored
    h.writeUInt16LE(0, 10); // time
    h.writeUInt16LE(0x21, 12); // date: 1980-01-01
    h.writeUInt32LE(crc, 14);
    h.writeUInt32LE(zip64 ? U32_MAX : size, 18);
    h.writeUInt32LE(zip64 ? U32_MAX : size, 22);
    h.writeUInt16LE(nameBuf.length, 26);
    h.writeUInt16LE(extraLen, 28);
    nameBuf.copy(h, 30);
    let e = 30 + nameBuf.length;
    if (zip64) {
      h.writeUInt16LE(0x0001, e);
      h.writeUInt16LE(16, e + 2);
      h.writeBigUInt64LE(BigInt(size), e + 4);
      h.writeBigUInt64LE(BigInt(size), e + 12);
      e += 20;
    }
    h.writeUInt16LE(0x4246, e); // 'FB': PyTorch's alignment padding
    h.writeUInt16LE(pad, e + 2);
    h.fill(0x5a, e + 4, e + 4 + pad); // 'Z'
    this.out(h);
    this.out(data);
    this.written.push({ name: nameBuf, crc, size, offset, zip64 });
  }

  /** Writes the central directory and the end records. */
  finish(): void {
    const cdStart = this.offset;
    for (const w of this.written) {
      const needSize = this.forceZip64 || w.size >= U32_MAX;
      const needOff = this.forceZip64 || w.offset >= U32_MAX;
      const z64Len = needSize || needOff ? 4 + (needSize ? 16 : 0) + (needOff ? 8 : 0) : 0;
      const h = Buffer.alloc(46 + w.name.length + z64Len);
      h.writeUInt32LE(SIG_CENTRAL, 0);
      h.writeUInt16LE(z64Len ? 45 : 20, 4); // version made by
      h.writeUInt16LE(z64Len ? 45 : 20, 6); // version needed
      h.writeUInt16LE(w.name.some((c) => c >= 0x80) ? 0x0800 : 0, 8);
      h.writeUInt16LE(0, 10);
      h.writeUInt16LE(0, 12);
      h.writeUInt16LE(0x21, 14);
      h.writeUInt32LE(w.crc, 16);
      h.writeUInt32LE(needSize ? U32_MAX : w.size, 20);
      h.writeUInt32LE(needSize ? U32_MAX : w.size, 24);
      h.writeUInt16LE(w.name.length, 28);
      h.writeUInt16LE(z64Len, 30);
      // comment length, disk number, internal and external attributes: 0
      h.writeUInt32LE(needOff ? U32_MAX : w.offset, 42);
      w.name.copy(h, 46);
      let e = 46 + w.name.length;
      if (z64Len) {
        h.writeUInt16LE(0x0001, e);
        h.writeUInt16LE(z64Len - 4, e + 2);
        e += 4;
        if (needSize) {
          h.writeBigUInt64LE(BigInt(w.size), e);
          h.writeBigUInt64LE(BigInt(w.size), e + 8);
          e += 16;
        }
        if (needOff) h.writeBigUInt64LE(BigInt(w.offset), e);
      }
      this.out(h);
    }
    const cdSize = this.offset - cdStart;
    const n = this.written.length;
    // ZIP64 end of central directory record and locator (PyTorch always writes them).
    const z64At = this.offset;
    const z = Buffer.alloc(56 + 20);
    z.writeUInt32LE(SIG_ZIP64_EOCD, 0);
    z.writeBigUInt64LE(44n, 4); // size of the rest of the record
    z.writeUInt16LE(45, 12);
    z.writeUInt16LE(45, 14);
    // disk numbers: 0
    z.writeBigUInt64LE(BigInt(n), 24);
    z.writeBigUInt64LE(BigInt(n), 32);
    z.writeBigUInt64LE(BigInt(cdSize), 40);
    z.writeBigUInt64LE(BigInt(cdStart), 48);
    z.writeUInt32LE(SIG_ZIP64_LOCATOR, 56);
    z.writeBigUInt64LE(BigInt(z64At), 64);
    z.writeUInt32LE(1, 72); // total disks
    this.out(z);
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(SIG_EOCD, 0);
    eocd.writeUInt16LE(Math.min(n, U16_MAX), 8);
    eocd.writeUInt16LE(Math.min(n, U16_MAX), 10);
    eocd.writeUInt32LE(Math.min(cdSize, U32_MAX), 12);
    eocd.writeUInt32LE(Math.min(cdStart, U32_MAX), 16);
    this.out(eocd);
  }
}
