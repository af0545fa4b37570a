// zstd-codec ships no types; only the synchronous "Simple" API is used (compressed-size.ts).
declare module 'zstd-codec' {
  export type ZstdSimple = { compress(data: Uint8Array, level?: number): Uint8Array | null };
  export const ZstdCodec: {
    run(callback: (zstd: { Simple: new () => ZstdSimple }) => void): void;
  };
}
