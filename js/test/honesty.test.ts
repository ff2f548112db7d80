import { describe, expect, it } from "vitest";
import { curvesVerdict } from "../src/views/honesty";

describe("honesty curves in words", () => {
  const base = { method: "m", unit: "feature", nUnits: 3, baseline: "b", nRandom: 5, fractions: new Float32Array([0, 0.5, 1]) };
  const curve = (values: number[]) => new Float32Array(values);
  it("says which way an order beats chance, and when the output never moves", () => {
    const good = { ...base, deletion: curve([1, 0.2, 0]), insertion: curve([0, 0.9, 1]), randomDeletion: curve([1, 0.6, 0]), randomInsertion: curve([0, 0.4, 1]), deletionAuc: 0.35, insertionAuc: 0.7, randomDeletionAuc: 0.55, randomInsertionAuc: 0.45 };
    expect(curvesVerdict(good, "tree").at(-1)).toBe("The order of tree beats chance both ways.");
    const flat = { ...good, deletion: curve([1, 1, 1]), insertion: curve([1, 1, 1]), randomDeletion: curve([1, 1, 1]), randomInsertion: curve([1, 1, 1]), deletionAuc: 1, insertionAuc: 1, randomDeletionAuc: 1, randomInsertionAuc: 1 };
    expect(curvesVerdict(flat, "tree").at(-1)).toContain("does not move");
    const one = { ...good, insertionAuc: 0.4 };
    expect(curvesVerdict(one, "tree").at(-1)).toBe("The order of tree beats chance one way only (deletion).");
  });
});

describe("completeness in words", () => {
  it("says a gap below the precision shown is none, and a real gap as a share of f(x) − base", async () => {
    const { gapLine } = await import("../src/lib/completeness");
    expect(gapLine("features", "tree", 0.4, 0.9, 3e-16, 0.001)).toBe("Complete: Σ features + base equals the model's output f(x) to the precision shown.");
    expect(gapLine("features", "lime", 0.4, 0.9, 0.05, 0.001)).toBe("completeness gap: |Σ features + base − f(x)| = 0.05 (11 % of f(x) − base).");
    expect(gapLine("features", "saliency", 0, 1, null, 0.001)).toContain("reports no completeness gap");
  });
});

describe("the largest gap over instances", () => {
  it("names the worst instance for the output asked, or says every one is complete", async () => {
    const { largestGapLine } = await import("../src/lib/completeness");
    const deltas = new Float32Array([0, 0.2, 1e-12, -0.5, 0, 0.1]); // 3 instances × 2 outputs
    expect(largestGapLine("contributions", "lime", deltas, 2, 1, 0.01)).toBe("Largest completeness gap |Σ contributions + base − f(x)| over the instances: 0.5 (instance 1).");
    expect(largestGapLine("contributions", "tree", new Float32Array([1e-16, 0, 2e-16, 0]), 2, 0, 0.01)).toContain("Complete for every instance");
    expect(largestGapLine("contributions", "x", null, 2, 0, 0.01)).toContain("reports no completeness gap");
  });
});
