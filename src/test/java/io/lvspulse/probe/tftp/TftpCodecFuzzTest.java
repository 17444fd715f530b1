package io.lvspulse.probe.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.probe.ProbeResult;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Feeds 100,000 random and mutated datagrams to the decoder and to probe state machines. Seeded;
 * the seed is printed (set {@code -Dfuzz.seed=N} to replay one run).
 */
class TftpCodecFuzzTest {
  private static final int ROUNDS = 100_000;

  private static final InetSocketAddress SERVER = new InetSocketAddress(loopback(), 69);

  private static InetAddress loopback() {
    return InetAddress.getLoopbackAddress();
  }

  private static byte[] bytes(TftpPacket p) {
    ByteBuffer b = p.encode();
    byte[] a = new byte[b.remaining()];
    b.get(a);
    return a;
  }

  private static final List<byte[]> SEEDS =
      List.of(
          bytes(new TftpPacket.Error(1, "File not found")),
          bytes(new TftpPacket.Data(1, new byte[512])),
          bytes(
              new TftpPacket.Data(1, "short".getBytes(java.nio.charset.StandardCharsets.US_ASCII))),
          bytes(new TftpPacket.Ack(1)),
          bytes(new TftpPacket.Oack(Map.of("blksize", "1428", "tsize", "600"))),
          bytes(new TftpPacket.Rrq("NaGiOs_ChEcK_FiLe", "octet")),
          bytes(new TftpPacket.Wrq("x", "netascii", Map.of("timeout", "1"))));

  @Test
  void
      random_and_mutated_datagrams_never_throw_never_fake_a_file_and_only_real_answers_pass_a_connect_check() {
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    System.out.println("TftpCodecFuzzTest seed=" + seed);
    Random rnd = new Random(seed);
    // the fuzzer cannot produce 600 bytes with this digest, so a get probe must never succeed
    TftpCheck get =
        TftpCheck.get(SERVER, "hello.txt", 600, Optional.of("a".repeat(64)), Duration.ofSeconds(5));
    TftpCheck connect = TftpCheck.connect(SERVER, Duration.ofSeconds(5));
    int accepted = 0;
    for (int i = 0; i < ROUNDS; i++) {
      byte[] d =
          rnd.nextInt(4) == 0 ? random(rnd) : mutate(rnd, SEEDS.get(rnd.nextInt(SEEDS.size())));
      TftpCodec.DecodeResult r = TftpCodec.decode(d);
      if (r instanceof TftpCodec.Rejected rej) {
        assertThat(rej.reason()).as("seed %d round %d", seed, i).doesNotStartWith("decoder error");
      } else {
        accepted++;
        TftpPacket p = ((TftpCodec.Decoded) r).packet();
        byte[] again = bytes(p);
        if (!(p instanceof TftpPacket.Error)) {
          assertThat(again).as("seed %d round %d: exact re-encoding", seed, i).isEqualTo(d);
        }
        assertThat(TftpCodec.decode(again)).isEqualTo(r);
      }

      // a get probe fed the datagram (then its own timeout) never succeeds
      List<ByteBuffer> sent = new ArrayList<>();
      TftpTransfer g = new TftpTransfer(get, SERVER, 0);
      g.start(0, (to, b) -> sent.add(b));
      g.onDatagram(
          new InetSocketAddress(SERVER.getAddress(), 40000),
          ByteBuffer.wrap(d),
          1,
          (to, b) -> sent.add(b));
      g.onTimer(Duration.ofSeconds(6).toNanos(), (to, b) -> sent.add(b));
      assertThat(g.result())
          .map(ProbeResult::success)
          .as("seed %d round %d", seed, i)
          .contains(false);

      // a connect probe succeeds exactly on a well-formed ERROR or DATA block 1
      TftpTransfer c = new TftpTransfer(connect, SERVER, 0);
      c.start(0, (to, b) -> {});
      c.onDatagram(
          new InetSocketAddress(SERVER.getAddress(), 40000), ByteBuffer.wrap(d), 1, (to, b) -> {});
      boolean real =
          r instanceof TftpCodec.Decoded ok
              && (ok.packet() instanceof TftpPacket.Error
                  || (ok.packet() instanceof TftpPacket.Data data && data.block() == 1));
      assertThat(c.result().map(ProbeResult::success).orElse(false))
          .as("seed %d round %d: %s", seed, i, r)
          .isEqualTo(real);

      // from any other address, nothing counts
      TftpTransfer foreign = new TftpTransfer(connect, SERVER, 0);
      foreign.start(0, (to, b) -> {});
      foreign.onDatagram(
          new InetSocketAddress("127.0.0.2", 69), ByteBuffer.wrap(d), 1, (to, b) -> {});
      assertThat(foreign.done()).isFalse();
    }
    System.out.println("TftpCodecFuzzTest accepted " + accepted + " of " + ROUNDS);
    assertThat(accepted).as("the mutator also produces valid packets").isPositive();
  }

  private static byte[] random(Random rnd) {
    byte[] b = new byte[rnd.nextInt(rnd.nextInt(10) == 0 ? 70_000 : 40)];
    rnd.nextBytes(b);
    if (b.length >= 2 && rnd.nextBoolean()) {
      b[0] = 0;
      b[1] = (byte) rnd.nextInt(8); // a plausible opcode
    }
    return b;
  }

  private static byte[] mutate(Random rnd, byte[] seed) {
    byte[] b = seed.clone();
    int n = 1 + rnd.nextInt(4);
    for (int k = 0; k < n; k++) {
      switch (rnd.nextInt(6)) {
        case 0 -> {
          if (b.length > 0) {
            b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
          }
        }
        case 1 -> b = Arrays.copyOf(b, rnd.nextInt(b.length + 1)); // truncate
        case 2 -> {
          byte[] tail = new byte[1 + rnd.nextInt(8)];
          rnd.nextBytes(tail);
          byte[] c = Arrays.copyOf(b, b.length + tail.length);
          System.arraycopy(tail, 0, c, b.length, tail.length);
          b = c;
        }
        case 3 -> {
          if (b.length > 0) {
            b[rnd.nextInt(b.length)] = 0; // a stray NUL
          }
        }
        case 4 -> {
          if (b.length > 1) {
            b[1] = (byte) rnd.nextInt(8); // wrong opcode
          }
        }
        default -> {
          if (b.length > 0) {
            b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
          }
        }
      }
    }
    return b;
  }
}
