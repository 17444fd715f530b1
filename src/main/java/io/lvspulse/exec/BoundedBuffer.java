package io.lvspulse.exec;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Keeps the first {@code limit} bytes written to it and counts (but drops) the rest. */
final class BoundedBuffer extends OutputStream {
  @GuardedBy("this")
  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();

  private final int limit;

  @GuardedBy("this")
  private long dropped;

  BoundedBuffer(int limit) {
    this.limit = limit;
  }

  @Override
  public synchronized void write(int b) {
    if (kept.size() < limit) {
      kept.write(b);
    } else {
      dropped++;
    }
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    int room = Math.max(0, limit - kept.size());
    int n = Math.min(room, len);
    kept.write(b, off, n);
    dropped += len - n;
  }

  synchronized boolean truncated() {
    return dropped > 0;
  }

  synchronized String text() {
    return kept.toString(StandardCharsets.UTF_8);
  }
}
