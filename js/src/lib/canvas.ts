// Canvases at the device's pixel ratio: sized in CSS pixels, drawn sharp on high-density screens.

/** Size a canvas to CSS pixels at the device's ratio; returns its context, scaled so that drawing is in CSS pixels. */
export function sizeCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const ratio = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(width * ratio));
  const h = Math.max(1, Math.round(height * ratio));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const context = canvas.getContext("2d") as CanvasRenderingContext2D;
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, height);
  return context;
}

/**
 * Draw `source` (an image at its own pixels) onto `canvas` at `scale` CSS pixels per source pixel. Enlarged pixels stay
 * square: a 32 × 32 digit smoothed would show detail the model never saw.
 */
export function drawScaled(canvas: HTMLCanvasElement, source: HTMLCanvasElement, scale: number): void {
  const width = Math.round(source.width * scale);
  const height = Math.round(source.height * scale);
  const context = sizeCanvas(canvas, width, height);
  context.imageSmoothingEnabled = scale * (window.devicePixelRatio || 1) < 1;
  context.drawImage(source, 0, 0, width, height);
}
