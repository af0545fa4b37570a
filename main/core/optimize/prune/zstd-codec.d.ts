// zstd-codec ships no types; only the chunked streaming compressor is used (compressed-size.ts).
declare module 'zstd-codec' {
  export type ZstdStreaming = {
    compressChunks(chunks: Iterable<Uint8Array>, sizeHint: number, level: number): Uint8Array | null;
  };
  export const ZstdCodec: {
    run(callback: (zstd: { Streaming: new () => ZstdStreaming }) => void): void;
  };
}
