// Guest physical memory: one contiguous WebAssembly.Memory shared by the interpreter, a future
// wasm JIT and the kernel. It also owns the code-page map that keeps decoded instructions honest
// when code is written (self-modifying code, loaders, DMA).

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;
const WASM_PAGE = 65536;

export class PhysicalMemory {
  readonly size: number;
  readonly wasm: WebAssembly.Memory;
  readonly u8: Uint8Array;
  readonly dv: DataView;
  /** One byte per physical page: non-zero when decoded instructions were cached from it. */
  readonly codePages: Uint8Array;
  /** Called with a physical page number whose cached code must be discarded. */
  onCodeWrite: (ppn: number) => void = () => {};

  constructor(sizeBytes = 512 * 1024 * 1024) {
    if (!Number.isInteger(sizeBytes) || sizeBytes < WASM_PAGE || sizeBytes % PAGE_SIZE !== 0) {
      throw new RangeError(`guest memory size must be a multiple of 4 KiB and at least 64 KiB`);
    }
    const pages = Math.ceil(sizeBytes / WASM_PAGE);
    this.wasm = new WebAssembly.Memory({ initial: pages, maximum: pages });
    this.size = sizeBytes;
    this.u8 = new Uint8Array(this.wasm.buffer, 0, sizeBytes);
    this.dv = new DataView(this.wasm.buffer, 0, sizeBytes);
    this.codePages = new Uint8Array(sizeBytes / PAGE_SIZE);
  }

  /** Invalidate cached code for every page in [paddr, paddr+len). Cheap when none is code. */
  noteWrite(paddr: number, len: number): void {
    if (len <= 0) return;
    const first = paddr >>> PAGE_SHIFT;
    const last = (paddr + len - 1) >>> PAGE_SHIFT;
    for (let p = first; p <= last; p++) {
      if (this.codePages[p]) this.onCodeWrite(p);
    }
  }

  /** Bulk copy into guest physical memory (kernel and devices); keeps the code cache honest. */
  writeBytes(paddr: number, data: Uint8Array): void {
    this.u8.set(data, paddr);
    this.noteWrite(paddr, data.length);
  }

  readBytes(paddr: number, len: number): Uint8Array {
    return this.u8.slice(paddr, paddr + len);
  }

  fill(paddr: number, len: number, value = 0): void {
    this.u8.fill(value, paddr, paddr + len);
    this.noteWrite(paddr, len);
  }
}
