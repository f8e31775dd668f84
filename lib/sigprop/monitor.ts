/** Monitor and Group (Python's sigprop/monitors/monitor.py). */
import { describe } from '../torch/errors';

/** Base of monitors. */
export class Monitor {}

/** What a Group holds: anything with reset() and metrics(). */
export interface MonitorLike {
  reset(): void;
  metrics(): string;
}

/** A list of monitors: add, reset (each), metrics (each one's text, joined by newlines). */
export class Group extends Monitor {
  monitors: MonitorLike[] = [];
  add(monitor: MonitorLike): void {
    if (typeof monitor !== 'object' || monitor === null || typeof monitor.reset !== 'function' || typeof monitor.metrics !== 'function') {
      throw new TypeError(`Group.add(): expected a monitor (with reset() and metrics()), got ${describe(monitor)}`);
    }
    this.monitors.push(monitor);
  }
  reset(): void {
    for (const m of this.monitors) m.reset();
  }
  metrics(): string {
    return this.monitors.map((m) => m.metrics()).join('\n');
  }
}

