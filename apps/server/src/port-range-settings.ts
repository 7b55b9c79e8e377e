import type { PortSettingsBody, PortSettingsView } from '@berth/contracts';
import { InvalidInput, type LedgerConfig, type ReservedRange, type SettingsRepository } from '@berth/core';
import type { GlobalPortRange } from './global-port-range.js';
import type { BerthLogger } from './logger.js';

const GLOBAL_KEY = 'ports.globalRange';
const RESERVED_KEY = 'ports.reserved';

export interface PortRangeSettingsDeps {
  settings: SettingsRepository;
  /** The ledger's config, changed in place: the next choice reads it (see LedgerConfig). */
  ledger: LedgerConfig;
  /** What the environment or the default gives at start-up (ServerConfig.portRange). */
  startup: GlobalPortRange;
  /** BERTH_RESERVED_PORTS. */
  envReserved: ReservedRange[];
  ephemeral: [number, number] | undefined;
  log: BerthLogger;
}

type Range = [number, number];
const words = ([from, to]: Range) => `${from}–${to}`;
const overlaps = (a: Range, b: Range) => a[0] <= b[1] && b[0] <= a[1];

/**
 * The global range and the reserved ranges as settings: from the environment (or the default) at
 * start-up, replaced through `PUT /settings/ports` (saved in the database, so a restart keeps
 * them) and applied to the ledger at once. A saved value wins over the environment's until it is
 * cleared (`null`).
 */
export class PortRangeSettings {
  constructor(private readonly d: PortRangeSettingsDeps) {
    this.apply();
  }

  /** The global range in force, and why (for `/info`, `berth ports` and `/ports/free`). */
  globalRange(): GlobalPortRange {
    const saved = this.savedGlobal();
    if (!saved) return this.d.startup;
    const overlap = this.overlapsEphemeral(saved);
    const tail = overlap
      ? `; it overlaps ${this.ephemeralWords()}, so an outgoing connection may take a chosen port`
      : '';
    return { range: saved, why: `set through berth's port settings${tail}`, overlapsEphemeral: overlap };
  }

  view(): PortSettingsView {
    const g = this.globalRange();
    const reserved = this.savedReserved();
    const envSet = /BERTH_PORT_RANGE/.test(this.d.startup.why);
    return {
      globalRange: { from: g.range[0], to: g.range[1] },
      why: g.why,
      globalSource: this.savedGlobal() ? 'setting' : envSet ? 'environment' : 'default',
      reserved: reserved ?? this.d.envReserved,
      reservedSource: reserved ? 'setting' : this.d.envReserved.length > 0 ? 'environment' : 'none',
      ephemeral: this.d.ephemeral ? { from: this.d.ephemeral[0], to: this.d.ephemeral[1] } : null,
      warnings: g.overlapsEphemeral ? [`${words(g.range)} overlaps ${this.ephemeralWords()}`] : [],
    };
  }

  /** Checks everything first (a 400 naming the field, nothing saved), then saves and applies. */
  update(body: PortSettingsBody): PortSettingsView {
    if (body.globalRange) this.checkGlobal([body.globalRange.from, body.globalRange.to]);
    body.reserved?.forEach((r, i) => {
      if (r.from > r.to)
        throw new InvalidInput(
          `reserved[${i}].from (${r.from}) must not be above reserved[${i}].to (${r.to})`,
          {
            details: { field: `reserved[${i}].from` },
          },
        );
    });
    const s = this.d.settings;
    if (body.globalRange === null) s.delete(GLOBAL_KEY);
    else if (body.globalRange)
      s.set(GLOBAL_KEY, JSON.stringify([body.globalRange.from, body.globalRange.to]));
    if (body.reserved === null) s.delete(RESERVED_KEY);
    else if (body.reserved) s.set(RESERVED_KEY, JSON.stringify(body.reserved));
    this.apply();
    const v = this.view();
    this.d.log[v.warnings.length > 0 ? 'warn' : 'info'](
      { ns: 'ports', from: v.globalRange.from, to: v.globalRange.to, reserved: v.reserved.length },
      `Port settings changed: leases now come from ${v.globalRange.from}–${v.globalRange.to} (${v.why})`,
    );
    return v;
  }

  private checkGlobal(r: Range): void {
    if (r[0] >= r[1]) {
      throw new InvalidInput(`globalRange.from (${r[0]}) must be below globalRange.to (${r[1]})`, {
        details: { field: 'globalRange.from' },
      });
    }
    const e = this.d.ephemeral;
    if (e && r[0] >= e[0] && r[1] <= e[1]) {
      throw new InvalidInput(
        `globalRange ${words(r)} lies inside ${this.ephemeralWords()}, where outgoing connections take their ports: any of them may take a port berth chose before the instance binds it; choose ports outside it`,
        { details: { field: 'globalRange' } },
      );
    }
  }

  private apply(): void {
    this.d.ledger.globalRange = this.globalRange().range;
    this.d.ledger.reserved = this.savedReserved() ?? this.d.envReserved;
  }

  private overlapsEphemeral(r: Range): boolean {
    return !!this.d.ephemeral && overlaps(r, this.d.ephemeral);
  }

  private ephemeralWords(): string {
    return this.d.ephemeral
      ? `the kernel's ephemeral range ${words(this.d.ephemeral)}`
      : 'the ephemeral range';
  }

  private savedGlobal(): Range | undefined {
    const raw = this.d.settings.get(GLOBAL_KEY);
    return raw ? (JSON.parse(raw) as Range) : undefined;
  }

  private savedReserved(): ReservedRange[] | undefined {
    const raw = this.d.settings.get(RESERVED_KEY);
    return raw ? (JSON.parse(raw) as ReservedRange[]) : undefined;
  }
}
