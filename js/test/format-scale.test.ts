import { describe, expect, it } from "vitest";
import { formatNumber, formatSigned } from "../src/lib/format";
import { linearScale, niceTicks } from "../src/lib/scale";

describe("formatNumber", () => {
  it("keeps three significant digits and uses a real minus sign", () => {
    expect(formatNumber(0.123456)).toBe("0.123");
    expect(formatNumber(-1234.5)).toBe("−1230");
    expect(formatNumber(0)).toBe("0");
    expect(formatNumber(1e-7)).toBe("1.00e−7");
    expect(formatNumber(Number.NaN)).toBe("NaN");
    expect(formatSigned(0.5)).toBe("+0.5");
    expect(formatSigned(-0.5)).toBe("−0.5");
  });
});

describe("scales", () => {
  it("maps domain to range linearly", () => {
    const x = linearScale([0, 10], [100, 200]);
    expect(x(5)).toBe(150);
    expect(x(-10)).toBe(0);
  });

  it("gives round ticks inside the domain", () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    const ticks = niceTicks(-0.37, 0.91, 6);
    for (const t of ticks) {
      expect(t).toBeGreaterThanOrEqual(-0.37);
      expect(t).toBeLessThanOrEqual(0.91);
    }
    expect(ticks).toContain(0);
    expect(niceTicks(2, 2)).toEqual([2]);
  });
});
