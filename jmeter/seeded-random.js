// A seedable random number generator, so a seat CSV can be written again byte for byte from its seed: a
// failed run can be replayed with the same order of requests. xoshiro128** (Blackman and Vigna) on 32-bit
// integers; its 128-bit state is filled from the seed by a SplitMix-style sequence so that nearby seeds
// (1, 2, 3) still give unrelated streams.

const rotateLeft = (x, k) => (x << k) | (x >>> (32 - k));

/** The seed spread over four non-correlated 32-bit words (a Weyl sequence through the murmur3 finaliser). */
function seedWords(seed) {
  let weyl = seed >>> 0;
  const words = [];
  for (let i = 0; i < 4; i++) {
    weyl = (weyl + 0x9e3779b9) >>> 0;
    let z = weyl;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    words.push((z ^ (z >>> 16)) >>> 0);
  }
  // An all-zero state would only ever produce zeros.
  if (words.every((w) => w === 0)) words[0] = 1;
  return words;
}

class SeededRandom {
  constructor(seed) {
    if (!Number.isSafeInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
    [this.s0, this.s1, this.s2, this.s3] = seedWords(seed);
  }

  /** The next unsigned 32-bit integer. */
  nextUint32() {
    const result = Math.imul(rotateLeft(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotateLeft(this.s3, 11);
    return result;
  }

  /** A uniform integer in [0, bound): draws past the largest multiple of `bound` are redrawn, so no bias. */
  below(bound) {
    if (!Number.isInteger(bound) || bound < 1 || bound > 2 ** 32) throw new Error(`bad bound ${bound}`);
    const limit = 2 ** 32 - (2 ** 32 % bound);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % bound;
    }
  }

  /** Fisher-Yates, in place. */
  shuffle(items) {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

module.exports = { SeededRandom };
