/**
 * Tests that need a tool this machine may lack (Chromium, JMeter, kubectl, terraform, docker, a Redis Cluster)
 * run where it is and are skipped elsewhere with the reason in their title: "… (skipped: no chromium on this
 * machine)", so a report shows what did not run and why.
 */
const skippedTitle = (title: string, reason: string | null | undefined): string =>
  `${title} (skipped: ${reason ?? 'unavailable'})`;

export function describeIf(condition: boolean, reason: string | null | undefined): jest.Describe {
  if (condition) return describe;
  return ((title: string, fn: jest.EmptyFunction) => describe.skip(skippedTitle(title, reason), fn)) as jest.Describe;
}

export function itIf(condition: boolean, reason: string | null | undefined): jest.It {
  if (condition) return it;
  return ((title: string, fn?: jest.ProvidesCallback, timeout?: number) =>
    it.skip(skippedTitle(title, reason), fn, timeout)) as jest.It;
}
