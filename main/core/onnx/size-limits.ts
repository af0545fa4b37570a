/** Protobuf cannot represent a message of 2 GiB or more; ONNX files that big must use external data. */
export const MAX_PROTOBUF_BYTES = 2 ** 31 - 1;

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}
