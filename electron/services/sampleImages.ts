/**
 * Sample images for a first start: generated scenes (no third-party pictures to license) of flat and gradient
 * shapes on textured backgrounds, the kind of scene the built-in demo model was trained on. Deterministic.
 */
import sharp from 'sharp';

interface Shape {
  readonly svg: string;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PALETTE = [
  '#d1495b',
  '#edae49',
  '#00798c',
  '#30638e',
  '#003d5b',
  '#66a182',
  '#8d5a97',
  '#f4845f',
  '#2a9d8f',
];

function shapes(random: () => number, width: number, height: number, count: number): Shape[] {
  const out: Shape[] = [];
  for (let i = 0; i < count; i++) {
    const color = PALETTE[Math.floor(random() * PALETTE.length)]!;
    const size = (0.08 + random() * 0.18) * Math.min(width, height);
    const cx = size + random() * (width - 2 * size);
    const cy = size + random() * (height - 2 * size);
    const kind = i % 4;
    if (kind === 0) out.push({ svg: `<circle cx="${cx}" cy="${cy}" r="${size}" fill="${color}"/>` });
    else if (kind === 1)
      out.push({
        svg: `<rect x="${cx - size}" y="${cy - size * 0.7}" width="${size * 2}" height="${size * 1.4}" rx="${size * 0.15}" fill="${color}" transform="rotate(${random() * 60 - 30} ${cx} ${cy})"/>`,
      });
    else if (kind === 2)
      out.push({
        svg: `<polygon points="${cx},${cy - size} ${cx + size},${cy + size * 0.8} ${cx - size},${cy + size * 0.8}" fill="${color}"/>`,
      });
    else
      out.push({
        svg: `<g fill="${color}"><ellipse cx="${cx}" cy="${cy}" rx="${size * 1.2}" ry="${size * 0.7}"/><circle cx="${cx}" cy="${cy}" r="${size * 0.3}" fill="#f2efe6"/></g>`,
      });
  }
  return out;
}

/** PNG bytes of sample scene `index` (0-based), width × height. */
export async function sampleImage(index: number, width = 800, height = 600): Promise<Buffer> {
  const random = rng(1000 + index * 7919);
  const hue = Math.floor(random() * 360);
  const background = `<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="hsl(${hue},25%,82%)"/><stop offset="1" stop-color="hsl(${(hue + 40) % 360},20%,62%)"/>
    </linearGradient><pattern id="tx" width="18" height="18" patternUnits="userSpaceOnUse">
      <circle cx="4" cy="4" r="1.6" fill="rgba(0,0,0,0.08)"/><circle cx="13" cy="11" r="1.1" fill="rgba(255,255,255,0.15)"/>
    </pattern></defs><rect width="100%" height="100%" fill="url(#bg)"/><rect width="100%" height="100%" fill="url(#tx)"/>`;
  const body = shapes(random, width, height, 5 + (index % 3))
    .map((s) => s.svg)
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${background}${body}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export const SAMPLE_IMAGE_COUNT = 6;
