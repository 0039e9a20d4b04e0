/** One persistence latch: fires after `on` consecutive positives, clears after `off` negatives. */
export class Latch {
  private run = 0;
  private miss = 0;
  firing = false;
  /** extra analyses to hold a firing latch (a sawtooth holds for 1.5 periods) */
  hold = 0;
  constructor(
    private readonly on: number,
    private readonly off: number,
  ) {}
  update(positive: boolean): boolean {
    if (positive) {
      this.run++;
      this.miss = 0;
      if (this.run >= this.on) this.firing = true;
    } else {
      this.run = 0;
      this.miss++;
      if (this.miss >= Math.max(this.off, this.hold)) this.firing = false;
    }
    return this.firing;
  }
}
