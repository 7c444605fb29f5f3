/**
 * The lines of a UTF-8 byte stream, without their line breaks (`\n` or `\r\n`), read chunk by chunk:
 * memory stays at one chunk plus one line however large the object. Blank lines are skipped.
 */
export async function* readLines(stream: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n", start)) {
      const line = pending.slice(start, end).replace(/\r$/, "");
      start = end + 1;
      if (line.trim()) yield line;
    }
    pending = pending.slice(start);
  }
  pending += decoder.decode();
  if (pending.trim()) yield pending.replace(/\r$/, "");
}

/** Encode lines as a UTF-8 stream, one `\n`-terminated line at a time (for BlobStore.putStream). */
export async function* encodeLines(lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  let buffer: string[] = [];
  let size = 0;
  // Small lines are grouped into ~64 KiB chunks so a multipart upload is not fed a million tiny buffers.
  for await (const line of lines) {
    buffer.push(line, "\n");
    size += line.length + 1;
    if (size >= 65_536) {
      yield encoder.encode(buffer.join(""));
      buffer = [];
      size = 0;
    }
  }
  if (buffer.length) yield encoder.encode(buffer.join(""));
}
