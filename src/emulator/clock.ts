/**
 * The emulator's clock. Every instant the emulator records or checks (insertInstant, token iat/exp, refresh
 * token expiry) comes from here, so tests move time instead of waiting for it.
 */
export class EmulatorClock {
  private frozenAt: number | undefined;
  private offsetMs = 0;

  /** @param now when given, the clock starts frozen at this instant; otherwise it follows the wall clock. */
  constructor(now?: Date) {
    if (now !== undefined) this.frozenAt = now.getTime();
  }

  /** Current instant in epoch milliseconds. */
  now(): number {
    return this.frozenAt ?? Date.now() + this.offsetMs;
  }

  get frozen(): boolean {
    return this.frozenAt !== undefined;
  }

  /** Sets the current instant; a frozen clock stays there until set or advanced, otherwise it runs on from it. */
  set(instantMs: number, frozen = true): void {
    if (frozen) {
      this.frozenAt = instantMs;
      this.offsetMs = 0;
    } else {
      this.frozenAt = undefined;
      this.offsetMs = instantMs - Date.now();
    }
  }

  /** Moves the clock forward (or back, with a negative amount). */
  advance(ms: number): void {
    if (this.frozenAt !== undefined) this.frozenAt += ms;
    else this.offsetMs += ms;
  }
}
