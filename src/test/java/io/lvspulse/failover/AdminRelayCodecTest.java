package io.lvspulse.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.testing.MutableClock;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AdminRelayCodecTest {
  private static final HeartbeatKey KEY =
      HeartbeatKey.of("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
  private final AdminRelayCodec primary = new AdminRelayCodec(Role.PRIMARY, KEY, clock);
  private final AdminRelayCodec backup = new AdminRelayCodec(Role.BACKUP, KEY, clock);
  private static final InetSocketAddress FTP2 = new InetSocketAddress("10.0.0.3", 69);

  @Test
  void a_change_reaches_the_partner_and_its_ack_comes_back() {
    AdminRelayCodec.Encoded e = primary.change("tftp", FTP2, 2);

    AdminRelayCodec.Message m = backup.decode(e.bytes(), e.bytes().length);

    assertThat(m)
        .isEqualTo(new AdminRelayCodec.Change(primary.epoch(), e.sequence(), "tftp", FTP2, 2));
    byte[] ack = backup.ack((AdminRelayCodec.Change) m);
    assertThat(primary.decode(ack, ack.length))
        .isEqualTo(new AdminRelayCodec.Ack(primary.epoch(), e.sequence()));
    assertThat(AdminRelayCodec.isAdminRelay(e.bytes(), e.bytes().length)).isTrue();
  }

  @Test
  void a_replayed_change_is_a_duplicate_acknowledged_but_not_applied_again() {
    AdminRelayCodec.Encoded e = primary.change("tftp", FTP2, 3);
    backup.decode(e.bytes(), e.bytes().length);

    assertThat(backup.decode(e.bytes(), e.bytes().length))
        .isInstanceOf(AdminRelayCodec.Duplicate.class);
  }

  @Test
  void a_change_captured_and_replayed_later_is_rejected_as_stale() {
    AdminRelayCodec.Encoded e = primary.change("tftp", FTP2, 1);
    clock.advance(Duration.ofMinutes(5));

    assertThat(backup.decode(e.bytes(), e.bytes().length))
        .isInstanceOfSatisfying(
            AdminRelayCodec.Rejected.class,
            r -> assertThat(r.reason()).contains("300 s behind this director's clock"));
  }

  @Test
  void another_key_our_own_role_and_a_flipped_bit_are_rejected() {
    AdminRelayCodec other =
        new AdminRelayCodec(
            Role.PRIMARY,
            HeartbeatKey.of("another key, 16+ bytes long".getBytes(StandardCharsets.US_ASCII)),
            clock);
    AdminRelayCodec.Encoded forged = other.change("tftp", FTP2, 2);
    assertThat(backup.decode(forged.bytes(), forged.bytes().length))
        .isInstanceOfSatisfying(
            AdminRelayCodec.Rejected.class, r -> assertThat(r.reason()).contains("bad HMAC"));

    AdminRelayCodec.Encoded own = backup.change("tftp", FTP2, 2);
    assertThat(backup.decode(own.bytes(), own.bytes().length))
        .isInstanceOfSatisfying(
            AdminRelayCodec.Rejected.class,
            r -> assertThat(r.reason()).contains("not the partner"));

    byte[] b = primary.change("tftp", FTP2, 2).bytes();
    b[40] ^= 1;
    assertThat(backup.decode(b, b.length)).isInstanceOf(AdminRelayCodec.Rejected.class);
  }

  @Test
  void random_garbage_is_rejected_never_thrown() {
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    byte[] good = primary.change("tftp", FTP2, 2).bytes();
    for (int i = 0; i < 5_000; i++) {
      byte[] b = java.util.Arrays.copyOf(good, rnd.nextInt(good.length + 20));
      for (int k = 0; k < 1 + rnd.nextInt(3); k++) {
        if (b.length > 0) {
          b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
        }
      }
      AdminRelayCodec.Message m = backup.decode(b, b.length);
      assertThat(m).as("seed " + seed).isNotNull();
      if (!java.util.Arrays.equals(b, good)) {
        assertThat(m).as("seed " + seed).isInstanceOf(AdminRelayCodec.Rejected.class);
      }
    }
  }
}
