// The theme's colours, read from the stylesheet the views ship: "no value" must not look like any feature value.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { divergingRamp, parseColor, type RGB } from "../src/lib/colors";

const css = readFileSync(new URL("../src/styles.css", import.meta.url), "utf8");

/** The value of `--name` in each rule that sets it, in stylesheet order (light first, then the dark rules). */
function values(name: string): string[] {
  return [...css.matchAll(new RegExp(`--iw-${name}:\\s*(#[0-9a-f]{6})`, "gi"))].map((m) => m[1] as string);
}

/** Distance in CIE-like lightness/chroma terms, enough to tell "looks alike" from "looks different". */
function distance(a: RGB, b: RGB): number {
  const [r1, g1, b1] = a;
  const [r2, g2, b2] = b;
  const rMean = (r1 + r2) / 2;
  // "redmean" approximation of perceived colour difference
  return Math.sqrt((2 + rMean / 256) * (r1 - r2) ** 2 + 4 * (g1 - g2) ** 2 + (2 + (255 - rMean) / 256) * (b1 - b2) ** 2);
}

function luminance([r, g, b]: RGB): number {
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

describe("feature-value colours", () => {
  const themes = ["negative", "mid", "positive", "missing"].map(values);
  it("are defined for the light theme and every dark rule", () => {
    for (const list of themes) expect(list.length).toBeGreaterThanOrEqual(3);
  });

  for (let theme = 0; theme < 3; theme++) {
    it(`keep "no value" apart from every ramp colour (${theme === 0 ? "light" : "dark"} rule ${theme})`, () => {
      const [negative, mid, positive, missing] = themes.map((list) => parseColor(list[theme] as string, [0, 0, 0]));
      const ramp = divergingRamp(negative as RGB, mid as RGB, positive as RGB, 24).map((c) => parseColor(c, [0, 0, 0]));
      const closest = Math.min(...ramp.map((c) => distance(c, missing as RGB)));
      expect(closest).toBeGreaterThan(150);
      // and apart in lightness too, for readers who do not see hue
      const lightness = Math.min(...ramp.map((c) => Math.abs(luminance(c) - luminance(missing as RGB))));
      expect(lightness).toBeGreaterThan(25);
    });
  }
});

/** WCAG relative luminance and contrast ratio. */
function relative([r, g, b]: RGB): number {
  const channel = (c: number) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

function contrast(a: RGB, b: RGB): number {
  const [hi, lo] = [relative(a), relative(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

describe("text on bars", () => {
  const [positive, negative, onBar] = ["positive", "negative", "on-bar"].map(values);
  for (let theme = 0; theme < 3; theme++) {
    it(`reads against both bar colours (${theme === 0 ? "light" : "dark"} rule ${theme})`, () => {
      const text = parseColor(onBar?.[theme] as string, [0, 0, 0]);
      for (const bar of [positive?.[theme], negative?.[theme]]) {
        expect(contrast(text, parseColor(bar as string, [0, 0, 0]))).toBeGreaterThan(2.9);
      }
    });
  }
});
