// Placing labels under a horizontal bar of segments (the force plot): pure maths, tested in
// test/label-layout.test.ts.

export interface LabelRequest {
  /** the segment's centre, in px */
  anchor: number;
  /** candidate texts, longest first (e.g. "name = value", then with the name shortened); measured in chars */
  texts: readonly string[];
}

export interface PlacedLabel {
  index: number;
  text: string;
  /** the label's centre and row (0 nearest the bar) */
  x: number;
  row: number;
  /** whether the label sits away from its segment, so that a leader line must tie them */
  moved: boolean;
}

/**
 * Place labels in the order given (most important first) on up to `rows` rows within [left, right], each as near
 * its anchor as the row allows, none overlapping (`gap` px apart). A label takes the first candidate text that fits
 * somewhere; one that fits nowhere is left out (its segment keeps its tooltip).
 */
export function placeLabels(
  requests: readonly LabelRequest[],
  rows: number,
  left: number,
  right: number,
  charPx: number,
  gap = 10,
): PlacedLabel[] {
  const taken: Array<Array<[number, number]>> = Array.from({ length: rows }, () => []);
  const placed: PlacedLabel[] = [];
  requests.forEach((request, index) => {
    if (!Number.isFinite(request.anchor)) return;
    for (const text of request.texts) {
      const half = (text.length * charPx) / 2;
      if (2 * half > right - left) continue;
      const x = Math.min(right - half, Math.max(left + half, request.anchor));
      const row = taken.findIndex((spans) => spans.every(([a, b]) => x + half + gap <= a || x - half - gap >= b));
      if (row < 0) continue;
      taken[row]?.push([x - half, x + half]);
      placed.push({ index, text, x, row, moved: row > 0 || Math.abs(x - request.anchor) > half });
      return;
    }
  });
  return placed;
}
