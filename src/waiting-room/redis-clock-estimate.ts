/** Samples kept: at one refresh a second, the best round trip of the last half minute. */
const WINDOW = 30;

/**
 * This process's estimate of the Redis clock, as an offset from its own. A sample's error is at most half
 * its round trip, and a busy event loop stretches the round trip (the reply waits to be read): so the
 * sample with the shortest round trip of the recent ones is trusted, as NTP does. Every API process then
 * computes the admission cursor within a few ms of the others.
 */
export class RedisClockEstimate {
  private readonly samples: { offset: number; roundTrip: number }[] = [];

  /** Records a sample (`offset` = Redis time − local time at the middle of the round trip); returns the estimate. */
  offset(offset: number, roundTripMs: number): number {
    this.samples.push({ offset, roundTrip: roundTripMs });
    if (this.samples.length > WINDOW) this.samples.shift();
    let best = this.samples[0]!;
    for (const sample of this.samples) if (sample.roundTrip < best.roundTrip) best = sample;
    return best.offset;
  }
}
