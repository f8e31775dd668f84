/** Sequential, ModuleList, ModuleDict. */
import { Module } from './module';
import { describe } from '../errors';

function checkModule(m: unknown, where: string): Module {
  if (!(m instanceof Module)) throw new TypeError(`${where}: ${describe(m)} is not a Module subclass`);
  return m;
}

/** Children in order, reachable by position (the shared part of Sequential and ModuleList). */
abstract class OrderedModules extends Module {
  get length(): number {
    return this._childModules().length;
  }
  /** The position of child i (negative counts from the end); RangeError when out of range. */
  protected position(i: number, n = this.length): number {
    const j = i < 0 ? i + n : i;
    if (!Number.isInteger(j) || j < 0 || j >= n) throw new RangeError(`index ${i} is out of range`);
    return j;
  }
  /** The i-th child (negative counts from the end). */
  get(i: number): Module {
    const list = this._childModules();
    return list[this.position(i, list.length)];
  }
  append(module: Module): this {
    this.registerModule(String(this.length), checkModule(module, `${this.constructor.name}.append`));
    return this;
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.children();
  }
}

/**
 * Sequential(...modules) or Sequential({ name: module, ... }): forward passes each child's output
 * to the next, whatever it is (a tensor, an array standing for a Python tuple, null).
 */
export class Sequential extends OrderedModules {
  constructor(...modules: Module[] | [Record<string, Module>]) {
    super();
    if (modules.length === 1 && !(modules[0] instanceof Module) && typeof modules[0] === 'object' && modules[0] !== null) {
      for (const [k, m] of Object.entries(modules[0] as Record<string, Module>)) this.registerModule(k, checkModule(m, `Sequential: '${k}'`));
    } else {
      (modules as Module[]).forEach((m, i) => this.registerModule(String(i), checkModule(m, 'Sequential')));
    }
  }
  override forward(input: unknown): unknown {
    let x = input;
    for (const m of this._childModules()) x = m.forward(x);
    return x;
  }
}

/** ModuleList: a list of modules registered as children '0', '1', ... */
export class ModuleList extends OrderedModules {
  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }
  set(i: number, module: Module): void {
    this.registerModule(String(this.position(i)), checkModule(module, 'ModuleList.set'));
  }
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }
  insert(index: number, module: Module): void {
    const list = [...this.children()];
    const j = Math.max(0, Math.min(list.length, index < 0 ? index + list.length : index));
    list.splice(j, 0, checkModule(module, 'ModuleList.insert'));
    list.forEach((m, k) => this.registerModule(String(k), m));
  }
  override forward(): never {
    throw new TypeError('ModuleList is not callable: iterate over it and call its modules');
  }
}

/** ModuleDict: modules by name, in insertion order. */
export class ModuleDict extends Module {
  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    this.update(modules);
  }
  get(key: string): Module | undefined {
    const v = (this as unknown as Record<string, unknown>)[key];
    return v instanceof Module ? v : undefined;
  }
  set(key: string, module: Module): void {
    this.registerModule(key, checkModule(module, 'ModuleDict.set'));
  }
  has(key: string): boolean {
    return this.get(key) !== undefined;
  }
  delete(key: string): boolean {
    if (!this.has(key)) return false;
    delete (this as unknown as Record<string, unknown>)[key];
    return true;
  }
  keys(): string[] {
    return [...this.namedChildren()].map(([k]) => k);
  }
  values(): Module[] {
    return [...this.children()];
  }
  entries(): [string, Module][] {
    return [...this.namedChildren()];
  }
  get size(): number {
    return this.keys().length;
  }
  update(modules: Record<string, Module> | Iterable<[string, Module]>): void {
    const entries = Symbol.iterator in Object(modules) ? [...(modules as Iterable<[string, Module]>)] : Object.entries(modules);
    for (const [k, m] of entries) this.set(k, m);
  }
  override forward(): never {
    throw new TypeError('ModuleDict is not callable: look modules up by name and call them');
  }
}
