package io.carbon254.ingest.sinks.production.clickhouse;

import java.io.OutputStream;
import java.util.Arrays;

/** An unsynchronized growable byte buffer that a streamed insert's rows are encoded into, chunk by chunk. */
final class Chunk extends OutputStream {
  private byte[] buf;
  private int size;

  Chunk(int capacity) {
    buf = new byte[capacity];
  }

  @Override
  public void write(int b) {
    if (size == buf.length) {
      grow(1);
    }
    buf[size++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    if (buf.length - size < len) {
      grow(len);
    }
    System.arraycopy(b, off, buf, size, len);
    size += len;
  }

  private void grow(int extra) {
    buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
  }

  int size() {
    return size;
  }

  /** The bytes written since the last take, as a new array; the buffer is emptied. */
  byte[] take() {
    byte[] out = Arrays.copyOf(buf, size);
    size = 0;
    return out;
  }
}
