import { describe, expect, it } from "vitest";
import { formatAt, formatSignedAt, labelColumn, nameValueLabel, resolutionOf, shorten } from "../src/lib/format";
import { placeLabels } from "../src/lib/label-layout";
import { conditionLabel, fitRowLabel } from "../src/lib/waterfall-layout";

describe("numbers at the precision a plot shows", () => {
  it("rounds noise to what the axis can show", () => {
    const step = resolutionOf(1); // a 0..1 probability axis
    expect(step).toBe(0.001);
    expect(formatAt(-1.67e-16, step)).toBe("≈0");
    expect(formatAt(-1.77e-8, step)).toBe("≈0");
    expect(formatAt(0, step)).toBe("0");
    expect(formatAt(0.62734, step)).toBe("0.627");
    expect(formatAt(0.0834, step)).toBe("0.083");
    expect(formatAt(-0.25, step)).toBe("−0.25");
    expect(formatSignedAt(0.0292, step)).toBe("+0.029");
    expect(formatSignedAt(1e-9, step)).toBe("≈0");
  });

  it("rounds once, symmetrically, and writes real minus signs", () => {
    expect(formatAt(1.23456, 0.001)).toBe("1.23");
    expect(formatAt(0.0025, 0.001)).toBe("0.003");
    expect(formatAt(-0.0025, 0.001)).toBe("−0.003");
    expect(formatAt(1234567, 1000)).toBe("1.23e+6");
    expect(formatAt(-5e-5, 1e-6)).toBe("−5.00e−5");
  });

  it("keeps whole units of large numbers", () => {
    expect(formatAt(1070.3, resolutionOf(2000))).toBe("1070");
    expect(formatAt(123456, resolutionOf(300000))).toBe("123500");
  });
});

describe("labels that say which feature they belong to", () => {
  it("shortens a name in its middle, keeping how it ends", () => {
    expect(shorten("worst concave points", 30)).toBe("worst concave points");
    const short = shorten("od280/od315_of_diluted_wines", 16);
    expect(short).toHaveLength(16);
    expect(short.startsWith("od280/od")).toBe(true);
    expect(short.endsWith("wines")).toBe(true);
    expect(short).toContain("…");
  });

  it("keeps the value whole and never cuts a name to a stub", () => {
    expect(nameValueLabel("worst concave points", "0.265", 40)).toBe("worst concave points = 0.265");
    const fitted = nameValueLabel("worst concave points", "0.265", 22) as string;
    expect(fitted.length).toBeLessThanOrEqual(22);
    expect(fitted.endsWith(" = 0.265")).toBe(true);
    expect(fitted.endsWith("points = 0.265") || fitted.includes("…")).toBe(true);
    expect(nameValueLabel("worst concave points", "0.265", 14)).toBeNull(); // "worst … = 0.265" names nothing
  });

  it("keeps a LIME condition's feature name whole, leaving the lower bound to the tooltip first", () => {
    const condition = { prefix: "4.69 < ", name: "color_intensity", suffix: " <= 6.20" };
    expect(fitRowLabel(condition, 40)).toBe("4.69 < color_intensity <= 6.20");
    expect(fitRowLabel(condition, 25)).toBe("… color_intensity <= 6.20");
    const narrow = fitRowLabel(condition, 20);
    expect(narrow.length).toBeLessThanOrEqual(20);
    expect(narrow.startsWith("… colo") && narrow.endsWith(" <= 6.20")).toBe(true);
    expect(fitRowLabel({ prefix: "", name: "worst concave points", suffix: " = 0.265" }, 22)).toMatch(/^worst c.*… *.* = 0\.265$/);
  });

  it("never cuts through a value (its sign would flip) and splits conditions on whole words", () => {
    const negative = fitRowLabel({ prefix: "", name: "worst concave points", suffix: " = −1.23e+6" }, 17);
    expect(negative.includes("= −1.23e+6") || !/\d/.test(negative)).toBe(true);
    expect(conditionLabel("0.12 < 1 <= 0.45", "1")).toEqual({ prefix: "0.12 < ", name: "1", suffix: " <= 0.45" });
    expect(conditionLabel("hue > 1.12", "hue")).toEqual({ prefix: "", name: "hue", suffix: " > 1.12" });
    expect(conditionLabel("something else", "hue")).toEqual({ prefix: "", name: "something else", suffix: "" });
    expect(shorten("abcdef", 2)).toBe("ab");
    expect(shorten("abcdef", 0)).toBe("");
  });

  it("sizes a label column from its longest label, within bounds", () => {
    expect(labelColumn(["a", "bb"], 1000)).toBe(90);
    expect(labelColumn(["x".repeat(30)], 1000)).toBe(Math.round(30 * 6.6 + 16));
    expect(labelColumn(["x".repeat(100)], 500)).toBe(200);
  });
});

describe("placeLabels", () => {
  it("puts labels at their anchors when there is room", () => {
    const placed = placeLabels([{ anchor: 100, texts: ["aaaa"] }, { anchor: 300, texts: ["bbbb"] }], 3, 0, 400, 6);
    expect(placed.map((p) => [p.x, p.row, p.moved])).toEqual([[100, 0, false], [300, 0, false]]);
  });

  it("moves a crowded label to another row instead of overlapping or dropping it", () => {
    const requests = [0, 1, 2].map((i) => ({ anchor: 200 + i * 10, texts: ["feature name = 1.5"] }));
    const placed = placeLabels(requests, 3, 0, 400, 6);
    expect(placed).toHaveLength(3);
    expect(new Set(placed.map((p) => p.row)).size).toBe(3);
    expect(placed.filter((p) => p.row > 0).every((p) => p.moved)).toBe(true);
  });

  it("never overlaps labels on a row and keeps them inside the bounds", () => {
    const requests = Array.from({ length: 30 }, (_, i) => ({ anchor: (i * 37) % 500, texts: [`f${i} = ${i}.25`, `f${i}`] }));
    const placed = placeLabels(requests, 3, 10, 490, 6.6);
    for (const a of placed) {
      const half = (a.text.length * 6.6) / 2;
      expect(a.x - half).toBeGreaterThanOrEqual(10 - 1e-9);
      expect(a.x + half).toBeLessThanOrEqual(490 + 1e-9);
      for (const b of placed) {
        if (a === b || a.row !== b.row) continue;
        const other = (b.text.length * 6.6) / 2;
        expect(Math.abs(a.x - b.x)).toBeGreaterThanOrEqual(half + other);
      }
    }
  });

  it("takes a shorter candidate text when the longer one fits nowhere", () => {
    const placed = placeLabels([{ anchor: 50, texts: ["x".repeat(40), "short"] }], 1, 0, 100, 6);
    expect(placed[0]?.text).toBe("short");
  });
});
