// The bus registry: devices claim I/O ports, MMIO ranges and IRQ lines here, and the CPU and
// kernel drivers reach devices only through it. A second claim on a port, an overlapping MMIO
// range or a taken IRQ line is refused with an error naming the current owner.

export interface PortHandler {
  read(port: number, size: 1 | 2 | 4): number;
  write(port: number, size: 1 | 2 | 4, value: number): void;
}

export interface MmioHandler {
  read(offset: number, size: 1 | 2 | 4 | 8): number;
  write(offset: number, size: 1 | 2 | 4 | 8, value: number): void;
}

interface MmioRange {
  base: number;
  length: number;
  owner: string;
  handler: MmioHandler;
}

export type IrqListener = (line: number) => void;

export class BusConflictError extends Error {}

export class Bus {
  private readonly ports: (PortHandler | undefined)[] = new Array(65536);
  private readonly portOwners: (string | undefined)[] = new Array(65536);
  private readonly mmio: MmioRange[] = [];
  private readonly irqOwners = new Map<number, string>();
  private readonly pendingIrqs = new Set<number>();
  private irqListener: IrqListener = () => {};

  claimPorts(owner: string, first: number, count: number, handler: PortHandler): void {
    if (first < 0 || count < 1 || first + count > 65536) {
      throw new RangeError(`${owner}: port range ${first}+${count} is outside 0..65535`);
    }
    for (let p = first; p < first + count; p++) {
      const current = this.portOwners[p];
      if (current) {
        throw new BusConflictError(
          `${owner}: port 0x${p.toString(16)} already owned by ${current}`,
        );
      }
    }
    for (let p = first; p < first + count; p++) {
      this.ports[p] = handler;
      this.portOwners[p] = owner;
    }
  }

  /** Unclaimed ports read as all ones and ignore writes, as on a PC. */
  portRead(port: number, size: 1 | 2 | 4): number {
    const h = this.ports[port & 0xffff];
    if (!h) return size === 4 ? 0xffffffff : (1 << (size * 8)) - 1;
    return h.read(port & 0xffff, size);
  }

  portWrite(port: number, size: 1 | 2 | 4, value: number): void {
    this.ports[port & 0xffff]?.write(port & 0xffff, size, value);
  }

  claimMmio(owner: string, base: number, length: number, handler: MmioHandler): void {
    if (length <= 0) throw new RangeError(`${owner}: empty MMIO range`);
    for (const r of this.mmio) {
      if (base < r.base + r.length && r.base < base + length) {
        throw new BusConflictError(
          `${owner}: MMIO 0x${base.toString(16)}+0x${length.toString(16)} overlaps ${r.owner}`,
        );
      }
    }
    this.mmio.push({ base, length, owner, handler });
    this.mmio.sort((a, b) => a.base - b.base);
  }

  /** The MMIO range holding a physical address, with the offset into it. */
  findMmio(paddr: number): { handler: MmioHandler; offset: number } | undefined {
    let lo = 0, hi = this.mmio.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.mmio[mid];
      if (paddr < r.base) hi = mid - 1;
      else if (paddr >= r.base + r.length) lo = mid + 1;
      else return { handler: r.handler, offset: paddr - r.base };
    }
    return undefined;
  }

  claimIrq(owner: string, line: number): void {
    const current = this.irqOwners.get(line);
    if (current) throw new BusConflictError(`${owner}: IRQ ${line} already owned by ${current}`);
    this.irqOwners.set(line, owner);
  }

  /** Raise an interrupt line (devices); the listener (interrupt controller/kernel) is told. */
  raiseIrq(line: number): void {
    if (!this.irqOwners.has(line)) throw new RangeError(`IRQ ${line} is not claimed`);
    this.pendingIrqs.add(line);
    this.irqListener(line);
  }

  /** Take and clear the pending IRQ lines, lowest first. */
  takePendingIrqs(): number[] {
    const lines = [...this.pendingIrqs].sort((a, b) => a - b);
    this.pendingIrqs.clear();
    return lines;
  }

  onIrq(listener: IrqListener): void {
    this.irqListener = listener;
  }

  owners(): { ports: Map<string, number[]>; mmio: string[]; irqs: Map<number, string> } {
    const ports = new Map<string, number[]>();
    this.portOwners.forEach((o, p) => {
      if (o) ports.set(o, [...(ports.get(o) ?? []), p]);
    });
    return { ports, mmio: this.mmio.map((r) => r.owner), irqs: new Map(this.irqOwners) };
  }
}
