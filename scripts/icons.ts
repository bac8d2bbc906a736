import { readFile, writeFile } from "node:fs/promises";
import sharp from "sharp";

// Renders the app's mark (public/icon.svg) into the raster icons browsers and home screens ask for:
// favicon.ico (16, 32 and 48 px PNG images in one ICO), apple-touch-icon.png (180 px) and icon-512.png.
// Run with `npx tsx scripts/icons.ts` after changing the SVG; the outputs are committed. sharp comes with Next.

const svg = await readFile("public/icon.svg");
const png = (size: number) =>
  sharp(svg, { density: (72 * size) / 64 })
    .resize(size, size)
    .png()
    .toBuffer();

/** An ICO file whose images are PNGs (supported by every browser since Windows Vista-era icon loaders). */
function ico(images: { size: number; data: Buffer }[]): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // 1 = icon
  header.writeUInt16LE(images.length, 4);
  const entries: Buffer[] = [];
  let offset = 6 + 16 * images.length;
  for (const { size, data } of images) {
    const entry = Buffer.alloc(16);
    entry.writeUInt8(size >= 256 ? 0 : size, 0);
    entry.writeUInt8(size >= 256 ? 0 : size, 1);
    entry.writeUInt8(0, 2); // no palette
    entry.writeUInt8(0, 3);
    entry.writeUInt16LE(1, 4); // colour planes
    entry.writeUInt16LE(32, 6); // bits per pixel
    entry.writeUInt32LE(data.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += data.length;
    entries.push(entry);
  }
  return Buffer.concat([header, ...entries, ...images.map((i) => i.data)]);
}

const sizes = [16, 32, 48];
await writeFile("public/favicon.ico", ico(await Promise.all(sizes.map(async (size) => ({ size, data: await png(size) })))));
await writeFile("public/apple-touch-icon.png", await png(180));
await writeFile("public/icon-512.png", await png(512));
console.log("wrote public/favicon.ico, public/apple-touch-icon.png, public/icon-512.png");
