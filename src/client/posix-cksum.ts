// What POSIX `cksum` prints for bytes read from standard input: the CRC the standard defines (polynomial
// 0x04C11DB7, not reflected, the length appended, complemented) and the byte count. The credential entry's
// shell line runs `cksum` to tell whether credentials.json is still the file a prepared answer came from.

const POLYNOMIAL = 0x04c11db7;

const TABLE = Array.from({ length: 256 }, (_, index) => {
  let crc = index << 24;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? (crc << 1) ^ POLYNOMIAL : crc << 1;
  return crc >>> 0;
});

const step = (crc: number, byte: number) => ((crc << 8) ^ TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;

/** `cksum < file` for a file holding `bytes`: "CRC LENGTH", as GNU, BSD and busybox print it. */
export function posixCksum(bytes: Uint8Array): string {
  let crc = 0;
  for (const byte of bytes) crc = step(crc, byte);
  for (let length = bytes.length; length > 0; length = Math.floor(length / 256))
    crc = step(crc, length & 0xff);
  return `${(~crc >>> 0).toString()} ${bytes.length}`;
}
