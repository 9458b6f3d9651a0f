/**
 * Shrink a photo on the phone before it travels over 3G: at most 1600 px on the long side, JPEG 0.8.
 * Re-encoding through a canvas also drops EXIF (GPS position, phone model) from what leaves the phone.
 */

export const MAX_SIDE = 1600;
export const QUALITY = 0.8;

async function decode(file) {
  if (self.createImageBitmap) {
    try {
      // from-image applies the EXIF orientation, so portrait photos stay upright.
      return await createImageBitmap(file, { imageOrientation: 'from-image' });
    } catch {
      try { return await createImageBitmap(file); } catch { /* fall back to <img> below */ }
    }
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.decoding = 'async';
    img.src = url;
    await img.decode();
    return img;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Resolves with a JPEG Blob with its width and height; rejects when the file is not a readable image. */
export async function compressImage(file, maxSide = MAX_SIDE, quality = QUALITY) {
  const source = await decode(file);
  const width = source.width || source.naturalWidth;
  const height = source.height || source.naturalHeight;
  const scale = Math.min(1, maxSide / Math.max(width, height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const context = canvas.getContext('2d');
  context.fillStyle = '#fff'; // transparent PNGs would turn black in JPEG
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  if (source.close) source.close();
  const blob = await new Promise((resolve, reject) => {
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('toBlob failed'))), 'image/jpeg', quality);
  });
  const result = { blob, width: canvas.width, height: canvas.height };
  canvas.width = canvas.height = 0; // free the bitmap memory at once on low-end phones
  return result;
}
