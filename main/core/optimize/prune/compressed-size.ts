/**
 * Compressed sizes of a model file, as a download or a device's storage would see them. Zeroed weights are what
 * unstructured pruning buys, and only a compressor turns them into fewer bytes.
 * zstd: node:zlib has it from Node 22.15; on older Node the Emscripten build in the zstd-codec package (no
 * native code, nothing to compile) is loaded instead. Both give null if neither can be loaded.
 */
import * as zlib from 'node:zlib';

export type CompressedSizes = { plain: number; gzip: number; zstd: number | null };

/** zstd level 19 and gzip level 9: the sizes a release pipeline would ship. */
const ZSTD_LEVEL = 19;

type ZstdCompress = (data: Uint8Array) => Uint8Array;
let encoder: Promise<ZstdCompress | null> | undefined;

function loadZstd(): Promise<ZstdCompress | null> {
  encoder ??= (async () => {
    const native = (zlib as unknown as Record<string, unknown>).zstdCompressSync as
      ((d: Uint8Array, o: object) => Uint8Array) | undefined;
    const level = (zlib.constants as unknown as Record<string, number>).ZSTD_c_compressionLevel;
    if (native && level !== undefined) return (d) => native(d, { params: { [level]: ZSTD_LEVEL } });
    try {
      const { ZstdCodec } = await import('zstd-codec');
      const simple = await new Promise<{ compress(d: Uint8Array, l?: number): Uint8Array | null }>(
        (resolve) => ZstdCodec.run((zstd) => resolve(new zstd.Simple())),
      );
      return (d) => {
        const out = simple.compress(d, ZSTD_LEVEL);
        if (!out) throw new Error('zstd compression failed');
        return out;
      };
    } catch {
      return null;
    }
  })();
  return encoder;
}

export async function compressedSizes(bytes: Uint8Array): Promise<CompressedSizes> {
  const zstd = await loadZstd();
  return {
    plain: bytes.byteLength,
    gzip: zlib.gzipSync(bytes, { level: 9 }).byteLength,
    zstd: zstd ? zstd(bytes).byteLength : null,
  };
}
