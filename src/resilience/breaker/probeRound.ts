/**
 * The probes of one half-open period: how many were let through, and the
 * verdict once enough of them settled.
 * @module
 */

/** What a settled probe decided. */
export type ProbeVerdict = "open" | "close" | undefined;

/** Counts the probes of one half-open period. */
export class ProbeRound {
  private admitted = 0;
  private good = 0;
  private bad = 0;

  /**
   * @param probes probes allowed in the round (≥ 1)
   * @param failureLimit bad probes that re-open the circuit
   */
  constructor(
    readonly probes: number,
    private readonly failureLimit: number,
  ) {}

  /** True when another probe may start. */
  get hasRoom(): boolean {
    return this.admitted < this.probes;
  }

  /** Probes admitted and not yet settled or released. */
  get inFlight(): number {
    return this.admitted - this.good - this.bad;
  }

  /** Takes a probe slot; false when all are taken. */
  admit(): boolean {
    if (this.admitted >= this.probes) return false;
    this.admitted++;
    return true;
  }

  /** Gives back a slot whose caller gave up without a verdict. */
  release(): void {
    this.admitted--;
  }

  /** Records a probe's result; re-open at the failure limit, close once it can no longer be reached. */
  settle(bad: boolean): ProbeVerdict {
    if (bad) this.bad++;
    else this.good++;
    if (this.bad >= this.failureLimit) return "open";
    if (this.good > this.probes - this.failureLimit) return "close";
    return undefined;
  }
}
